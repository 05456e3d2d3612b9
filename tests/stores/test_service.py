"""The incident service over every store: what a command meets, and what it records."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from esctui.domain import commands as c
from esctui.domain.events import Acknowledged, Escalated, Triggered
from esctui.service.incidents import IncidentService

from .conftest import NOW, Place, team


def test_a_command_meets_the_incident_after_its_due_escalation(store_factory: Place) -> None:
    """Level 1 timed out before the acknowledgement came: the escalation is recorded first,
    the acknowledgement after it, each with a version of its own (the responder saw the
    incident before the escalation, so their version still holds)."""

    async def scenario() -> tuple[list[type], list[int], int]:
        await store_factory.create(team(), [])
        store = await store_factory.open()
        try:
            opened = await IncidentService(store, lambda: NOW).execute(
                c.Trigger(title="disk full", service="api", severity=2), "alice"
            )
            later = IncidentService(store, lambda: NOW + timedelta(minutes=11))
            incident = opened.incident
            recorded = await later.execute(
                c.Acknowledge(incident=incident.id), "bob", expected_version=incident.version
            )
            history = await store.history(incident.id)
            assert history is not None
            return (
                [type(event) for event in history.timeline],
                [event.version for event in history.timeline],
                recorded.incident.level,
            )
        finally:
            await store.close()

    kinds, versions, level = asyncio.run(scenario())
    assert kinds == [Triggered, Escalated, Acknowledged]
    assert versions == [1, 2, 3]
    assert level == 2
