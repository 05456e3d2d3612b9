"""The journal store behind the service's ports (`EventStore`, `Transaction`).

A journal store blocks on files: its coroutines never suspend (`blocking`), and whoever calls
them from an event loop runs them in a worker thread (`inline.offload(run_inline, ...)`), whole,
so that the writer lock is taken and let go in one thread. Following is the exception: it polls
the journal for what other processes appended, and wakes at once for what this process wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.stores.inline import offload, running_loop, woken_or_waited
from esctui.stores.journal import store as journal
from esctui.stores.journal.alert_index import AlertIndex
from esctui.stores.journal.files import LOCK_WAIT
from esctui.stores.journal.lead import Leads
from esctui.stores.journal.request_keys import tagged
from esctui.stores.journal.store import DEFAULT_ARCHIVE_AFTER, Clock, JournalStore
from esctui.stores.records import (
    Change,
    Followed,
    IncidentHistory,
    Queue,
    RecordedRequest,
)


class JournalTransaction:
    """The store held by this process's writer lock, caught up with the files."""

    def __init__(self, store: JournalStore, alerts: AlertIndex | None = None) -> None:
        self.store = store
        self.ids_given = 0
        self.alerts = alerts or AlertIndex()

    @property
    def directory(self) -> Directory:
        return self.store.directory

    async def incident(self, incident_id: str) -> Incident | None:
        return self.store.incidents.get(incident_id)

    async def archived(self, incident_id: str) -> bool:
        return self.store.archive.find(incident_id) is not None

    async def unarchive(self, incident_id: str) -> Incident | None:
        return self.store.restore(incident_id)

    async def timeline(self, incident_id: str) -> list[AnyEvent]:
        return self.store.timeline(incident_id)

    async def alerted(self, integration: str, key: str) -> Incident | None:
        return self.alerts.find(self.store, integration, key)

    async def recorded(self, key: str) -> RecordedRequest | None:
        entry = self.store.keys.recorded().get(key)
        if entry is None:
            return None
        return RecordedRequest(fingerprint=entry.tag, changes=list(entry.changes))

    async def next_id(self) -> str:
        self.ids_given += 1
        return self.store.next_id()

    async def open_incidents(self) -> list[Incident]:
        return [incident for incident in self.store.incidents.values() if incident.is_open]

    async def append(
        self, events: list[AnyEvent], request: tuple[str, str] | None = None
    ) -> list[Change]:
        key = None if request is None else tagged(*request)
        return self.store.append(events, key)

    async def put_directory(self, directory: Directory) -> None:
        self.store.put_directory(directory)


class JournalEvents:
    """A store directory on this machine (`--store DIR`), as the service's `EventStore`."""

    kind = "journal"
    blocking = True  # its coroutines never suspend: they block on files instead

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        lock_wait: float = LOCK_WAIT,
        store: JournalStore | None = None,
    ) -> None:
        """The store directory at `path` (or this process's view of it already made)."""
        self.store = store or JournalStore(path, clock, lock_wait=lock_wait)
        self.closings = 0  # each `close` ends the followers of the moment
        self.alerts = AlertIndex()  # which incident monitoring's alerts map to
        # Followers in this process, woken as soon as it appends (from whichever thread).
        self.wakers: set[Callable[[], None]] = set()
        self.leadership = Leads(self.store.path)

    @property
    def location(self) -> str:
        return str(self.store.path)

    async def read(self) -> Queue:
        self.store.poll()
        return self.store.queue()

    async def history(self, incident_id: str) -> IncidentHistory | None:
        return self.store.history(incident_id)

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        return self.store.histories(since)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[JournalTransaction]:
        with self.writing() as tx:
            yield tx

    @contextlib.contextmanager
    def writing(self) -> Iterator[JournalTransaction]:
        store = self.store
        with store.writing():
            seen = (store.revision, store.generation)
            yield JournalTransaction(store, self.alerts)
            if store.lines >= journal.COMPACT_AFTER_LINES:
                store.fold(store.clock(), DEFAULT_ARCHIVE_AFTER)
        if (store.revision, store.generation) != seen:
            self.wake_followers()

    def wake_followers(self) -> None:
        for wake in list(self.wakers):
            wake()

    async def due(self, now: datetime) -> list[str]:
        self.store.poll()
        return self.store.due(now)

    async def alerted_now(self, integration: str, key: str) -> Incident | None:
        self.store.poll()  # a reader's look: no lock
        return self.alerts.find(self.store, integration, key)

    async def compact(self, archive_after: timedelta = DEFAULT_ARCHIVE_AFTER) -> str:
        """Fold the journal into a new snapshot and archive incidents resolved more than
        `archive_after` ago; a one-line summary."""
        summary = self.store.compact(archive_after)
        self.wake_followers()
        return summary

    async def leads(self, work: str) -> bool:
        """Whether this process leads `work` among all that open the store (see lead.py)."""
        return self.leadership.leads(work)

    async def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Followed]:
        """What any process appended after revision `after`: this process's appends at once,
        other processes' within `interval` seconds."""
        import asyncio

        loop: Any = running_loop()
        woken = asyncio.Event()

        def wake() -> None:
            loop.call_soon_threadsafe(woken.set)

        self.wakers.add(wake)
        store = self.store
        if not store.loaded:  # the snapshot this follower starts within
            await offload(store.load)
        cursor = after
        generation = store.generation
        closings = self.closings
        try:
            while self.closings == closings:
                await offload(store.poll)
                # Any call may have read the store afresh, not only this poll (a timeline
                # asked for after another process compacted): a new snapshot is a whole queue.
                fresh = store.generation != generation
                changes = None if fresh else store.changes_after(cursor)
                if changes is None:
                    queue = store.queue()
                    cursor, generation = queue.revision, queue.snapshot
                    yield Followed(changes=[], queue=queue)
                elif changes:
                    cursor = changes[-1].revision
                    yield Followed(changes=changes)
                await woken_or_waited(woken, interval)
                woken.clear()
        finally:
            self.wakers.discard(wake)

    async def close(self) -> None:
        self.closings += 1
        self.wake_followers()
        self.leadership.let_go()
