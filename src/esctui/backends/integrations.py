"""Alerts in, as the faces reach them: looking after integrations and maintenance windows (an
administrator's, on a store or through the server: `Admin.integrations`), and the intake a
server runs for monitoring (`Intake`).

Refusals are typed as everywhere: `DomainError` (or `NotFound`) with a sentence, `StoreError`
when the store or server cannot be read or written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from esctui.domain.alerts import Kind, Notification, Settings
from esctui.service.intake import Received
from esctui.service.integrations import Unrecognised
from esctui.stores.records import IntegrationRecord, MaintenanceWindow, Queue

__all__ = [
    "Intake",
    "Integration",
    "Integrations",
    "Received",
    "Unrecognised",
    "quiet_after_maintenance",
]


class Integration(msgspec.Struct, frozen=True, omit_defaults=True):
    """An integration as an administrator sees it: never its key, nor the key's hash. A
    heartbeat's `last_beat` is when it last beat (None: never yet)."""

    name: str
    kind: Kind
    service: str
    created_at: datetime
    settings: Settings = msgspec.field(default_factory=Settings)
    revoked_at: datetime | None = None
    last_beat: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def of(cls, record: IntegrationRecord, beats: dict[str, datetime]) -> Integration:
        return cls(
            name=record.name,
            kind=record.kind,
            service=record.service,
            created_at=record.created_at,
            settings=record.settings,
            revoked_at=record.revoked_at,
            last_beat=beats.get(record.name) if record.kind is Kind.HEARTBEAT else None,
        )


class Integrations(Protocol):
    """Monitoring's integrations and the services' maintenance windows."""

    async def create_integration(
        self, name: str, kind: Kind, service: str, settings: Settings
    ) -> tuple[str, Integration]:
        """A new integration: its key (to be shown once) and the integration."""
        ...

    async def revoke_integration(self, name: str) -> Integration:
        """Revoke the active integration `name`: its key lets nothing in from now on."""
        ...

    async def integrations(self) -> list[Integration]:
        """Every integration made, revoked ones included, oldest first."""
        ...

    async def start_maintenance(
        self, service: str, length: timedelta, reason: str, by: str | None
    ) -> MaintenanceWindow:
        """`service` in maintenance from now for `length`."""
        ...

    async def end_maintenance(self, service: str) -> MaintenanceWindow:
        """End the maintenance of `service` now."""
        ...

    async def maintenance(self) -> list[MaintenanceWindow]:
        """The maintenance windows in force, by service."""
        ...


class Intake(Protocol):
    """What a server runs for monitoring, over its store (see `service/intake.py`)."""

    async def recognise(self, key: str, kind: Kind) -> IntegrationRecord:
        """The active integration of `kind` whose key this is; `Unrecognised` otherwise."""
        ...

    async def receive(
        self, integration: IntegrationRecord, notification: Notification
    ) -> Received: ...

    async def take(self, key: str, kind: Kind, notification: Notification) -> Received:
        """`recognise` the key, then `receive` the notification from its integration."""
        ...

    async def beat(self, integration: IntegrationRecord) -> Received: ...

    async def check_heartbeats(self) -> list[Received]: ...

    async def wake(self, incident_ids: list[str]) -> list[Received]:
        """Wake those of these quiet incidents whose maintenance is over and whose alerts
        still fire (`quiet_after_maintenance` finds them in a queue)."""
        ...

    async def flush_repeats(self) -> list[Received]: ...

    async def leads(self) -> bool:
        """Whether this process checks heartbeats now (one process at a time, where several
        share a store)."""
        ...


def quiet_after_maintenance(queue: Queue, now: datetime) -> list[str]:
    """The quiet incidents of `queue` whose service is no longer in maintenance while their
    alerts still fire: those to wake."""
    windows = queue.maintenance
    return [
        incident.id
        for incident in queue.incidents.values()
        if incident.quiet
        and incident.is_open
        and incident.alerts is not None
        and incident.alerts.firing
        and not (incident.service in windows and windows[incident.service].in_force(now))
    ]
