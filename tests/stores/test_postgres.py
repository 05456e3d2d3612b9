"""What is PostgreSQL's own in the PostgreSQL store: its schema and migrations, what it says
when the database cannot be used, incidents archived by age, a connection lost in the middle
of a transaction, and following across a restart of PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.models import CauseCategory
from esctui.stores.postgres import PostgresStore, migrate, schema
from esctui.stores.postgres.transaction import DIRECTORY_LOCK
from esctui.stores.records import Change, StoreError
from live_postgres import Postgres, free_port

from .conftest import NOW, PostgresPlace, act, team, trigger
from .test_contract import run

# Every migration esctui ships, oldest first.
SHIPPED = [f"{m.version:04d}_{m.name}" for m in schema.migrations()]


def test_a_new_database_is_migrated_once(database: str) -> None:
    async def scenario() -> Any:
        first = await migrate(database)
        again = await migrate(database)
        store = await PostgresStore.open(database)
        queue = await store.read()
        await store.close()
        return first, again, queue

    first, again, queue = run(scenario())
    assert first == SHIPPED
    assert first[:2] == ["0001_initial", "0002_intake"]
    assert again == []
    assert (queue.revision, queue.incidents) == (0, {})


def test_two_migrations_at_once_apply_it_once(database: str) -> None:
    async def scenario() -> Any:
        return await asyncio.gather(migrate(database), migrate(database))

    assert sorted(run(scenario())) == [[], SHIPPED]


def test_a_database_without_the_schema_is_told_to_migrate(database: str) -> None:
    with pytest.raises(StoreError) as refused:
        run(PostgresStore.open(database))
    assert str(refused.value) == (
        f"The database {database} has no esctui schema yet: run `esctui db migrate` (or "
        "`esctui db import --from DIR` to move a journal store into it)."
    )


def test_a_database_migrated_by_a_newer_esctui_is_refused(database: str) -> None:
    async def scenario() -> Any:
        await migrate(database)
        connection = await asyncpg.connect(database)
        await connection.execute("INSERT INTO schema_migrations VALUES (99, 'future')")
        await connection.close()
        refusals = []
        for attempt in (PostgresStore.open(database), migrate(database)):
            with pytest.raises(StoreError) as refused:
                await attempt
            refusals.append(str(refused.value))
        return refusals

    sentence = (
        f"The database {database} was migrated by a newer esctui (schema 99; this one knows up "
        f"to {schema.LATEST}); upgrade esctui."
    )
    assert run(scenario()) == [sentence, sentence]


def test_a_database_behind_this_esctui_is_told_to_migrate(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(migrate(database))
    monkeypatch.setattr(schema, "LATEST", schema.LATEST + 1)
    with pytest.raises(StoreError) as refused:
        run(PostgresStore.open(database))
    assert str(refused.value) == (
        f"The database {database} is at schema {schema.LATEST - 1}; this esctui needs "
        f"{schema.LATEST}: run `esctui db migrate`."
    )


def test_a_database_out_of_reach_is_a_sentence_without_the_password() -> None:
    port = free_port()
    url = f"postgresql://esctui:s3cret@127.0.0.1:{port}/oncall?sslmode=disable&password=s3cret"
    with pytest.raises(StoreError) as refused:
        run(PostgresStore.open(url))
    message = str(refused.value)
    assert message == (
        f"Cannot reach the database postgresql://esctui@127.0.0.1:{port}/oncall"
        "?sslmode=disable: the connection was refused (is PostgreSQL running?)."
    )
    assert "s3cret" not in message


def test_a_database_that_does_not_exist_is_a_sentence(postgres: Postgres) -> None:
    url = postgres.url("no_such_database")
    with pytest.raises(StoreError) as refused:
        run(PostgresStore.open(url))
    assert str(refused.value) == (
        f"There is no database {url}: create it (createdb), then `esctui db migrate`."
    )


def test_a_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(StoreError, match="^'mysql://db/oncall' is not a PostgreSQL URL"):
        run(PostgresStore.open("mysql://db/oncall"))


def test_incidents_resolved_long_ago_are_archived(database: str) -> None:
    place = PostgresPlace(database)
    long_ago, lately = NOW - timedelta(days=15), NOW - timedelta(days=13)

    async def scenario() -> Any:
        await place.create(team(), [])
        store = await place.open()
        async with store.transaction() as tx:
            old = (await trigger(tx, "old", at=long_ago))[0].event.incident
            await act(tx, c.Resolve(incident=old), at=long_ago)
            recent = (await trigger(tx, "recent", at=lately))[0].event.incident
            await act(tx, c.Resolve(incident=recent), at=lately)
        async with store.transaction() as tx:
            seen = (await tx.incident(old), await tx.archived(old), await tx.archived(recent))
            reopened = await act(tx, c.Reopen(incident=recent))
        queue, history = await store.read(), await store.history(old)
        await store.close()
        return old, recent, seen, reopened, queue, history

    old, recent, seen, reopened, queue, history = run(scenario())
    assert seen == (None, True, False)
    assert reopened[0].event.version == 3
    assert list(queue.incidents) == [recent]
    assert history.incident.id == old
    assert len(history.timeline) == 2


def test_migrating_keeps_old_incidents_whose_follow_ups_are_open(database: str) -> None:
    """A database from before follow-ups kept incidents: the migration finds the incidents
    with follow-up actions open, which stay in the queue however long ago they were
    resolved."""
    long_ago = NOW - timedelta(days=20)
    place = PostgresPlace(database, now=long_ago)
    fix = c.FollowUpItem(action="Alert at 80%", owner="bob", due=NOW.date())

    async def scenario() -> Any:
        await place.create(team(), [])
        store = await place.open()
        ids = []
        async with store.transaction() as tx:
            for items in ((fix,), ()):
                incident = (await trigger(tx, "old", at=long_ago))[0].event.incident
                await act(tx, c.Resolve(incident=incident), at=long_ago)
                await act(tx, review(incident, items), at=long_ago)
                ids.append(incident)
        await store.close()
        connection = await asyncpg.connect(database)
        await connection.execute(
            "ALTER TABLE incidents DROP COLUMN follows_up;"
            " DELETE FROM schema_migrations WHERE version = 4"
        )
        await connection.close()
        applied = await migrate(database)
        place.now = NOW
        store = await place.open()
        queue = await store.read()
        await store.close()
        return ids, applied, queue

    (kept, gone), applied, queue = run(scenario())
    assert applied == [SHIPPED[3]]
    assert SHIPPED[3] == "0004_follow_ups_kept"
    assert kept in queue.incidents
    assert gone not in queue.incidents


def review(incident: str, items: tuple[c.FollowUpItem, ...]) -> c.RecordReview:
    return c.RecordReview(
        incident=incident, cause=CauseCategory.CAPACITY, summary="Disk filled", follow_ups=items
    )


def test_a_connection_lost_mid_transaction_records_nothing(database: str) -> None:
    place = PostgresPlace(database)

    async def scenario() -> Any:
        await place.create(team(), [])
        store = await place.open()

        async def lose_the_connection() -> None:
            async with store.transaction() as tx:
                await trigger(tx, "first")
                backend = await tx.connection.fetchval("SELECT pg_backend_pid()")
                other = await asyncpg.connect(database)
                await other.execute("SELECT pg_terminate_backend($1)", backend)
                await other.close()
                await trigger(tx, "second")

        with pytest.raises(StoreError) as lost:
            await lose_the_connection()
        # The pool makes a new connection; the revisions the lost one took are not spent.
        async with store.transaction() as tx:
            later = await trigger(tx, "third")
        queue = await store.read()
        await store.close()
        return str(lost.value), later, queue

    message, later, queue = run(scenario())
    assert message.startswith(f"Lost the connection to the database {database}")
    assert message.endswith("; nothing was recorded.")
    assert [change.revision for change in later] == [1]
    assert [incident.title for incident in queue.incidents.values()] == ["third"]


def test_a_transaction_cancelled_while_it_begins_gives_its_connection_back(database: str) -> None:
    """A process stopping cancels what it was doing: a transaction waiting to begin (here on a
    directory being replaced elsewhere) hands its connection back, or closing the store waits
    for it (`esctui notify` took 10 s to stop)."""
    place = PostgresPlace(database)

    async def scenario() -> tuple[int, int]:
        await place.create(team(), [])
        store = await place.open()
        pool = await store.connected()
        replacing = await asyncpg.connect(database)
        await replacing.execute("SELECT pg_advisory_lock($1, $2)", *DIRECTORY_LOCK)

        async def begin() -> None:
            async with store.transaction():
                raise AssertionError("began while the directory was being replaced")

        task = asyncio.create_task(begin())
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        while not await replacing.fetchval(waiting):
            await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await replacing.close()
        sizes = pool.get_idle_size(), pool.get_size()
        await store.close()
        return sizes

    idle, size = run(scenario())
    assert idle == size


def test_an_error_in_the_block_undoes_what_it_appended(database: str) -> None:
    place = PostgresPlace(database)

    async def scenario() -> Any:
        await place.create(team(), [])
        store = await place.open()

        async def change_its_mind() -> None:
            async with store.transaction() as tx:
                await trigger(tx, "undone", request=("alice\x1fk-1", "fingerprint-1"))
                raise DomainError("refused after all")

        with pytest.raises(DomainError, match="refused after all"):
            await change_its_mind()
        queue = await store.read()
        async with store.transaction() as tx:
            recorded = await tx.recorded("alice\x1fk-1")
        await store.close()
        return queue, recorded

    queue, recorded = run(scenario())
    assert (queue.revision, queue.incidents, recorded) == (0, {}, None)


def test_a_follower_resumes_across_a_restart_of_postgresql(
    postgres: Postgres, database: str
) -> None:
    """It waits for notifications only (`interval` is long), so what it yields after the
    restart comes from listening again and reading what it missed from the events table."""
    place = PostgresPlace(database)

    async def scenario() -> Any:
        await place.create(team(), [])
        watching, writer = await place.open(), await place.open()
        follower = watching.follow(0, interval=120)
        appended: list[Change] = []
        seen: list[Change] = []

        async def append(title: str) -> None:
            async with writer.transaction() as tx:
                appended.extend(await trigger(tx, title))

        async def catch_up() -> None:
            while not seen or seen[-1].revision < appended[-1].revision:
                seen.extend((await anext(follower)).changes)

        await append("before")
        await catch_up()
        await asyncio.to_thread(postgres.restart)
        await append("while it listens again")  # the writer's pool connects afresh
        await append("and another")
        await catch_up()
        await append("after")
        await catch_up()
        await follower.aclose()  # type: ignore[attr-defined]
        await watching.close()
        await writer.close()
        return appended, seen

    appended, seen = run(scenario())
    assert seen == appended
    assert [change.revision for change in seen] == [1, 2, 3, 4]
