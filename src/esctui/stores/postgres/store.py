"""The PostgreSQL store: where incidents live when several processes share one database.

Events go to an append-only table with a global revision; the state of every incident is kept
beside them, with what the queue and auto-escalation look for (open, resolved when, escalates
when) in columns of their own. Transactions and reads take connections from a pool; following
listens on a connection of its own (follow.py). What the store decides: nothing (see
`service/`); it keeps events and states safely.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import asyncpg

from esctui.domain.models import Directory, Incident
from esctui.stores.postgres import codec, schema
from esctui.stores.postgres.connection import (
    LINK_ERRORS,
    check_url,
    create_pool,
    link_lost,
    sentence,
    translated,
    url_without_password,
)
from esctui.stores.postgres.follow import Listener, follow_changes
from esctui.stores.postgres.integrations import PostgresIntegrations
from esctui.stores.postgres.leader import Leadership
from esctui.stores.postgres.pages import PostgresPages
from esctui.stores.postgres.tokens import PostgresTokens
from esctui.stores.postgres.transaction import ALERTED, DIRECTORY_LOCK, PostgresTransaction, kept
from esctui.stores.records import Change, Followed, IncidentHistory, Queue, StoreError

T = TypeVar("T")
Clock = Callable[[], datetime]

# An incident resolved within this long is in the queue and may be reopened; one resolved
# earlier is archived (unless follow-ups of its review are open): kept with its timeline
# (history, reports), changeable only by a late review or follow-up (see `unarchive`). The
# same span as the journal store's default archiving (`compact --archive-after 14d`).
RECENTLY_RESOLVED = timedelta(days=14)
POOL_SIZE = 10
CLOSE_TIMEOUT = 10.0

BEGIN = "BEGIN; SELECT pg_advisory_xact_lock_shared({}, {})".format(*DIRECTORY_LOCK)
# The directory's JSON only when it is not the one already decoded.
DIRECTORY = (
    "SELECT snapshot, CASE WHEN snapshot = $1 THEN NULL ELSE directory::text END FROM directory"
)
QUEUE = (
    "SELECT '[' || coalesce(string_agg(state::text, ',' ORDER BY number), '') || ']'"
    f" FROM incidents WHERE {kept('$1')}"
)
# Incidents with their timelines, as the JSON of a list of `IncidentHistory`.
HISTORIES = """
SELECT '[' || coalesce(string_agg(
    '{"incident":' || i.state::text || ',"timeline":' || t.events || '}', ',' ORDER BY i.number
), '') || ']'
FROM incidents i CROSS JOIN LATERAL (
    SELECT '[' || string_agg(e.event::text, ',' ORDER BY e.version) || ']' AS events
    FROM events e WHERE e.incident = i.id
) t
"""
# The newest incident an integration's alerts opened under a key, holding nothing.
ALERTED_NOW = ALERTED.removesuffix(" FOR UPDATE\n") + "\n"
# The last revision, the snapshot in force, and the changes after a revision (at most $2) as
# the JSON of a list of `Change`, as of one moment.
SINCE = """
SELECT c.revision, d.snapshot, (
    SELECT '[' || coalesce(string_agg(
        '{"revision":' || revision || ',"event":' || event::text || '}', ',' ORDER BY revision
    ), '') || ']'
    FROM (SELECT revision, event FROM events WHERE revision > $1 ORDER BY revision LIMIT $2) e
)
FROM counters c, directory d
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


class PostgresStore:
    """A PostgreSQL database holding esctui's schema (`esctui db migrate`). Made without
    connecting; the first call connects (in the running event loop) and checks the schema, or
    `await PostgresStore.open(url)` does both at once. One per process is plenty (it pools its
    connections)."""

    kind = "postgres"
    blocking = False  # its coroutines wait on the network, and let the loop run meanwhile

    def __init__(self, url: str, *, clock: Clock | None = None, size: int = POOL_SIZE) -> None:
        self.url = check_url(url)
        self.size = size
        self.pool_: asyncpg.Pool | None = None
        self.starting: asyncio.Lock | None = None
        self.clock = clock or utc_now
        self.location = url_without_password(url)
        self.listener = Listener(url, self.location)
        self.tokens = PostgresTokens(self)
        self.integrations = PostgresIntegrations(self)
        self.pages = PostgresPages(self)
        self.known: tuple[str, Directory] = ("", Directory())
        self.leaderships: dict[str, Leadership] = {}

    @classmethod
    async def open(
        cls, url: str, *, clock: Clock | None = None, size: int = POOL_SIZE
    ) -> PostgresStore:
        """The store in the database at `url`, connected; `StoreError` if it cannot be
        reached or its schema is not the one this esctui knows."""
        store = cls(url, clock=clock, size=size)
        await store.connected()
        return store

    async def connected(self) -> asyncpg.Pool:
        """The pool, made and the schema checked on first use."""
        if self.pool_ is not None:
            return self.pool_
        if self.starting is None:
            self.starting = asyncio.Lock()
        async with self.starting:
            if self.pool_ is None:
                pool = await create_pool(self.url, self.size)
                try:
                    with translated(self.location):
                        async with pool.acquire() as connection:
                            await schema.check(connection, self.location)
                except BaseException:
                    pool.terminate()
                    raise
                self.pool_ = pool
        return self.pool_

    # -- reading -------------------------------------------------------------------------

    async def run(
        self, work: Callable[[asyncpg.Connection], Awaitable[T]], *, again: bool = True
    ) -> T:
        """`work` on a pooled connection. A connection found dead (PostgreSQL restarted since
        it was last used) is replaced and `work` tried once more, unless `again` is False
        (work that must not happen twice)."""
        for attempt in (1, 2):
            try:
                pool = await self.connected()
                async with pool.acquire() as connection:
                    return await work(connection)
            except StoreError:
                raise
            except LINK_ERRORS as error:
                if attempt == 2 or not again:
                    raise StoreError(sentence(self.location, error)) from error
            except asyncpg.PostgresError as error:
                raise StoreError(sentence(self.location, error)) from error
        raise AssertionError("unreachable")

    async def read(self) -> Queue:
        return await self.run(self.read_queue)

    async def read_queue(self, connection: asyncpg.Connection) -> Queue:
        # One snapshot for the directory, the states and the revision.
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            revision = await connection.fetchval("SELECT revision FROM counters")
            snapshot, directory = await self.directory(connection)
            states = await connection.fetchval(QUEUE, self.clock() - RECENTLY_RESOLVED)
        incidents = codec.incidents_decoder.decode(states)
        return Queue(
            directory=directory,
            incidents={incident.id: incident for incident in incidents},
            revision=revision,
            snapshot=snapshot,
        )

    async def directory(self, connection: asyncpg.Connection) -> tuple[str, Directory]:
        """The directory in force and its snapshot, decoded only when it changed since the
        store last read it."""
        known = self.known
        snapshot, data = await connection.fetchrow(DIRECTORY, known[0])
        if data is None:
            return known
        self.known = (snapshot, codec.directory_decoder.decode(data))
        return self.known

    async def history(self, incident_id: str) -> IncidentHistory | None:
        async def look(connection: asyncpg.Connection) -> list[IncidentHistory]:
            data = await connection.fetchval(HISTORIES + " WHERE i.id = $1", incident_id)
            return codec.histories_decoder.decode(data)

        found = await self.run(look)
        return found[0] if found else None

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        async def look(connection: asyncpg.Connection) -> list[IncidentHistory]:
            data = await connection.fetchval(
                HISTORIES + " WHERE i.created_at >= $1 OR i.resolved_at >= $1", since
            )
            return codec.histories_decoder.decode(data)

        return await self.run(look)

    async def due(self, now: datetime) -> list[str]:
        async def look(connection: asyncpg.Connection) -> list[str]:
            rows = await connection.fetch(
                "SELECT id FROM incidents WHERE escalate_at <= $1 ORDER BY escalate_at, number",
                now,
            )
            return [row[0] for row in rows]

        return await self.run(look)

    async def alerted_now(self, integration: str, key: str) -> Incident | None:
        async def look(connection: asyncpg.Connection) -> str | None:
            found: str | None = await connection.fetchval(
                ALERTED_NOW, integration, key, self.clock() - RECENTLY_RESOLVED
            )
            return found

        state = await self.run(look)
        return None if state is None else codec.incident_decoder.decode(state)

    # -- following -----------------------------------------------------------------------

    def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Followed]:
        """Changes after revision `after`, woken by NOTIFY and looking every `interval`
        seconds all the same (see follow.py)."""
        return follow_changes(self, after, interval)

    async def changes_since(self, revision: int, limit: int) -> tuple[int, str, list[Change]]:
        """The last revision committed, the snapshot (directory) in force, and up to `limit`
        changes after `revision`, oldest first: one statement, one round trip."""

        async def look(connection: asyncpg.Connection) -> tuple[int, str, list[Change]]:
            last, snapshot, changes = await connection.fetchrow(SINCE, revision, limit)
            return last, snapshot, codec.changes_decoder.decode(changes)

        return await self.run(look)

    # -- leading -------------------------------------------------------------------------

    async def leads(self, work: str) -> bool:
        """Whether this process leads `work` among all that share the database: it holds a
        session advisory lock for it on a connection of its own (see leader.py)."""
        lead = self.leaderships.get(work)
        if lead is None:
            lead = self.leaderships[work] = Leadership(self.url, work)
        return await lead.try_once()

    # -- writing -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        """A PostgreSQL transaction (see transaction.py): committed when the block ends,
        rolled back if it raises."""
        connection, directory = await self.begin()
        try:
            archived_before = self.clock() - RECENTLY_RESOLVED
            try:
                yield PostgresTransaction(connection, directory, archived_before, self.location)
            except BaseException:
                await rollback(connection)
                raise
            await commit(connection, self.location)
        finally:
            await self.release(connection)

    async def begin(self) -> tuple[asyncpg.Connection, Directory]:
        """A pooled connection in a new transaction that holds the directory shared, and the
        directory. A pooled connection found dead is replaced once (nothing was done on it)."""
        for attempt in (1, 2):
            pool = await self.connected()
            with translated(self.location):
                connection = await pool.acquire()
            try:
                await connection.execute(BEGIN)
                _, directory = await self.directory(connection)
                return connection, directory
            except (asyncpg.PostgresError, *LINK_ERRORS) as error:
                await rollback(connection)
                await self.release(connection)
                if attempt == 2 or not link_lost(error):
                    raise StoreError(sentence(self.location, error)) from error
            except BaseException:
                # Cancelled while beginning (the process stopping): the connection goes back
                # (asyncpg waits out the cancelled query), or closing the pool waits for it.
                await self.release(connection)
                raise
        raise AssertionError("unreachable")

    async def release(self, connection: asyncpg.Connection) -> None:
        try:
            assert self.pool_ is not None
            await self.pool_.release(connection)
        except (asyncpg.PostgresError, *LINK_ERRORS):
            pass  # the pool has dropped it; the next acquire connects afresh

    async def close(self) -> None:
        await self.listener.close()
        leaderships, self.leaderships = self.leaderships, {}
        for lead in leaderships.values():
            await lead.release()
        pool, self.pool_ = self.pool_, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT)
        except (asyncpg.PostgresError, *LINK_ERRORS, TimeoutError):
            pool.terminate()


async def commit(connection: asyncpg.Connection, location: str) -> None:
    try:
        await connection.execute("COMMIT")
    except (asyncpg.PostgresError, *LINK_ERRORS) as error:
        # Whether a commit whose answer was lost took effect, only the database knows.
        outcome = "it may or may not have been recorded: look before you retry"
        if not link_lost(error):
            outcome = "nothing was recorded"
        raise StoreError(f"{sentence(location, error)[:-1]}; {outcome}.") from error


async def rollback(connection: asyncpg.Connection) -> None:
    """Undo the transaction on `connection`; one that cannot be undone (the link is gone) is
    dropped, and PostgreSQL undoes it when it notices. (A connection that closed has gone back
    to the pool by itself, and refuses every call.)"""
    try:
        if not connection.is_closed():
            await connection.execute("ROLLBACK")
    except (asyncpg.PostgresError, *LINK_ERRORS):
        with contextlib.suppress(*LINK_ERRORS):
            connection.terminate()
