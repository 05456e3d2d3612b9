"""The journal store behind the async `Backend` protocol the faces call.

File work runs in a worker thread so a face's event loop never waits on `fsync`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

from esctui.backends.base import Change, IncidentHistory, Queue, Update
from esctui.backends.journal.store import DEFAULT_ARCHIVE_AFTER, Clock, JournalStore
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Directory


class JournalBackend:
    """A store directory on this machine (`--store DIR`)."""

    kind = "journal"

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self.store = JournalStore(path, clock)
        self.closed = asyncio.Event()

    @property
    def location(self) -> str:
        return str(self.store.path)

    async def open(self) -> Queue:
        await asyncio.to_thread(self.store.load)
        return self.store.queue()

    async def history(self, incident_id: str) -> IncidentHistory:
        return await asyncio.to_thread(self.store.history, incident_id)

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        return await asyncio.to_thread(self.store.histories, since)

    async def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Update]:
        """Poll the journal every `interval` seconds for what other processes appended."""
        cursor = after
        while not self.closed.is_set():
            reloaded = await asyncio.to_thread(self.store.poll)
            changes = None if reloaded else self.store.changes_after(cursor)
            if changes is None:
                queue = self.store.queue()
                cursor = queue.revision
                yield Update(changes=[], queue=queue)
            elif changes:
                cursor = changes[-1].revision
                yield Update(changes=changes)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.closed.wait(), interval)

    async def execute(
        self, command: AnyCommand, *, actor: str | None, expected_version: int | None = None
    ) -> list[Change]:
        return await asyncio.to_thread(self.store.execute, command, actor, expected_version)

    async def escalate_due(self) -> list[Change]:
        """Record the auto-escalations that are due now."""
        return await asyncio.to_thread(self.store.escalate_due)

    async def compact(self, archive_after: timedelta = DEFAULT_ARCHIVE_AFTER) -> str:
        return await asyncio.to_thread(self.store.compact, archive_after)

    async def replace_directory(self, directory: Directory) -> str:
        return await asyncio.to_thread(self.store.replace_directory, directory)

    async def close(self) -> None:
        self.closed.set()
