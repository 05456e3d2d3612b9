"""Moving a journal store into a PostgreSQL database and back out, keeping ids, versions,
revisions, tokens and recorded requests; and a database that holds anything is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from acting import execute
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain import lifecycle
from esctui.domain.models import Status
from esctui.service.incidents import fingerprint
from esctui.stores.journal import JournalStore, create_store
from esctui.stores.journal.tokens import TokenBook
from esctui.stores.postgres import PostgresStore, create, take_out
from esctui.stores.records import StoreError, StoreExists
from esctui.stores.transfer import EVER, export_journal, import_journal

from .conftest import NOW, team
from .test_contract import run

LATELY = timedelta(days=14)


def demo_journal(path: Path, now: datetime) -> JournalStore:
    directory, events = build_demo(40, seed=5, now=now)
    create_store(path, directory, events, now=now)
    TokenBook(path).create("frank", now)
    TokenBook(path).create("grace", now, admin=True)
    store = JournalStore(path)
    store.load()
    return store


def test_a_journal_store_moved_in_and_out_again_is_the_same(tmp_path: Path, database: str) -> None:
    now = datetime.now(UTC)
    original = demo_journal(tmp_path / "journal", now)

    async def scenario() -> Any:
        moved = await import_journal(original.path, database)
        store = await PostgresStore.open(database, clock=lambda: now)
        seen = await store.read(), await store.histories(EVER), await store.tokens.records()
        await store.close()
        await export_journal(database, tmp_path / "exported", now)
        return moved, seen

    moved, (queue, histories, tokens) = run(scenario())
    exported = JournalStore(tmp_path / "exported")
    exported.load()
    before, after = original.queue(), exported.queue()
    assert moved.summary() == (
        f"40 incidents ({before.revision} events, revision {before.revision}), 2 tokens and 0 "
        "recorded requests"
    )
    # The database's view: the same incidents, timelines, tokens and revision.
    assert histories == original.histories(EVER)
    assert tokens == TokenBook(original.path).records()
    assert queue.revision == before.revision
    assert queue.directory == before.directory
    assert queue.incidents == {
        i.id: i
        for i in before.incidents.values()
        if i.is_open or (i.resolved_at is not None and i.resolved_at >= now - LATELY)
    }
    # And out again: the same store.
    assert after.incidents == before.incidents
    assert (after.revision, after.directory) == (before.revision, before.directory)
    assert exported.histories(EVER) == original.histories(EVER)
    assert TokenBook(exported.path).records() == TokenBook(original.path).records()


def test_a_compacted_journal_keeps_its_archive_and_recorded_requests(
    tmp_path: Path, database: str
) -> None:
    now = datetime.now(UTC)
    journal = demo_journal(tmp_path / "journal", now)
    open_ids = sorted(i.id for i in journal.queue().incidents.values() if i.is_open)
    # Written by a host whose clock ran two days slow: its revision is not its place in time.
    slow = JournalStore(journal.path, clock=lambda: now - timedelta(days=2))
    [before] = execute(slow, c.AddNote(incident=open_ids[0], text="one"), "frank", key="k-1")
    journal.compact(timedelta(days=1))  # archives what was resolved before yesterday
    [after] = execute(journal, c.AddNote(incident=open_ids[1], text="two"), "frank", key="k-2")
    execute(journal, c.AddNote(incident=open_ids[2], text="three"), "frank")
    archived = [
        h for h in journal.histories(EVER) if h.incident.id not in journal.queue().incidents
    ]

    async def scenario() -> Any:
        await import_journal(journal.path, database)
        store = await PostgresStore.open(database, clock=lambda: now)
        async with store.transaction() as tx:
            answers = [await tx.recorded(key) for key in ("k-1", "k-2")]
        queue = await store.read()
        await store.close()
        return answers, queue, await take_out(database)

    answers, queue, holdings = run(scenario())
    assert archived, "the demo has incidents resolved before yesterday"
    assert [answer.changes for answer in answers] == [[before], [after]]
    assert [answer.fingerprint for answer in answers] == [
        fingerprint(c.AddNote(incident=open_ids[0], text="one"), "frank"),
        fingerprint(c.AddNote(incident=open_ids[1], text="two"), "frank"),
    ]
    assert queue.revision == journal.queue().revision
    assert [change.revision for change in holdings.changes] == list(range(1, queue.revision + 1))
    timelines = {}
    for change in holdings.changes:
        timelines.setdefault(change.event.incident, []).append(change.event)
    assert all(timelines[h.incident.id] == h.timeline for h in journal.histories(EVER))
    assert holdings.next_number == 1041


def test_a_database_that_holds_anything_is_refused(tmp_path: Path, database: str) -> None:
    journal = demo_journal(tmp_path / "journal", NOW)
    triggered = lifecycle.decide(
        None,
        c.Trigger(title="disk full", service="api", severity=2),
        lifecycle.Context(team(), NOW, "alice", new_id="INC-1001"),
    )

    async def scenario() -> Any:
        await create(database, team(), triggered)
        with pytest.raises(StoreExists) as refused:
            await import_journal(journal.path, database)
        store = await PostgresStore.open(database, clock=lambda: NOW)
        queue = await store.read()
        await store.close()
        return str(refused.value), queue

    refused, queue = run(scenario())
    assert refused == (
        f"The database {database} already holds 1 incident; a store is moved only into an "
        "empty database. Nothing was changed."
    )
    assert queue.directory == team()
    assert [i.status for i in queue.incidents.values()] == [Status.TRIGGERED]


def test_a_database_with_only_a_directory_is_refused_too(tmp_path: Path, database: str) -> None:
    journal = demo_journal(tmp_path / "journal", NOW)
    run(create(database, team(), []))
    with pytest.raises(StoreExists, match="already holds a directory; "):
        run(import_journal(journal.path, database))


def test_no_journal_store_there_leaves_the_database_alone(tmp_path: Path, database: str) -> None:
    with pytest.raises(StoreError, match="There is no esctui store at"):
        run(import_journal(tmp_path / "nothing", database))
    with pytest.raises(StoreError, match="has no esctui schema yet"):
        run(PostgresStore.open(database))
