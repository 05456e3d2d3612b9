"""An undo through the incident service, on every store: the rules get the incident's timeline
from the store (`Transaction.timeline`) and put back what the undone change altered."""

from __future__ import annotations

from typing import Any

import msgspec

from esctui.domain import commands as c
from esctui.domain.events import Reverted
from esctui.service.incidents import IncidentService

from .conftest import NOW, Place
from .test_contract import opened, run


def test_the_service_undoes_my_change_with_the_stores_timeline(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            service = IncidentService(store, clock=lambda: NOW)
            made = await service.execute(
                c.Trigger(title="disk full", service="api", severity=2), "alice"
            )
            incident = made.incident
            acked = await service.execute(c.Acknowledge(incident=incident.id), "bob")
            version = acked.incident.version
            undone = await service.execute(c.Undo(incident=incident.id, version=version), "bob")
            return incident, undone

    before, undone = run(scenario())
    [change] = undone.changes
    assert isinstance(change.event, Reverted) and change.event.undone == "acknowledged"
    assert msgspec.structs.replace(undone.incident, version=before.version) == before
