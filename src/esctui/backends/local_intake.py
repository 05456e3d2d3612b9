"""Alerts in over a store this process opens itself: the integration and intake services, each
call run as the local backend runs the store's (a blocking store's whole, in a worker thread)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from esctui.backends.integrations import Integration
from esctui.domain.alerts import Kind, Notification, Settings
from esctui.service.intake import IntakeService, Received
from esctui.service.integrations import IntegrationService
from esctui.service.ports import Leading
from esctui.stores.records import IntegrationRecord, MaintenanceWindow

if TYPE_CHECKING:
    from esctui.backends.local import LocalBackend

# Heartbeats are checked by the process that runs auto-escalation.
LEADS = "escalation"


class LocalIntegrations:
    """`Integrations` over the integration service."""

    def __init__(self, backend: LocalBackend, service: IntegrationService) -> None:
        self.backend = backend
        self.service = service

    async def create_integration(
        self, name: str, kind: Kind, service: str, settings: Settings
    ) -> tuple[str, Integration]:
        key, record = await self.backend.call(
            lambda: self.service.create(name, kind, service, settings), write=True
        )
        return key, Integration.of(record, {})

    async def revoke_integration(self, name: str) -> Integration:
        record = await self.backend.call(lambda: self.service.revoke(name), write=True)
        return Integration.of(record, {})

    async def integrations(self) -> list[Integration]:
        records = await self.backend.call(self.service.integrations)
        beats = await self.backend.call(self.service.beats)
        return [Integration.of(record, beats) for record in records]

    async def start_maintenance(
        self, service: str, length: timedelta, reason: str, by: str | None
    ) -> MaintenanceWindow:
        return await self.backend.call(
            lambda: self.service.start_maintenance(service, length, reason, by), write=True
        )

    async def end_maintenance(self, service: str) -> MaintenanceWindow:
        return await self.backend.call(lambda: self.service.end_maintenance(service), write=True)

    async def maintenance(self) -> list[MaintenanceWindow]:
        return await self.backend.call(self.service.maintenance)


class LocalIntake:
    """`Intake` over the intake service (one per server: it counts repeats in memory)."""

    def __init__(
        self, backend: LocalBackend, integrations: IntegrationService, intake: IntakeService
    ) -> None:
        self.backend = backend
        self.integrations = integrations
        self.service = intake

    async def recognise(self, key: str, kind: Kind) -> IntegrationRecord:
        return await self.backend.call(lambda: self.integrations.recognise(key, kind))

    async def receive(self, integration: IntegrationRecord, notification: Notification) -> Received:
        return await self.backend.call(
            lambda: self.service.receive(integration, notification), write=True
        )

    async def take(self, key: str, kind: Kind, notification: Notification) -> Received:
        async def both() -> Received:  # in one call: the key's check costs no second hop
            integration = await self.integrations.recognise(key, kind)
            return await self.service.receive(integration, notification)

        return await self.backend.call(both, write=True)

    async def beat(self, integration: IntegrationRecord) -> Received:
        return await self.backend.call(lambda: self.service.beat(integration), write=True)

    async def check_heartbeats(self) -> list[Received]:
        return await self.backend.call(self.service.check_heartbeats, write=True)

    async def wake(self, incident_ids: list[str]) -> list[Received]:
        return await self.backend.call(lambda: self.service.wake(incident_ids), write=True)

    async def flush_repeats(self) -> list[Received]:
        return await self.backend.call(self.service.flush_repeats, write=True)

    async def leads(self) -> bool:
        store = self.backend.store
        if not isinstance(store, Leading):
            return True  # one process at a time was never promised: the checks take turns
        return await self.backend.call(lambda: store.leads(LEADS))
