"""The journal store behind the async `Backend` protocol the faces call.

Inside an event loop (the TUI, the server) file work runs in a worker thread, so the loop never
waits on `fsync`; writes have threads of their own, so writers waiting for another process's
lock never leave readers without one. Outside an event loop (a CLI command), the same coroutines
run straight through without ever suspending, and a one-shot command does not pay for starting
asyncio at all.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from esctui.backends.base import Change, IncidentHistory, Link, Queue, Update
from esctui.backends.journal.files import LOCK_WAIT
from esctui.backends.journal.store import DEFAULT_ARCHIVE_AFTER, Clock, JournalStore
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Directory

if TYPE_CHECKING:
    from concurrent.futures import Executor  # not imported by one-shot commands

T = TypeVar("T")

# Writes at once inside one process (the server's requests): the lock lets one through at a
# time, the others wait their bounded time for it in a thread each.
WRITER_THREADS = 16


async def offload(
    work: Callable[..., T], *args: object, threads: Callable[[], Executor] | None = None
) -> T:
    """`work(*args)` in a worker thread when an asyncio loop is running (one of `threads()`,
    else the loop's own), else right here."""
    asyncio = sys.modules.get("asyncio")
    try:
        loop = asyncio.get_running_loop() if asyncio is not None else None
    except RuntimeError:
        loop = None
    if loop is None:
        return work(*args)
    executor = threads() if threads is not None else None
    result: T = await loop.run_in_executor(executor, functools.partial(work, *args))
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

    def __init__(
        self, path: Path, *, clock: Clock | None = None, lock_wait: float = LOCK_WAIT
    ) -> None:
        self.store = JournalStore(path, clock, lock_wait=lock_wait)
        self.closed = False
        self.writers: Executor | None = None

    def writer_threads(self) -> Executor:
        """The threads writes run in, made on the first write inside an event loop. Each may
        wait up to `lock_wait` for another process's lock; reads meanwhile take the loop's own
        threads, never these."""
        if self.writers is None:
            from concurrent.futures import ThreadPoolExecutor

            self.writers = ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="esctui-write")
        return self.writers

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
        return await offload(
            self.store.execute,
            command,
            actor,
            expected_version,
            request_key,
            threads=self.writer_threads,
        )

    async def escalate_due(self) -> list[Change]:
        """Record the auto-escalations that are due now."""
        return await offload(self.store.escalate_due, threads=self.writer_threads)

    async def compact(self, archive_after: timedelta = DEFAULT_ARCHIVE_AFTER) -> str:
        return await offload(self.store.compact, archive_after, threads=self.writer_threads)

    async def replace_directory(self, directory: Directory) -> str:
        return await offload(self.store.replace_directory, directory, threads=self.writer_threads)

    async def close(self) -> None:
        self.closed = True
        if self.writers is not None:
            self.writers.shutdown(wait=False)
