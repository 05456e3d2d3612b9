"""Monitoring's integrations, the services' maintenance windows and the heartbeats' last beats,
kept beside a journal store in `integrations.json` (see `KeptFile`).

An integration's key is shown once, when it is made; the file keeps only its SHA-256, so a copy
of the store gives nobody a way to send alerts. Beats are the file's only frequent change (one
write per beat, as often as a heartbeat's sender beats).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import msgspec

from esctui.stores.journal.kept_file import KeptFile
from esctui.stores.records import IntegrationRecord, MaintenanceWindow

INTEGRATIONS = "integrations.json"


class IntegrationFile(msgspec.Struct, forbid_unknown_fields=True):
    integrations: list[IntegrationRecord] = []
    maintenance: list[MaintenanceWindow] = []
    beats: dict[str, datetime] = {}


class JournalIntegrations:
    """`integrations.json` as the service's `IntegrationStore`: its coroutines never suspend,
    so inside an event loop they are called in a worker thread."""

    blocking = True

    def __init__(self, path: Path) -> None:
        self.kept = KeptFile(
            path,
            INTEGRATIONS,
            IntegrationFile,
            "restore it from a backup, or move it away and make the integrations again.",
        )

    async def integrations(self) -> list[IntegrationRecord]:
        return list(self.kept.read().integrations)

    async def find_integration(self, sha256: str) -> IntegrationRecord | None:
        found = self.kept.read().integrations
        return next((record for record in found if record.sha256 == sha256), None)

    async def create_integration(self, record: IntegrationRecord) -> bool:
        def add(book: IntegrationFile) -> tuple[IntegrationFile | None, bool]:
            if any(r.active and r.name == record.name for r in book.integrations):
                return None, False
            book.integrations.append(record)
            return book, True

        return self.kept.change(add)

    async def revoke_integration(self, name: str, now: datetime) -> IntegrationRecord | None:
        def revoke(
            book: IntegrationFile,
        ) -> tuple[IntegrationFile | None, IntegrationRecord | None]:
            for n, record in enumerate(book.integrations):
                if record.active and record.name == name:
                    book.integrations[n] = msgspec.structs.replace(record, revoked_at=now)
                    return book, book.integrations[n]
            return None, None

        return self.kept.change(revoke)

    async def beat(self, name: str, at: datetime) -> None:
        def beat(book: IntegrationFile) -> tuple[IntegrationFile | None, None]:
            book.beats[name] = at
            return book, None

        self.kept.change(beat)

    async def beats(self) -> dict[str, datetime]:
        return dict(self.kept.read().beats)

    async def maintenance(self) -> list[MaintenanceWindow]:
        return list(self.kept.read().maintenance)

    async def start_maintenance(self, window: MaintenanceWindow) -> None:
        def start(book: IntegrationFile) -> tuple[IntegrationFile | None, None]:
            others = [w for w in book.maintenance if w.service != window.service]
            book.maintenance = [*others, window]
            return book, None

        self.kept.change(start)

    async def end_maintenance(self, service: str, at: datetime) -> MaintenanceWindow | None:
        def end(book: IntegrationFile) -> tuple[IntegrationFile | None, MaintenanceWindow | None]:
            for n, window in enumerate(book.maintenance):
                if window.service == service and window.in_force(at):
                    book.maintenance[n] = msgspec.structs.replace(window, end=at)
                    return book, book.maintenance[n]
            return None, None

        return self.kept.change(end)
