"""The journal store behind the async `Backend` protocol the faces call.

Inside an event loop (the TUI, the server) file work runs in a worker thread, so the loop never
waits on `fsync`. Outside one (a CLI command), the same coroutines run straight through without
ever suspending, and a one-shot command does not pay for starting asyncio at all.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from esctui.backends.base import Change, IncidentHistory, Link, Queue, Update
from esctui.backends.journal.store import DEFAULT_ARCHIVE_AFTER, Clock, JournalStore
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Directory

T = TypeVar("T")


async def offload(work: Callable[..., T], *args: object) -> T:
    """`work(*args)` in a worker thread when an asyncio loop is running, else right here."""
    asyncio = sys.modules.get("asyncio")
    try:
        loop = asyncio.get_running_loop() if asyncio is not None else None
    except RuntimeError:
        loop = None
    if loop is None:
        return work(*args)
    result: T = await loop.run_in_executor(None, functools.partial(work, *args))
    return result


def run_inline(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine of this backend that needs no event loop (see `offload`)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coroutine.close()
    raise RuntimeError("a journal backend call waited on something outside an event loop")


class JournalBackend:
    """A store directory on this machine (`--store DIR`)."""

    kind = "journal"
    link = Link.LOCAL
    waiting = 0  # a local store is never out of reach
    runs_inline = True  # its coroutines never suspend outside an event loop

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self.store = JournalStore(path, clock)
        self.closed = False

    @property
    def location(self) -> str:
        return str(self.store.path)

    async def open(self) -> Queue:
        await offload(self.store.load)
        return self.store.queue()

    async def history(self, incident_id: str) -> IncidentHistory:
        return await offload(self.store.history, incident_id)

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        return await offload(self.store.histories, since)

    async def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Update]:
        """Poll the journal every `interval` seconds for what other processes appended."""
        import asyncio

        cursor = after
        generation = self.store.generation
        while not self.closed:
            await offload(self.store.poll)
            # Any call may have read the store afresh, not only this poll (a timeline asked
            # for after another process compacted): a new snapshot means a whole new queue.
            fresh = self.store.generation != generation
            changes = None if fresh else self.store.changes_after(cursor)
            if changes is None:
                queue = self.store.queue()
                cursor, generation = queue.revision, queue.snapshot
                yield Update(changes=[], queue=queue)
            elif changes:
                cursor = changes[-1].revision
                yield Update(changes=changes)
            await asyncio.sleep(interval)

    async def execute(
        self,
        command: AnyCommand,
        *,
        actor: str | None,
        expected_version: int | None = None,
        queue_offline: bool = False,  # a local store is never offline
        request_key: str | None = None,
    ) -> list[Change]:
        """`JournalStore.execute`: with a `request_key` already recorded, the changes recorded
        for it, and nothing new."""
        return await offload(self.store.execute, command, actor, expected_version, request_key)

    async def escalate_due(self) -> list[Change]:
        """Record the auto-escalations that are due now."""
        return await offload(self.store.escalate_due)

    async def compact(self, archive_after: timedelta = DEFAULT_ARCHIVE_AFTER) -> str:
        return await offload(self.store.compact, archive_after)

    async def replace_directory(self, directory: Directory) -> str:
        return await offload(self.store.replace_directory, directory)

    async def close(self) -> None:
        self.closed = True
