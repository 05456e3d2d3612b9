"""Following the database: LISTEN for what any process appends, read it from the events table.

A notification only wakes the followers; what they yield is always read from the events table
("revision > cursor", in order), so a notification lost with a dropped connection loses
nothing. The store's one listening connection is shared by all its followers; when it drops
(PostgreSQL restarted, the network went away) it is made again with backoff, and the followers
are woken to look at the table, where the changes made meanwhile wait. They also look every
`interval` seconds, however quiet the channel. A new directory yields a whole new queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import asyncpg

from esctui.stores.inline import woken_or_waited
from esctui.stores.postgres.connection import LINK_ERRORS, connect
from esctui.stores.postgres.transaction import CHANNEL
from esctui.stores.records import Followed, StoreError

if TYPE_CHECKING:
    from esctui.stores.postgres.store import PostgresStore

log = logging.getLogger("esctui.stores.postgres")

# Changes read (and yielded) at once; a follower far behind catches up in batches.
BATCH = 1000
# Waits between attempts to reach the database again: doubling from the first to the last.
FIRST_WAIT, LAST_WAIT = 0.1, 5.0
# A quiet listening connection is asked for a sign of life this often: a connection that
# died without a word (a host gone, a cable cut) is noticed and made again.
PING_EVERY, PING_TIMEOUT = 10.0, 5.0


class Listener:
    """The store's LISTEN connection: made when the first follower starts, woken followers on
    every notification and whenever it had to be made again."""

    def __init__(self, url: str, location: str) -> None:
        self.url = url
        self.location = location
        self.followers: set[asyncio.Event] = set()
        self.task: asyncio.Task[None] | None = None

    def subscribe(self) -> asyncio.Event:
        """An event set whenever the follower should look at the events table."""
        woken = asyncio.Event()
        self.followers.add(woken)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.listen(), name="esctui-postgres-listen")
        return woken

    def unsubscribe(self, woken: asyncio.Event) -> None:
        self.followers.discard(woken)

    def wake(self, *_: object) -> None:
        for woken in self.followers:
            woken.set()

    async def listen(self) -> None:
        wait = FIRST_WAIT
        while True:
            try:
                await self.listen_once()
                wait = FIRST_WAIT  # it listened before it dropped
            except StoreError as error:
                log.warning("Cannot listen for changes: %s", error)
            except (asyncpg.PostgresError, *LINK_ERRORS) as error:
                log.warning("Lost the listening connection to %s (%s)", self.location, error)
            self.wake()
            await asyncio.sleep(wait)
            wait = min(wait * 2, LAST_WAIT)

    async def listen_once(self) -> None:
        """Listen until the connection drops."""
        connection = await connect(self.url)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self.wake)
            # Listening now: whatever was appended while it was not is in the table.
            self.wake()
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), PING_EVERY)
                    continue
                await connection.fetchval("SELECT 1", timeout=PING_TIMEOUT)
            log.warning("Lost the listening connection to %s", self.location)
        finally:
            connection.terminate()

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


async def follow_changes(
    store: PostgresStore, after: int, interval: float
) -> AsyncIterator[Followed]:
    """See the module's docstring. A database out of reach is tried again with backoff (and
    said in the log); the follower resumes from its cursor, missing and repeating nothing."""
    cursor = after
    # The snapshot the store last read is the one the follower starts within (else the first
    # look's): one made since (an incident brought back from the archive) is a whole queue.
    snapshot: str | None = store.known[0] or None
    woken = store.listener.subscribe()
    wait = FIRST_WAIT
    try:
        while True:
            woken.clear()  # before looking: a notification from now on wakes the next look
            try:
                revision, current, changes = await store.changes_since(cursor, BATCH)
                if snapshot is None:
                    snapshot = current
                queue = None
                if current != snapshot or revision < cursor:
                    # A new directory; or a cursor this database never reached (restored
                    # from a backup, another database): start again from the whole queue.
                    queue = await store.read()
            except StoreError as error:
                log.warning("%s Following again in %.1f s.", error, wait)
                await wake_or_wait(woken, wait)
                wait = min(wait * 2, LAST_WAIT)
                continue
            wait = FIRST_WAIT
            if queue is not None:
                cursor, snapshot = queue.revision, queue.snapshot
                yield Followed(changes=[], queue=queue)
            elif changes:
                cursor = changes[-1].revision
                yield Followed(changes=changes)
            if len(changes) < BATCH:
                await wake_or_wait(woken, interval)
    finally:
        store.listener.unsubscribe(woken)


async def wake_or_wait(woken: asyncio.Event, seconds: float) -> None:
    await woken_or_waited(woken, seconds)
