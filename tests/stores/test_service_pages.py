"""The incident service over every store, with pages on the timeline: a page recorded since a
responder looked does not make what they saw stale, any other change does; and pages' records
go to incidents the store still holds."""

from __future__ import annotations

import asyncio

import pytest

from esctui.domain import commands as c
from esctui.domain.errors import VersionConflict
from esctui.domain.events import Acknowledged, Paged, Triggered
from esctui.service.incidents import IncidentService

from .conftest import NOW, Place, team


def page_record(incident: str, page: str = "p-1") -> c.RecordPage:
    return c.RecordPage(incident=incident, page=page, to="bob", method="phone", outcome="delivered")


def test_a_version_seen_before_a_page_still_holds(store_factory: Place) -> None:
    async def scenario() -> list[type]:
        await store_factory.create(team(), [])
        store = await store_factory.open()
        try:
            service = IncidentService(store, lambda: NOW)
            opened = await service.execute(
                c.Trigger(title="disk full", service="api", severity=2), "alice"
            )
            seen = opened.incident
            await service.record([page_record(seen.id), page_record("INC-9999", "p-2")])
            await service.execute(c.Acknowledge(incident=seen.id), "bob", expected_version=1)
            await service.execute(c.AddNote(incident=seen.id, text="on it"), "bob")
            with pytest.raises(VersionConflict):
                await service.execute(c.Resolve(incident=seen.id), "bob", expected_version=3)
            history = await store.history(seen.id)
            assert history is not None
            return [type(event) for event in history.timeline][:3]
        finally:
            await store.close()

    assert asyncio.run(scenario()) == [Triggered, Paged, Acknowledged]
