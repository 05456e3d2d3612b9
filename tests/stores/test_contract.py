"""What every store must do, asked through the ports only (`service/ports.py`): the service
relies on nothing else. Each test runs against every store in `STORES` (conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import msgspec
import pytest

from esctui.domain import commands as c
from esctui.domain import lifecycle
from esctui.domain.errors import DomainError
from esctui.domain.events import Acknowledged
from esctui.domain.models import Responder
from esctui.service.ports import EventStore
from esctui.stores.records import Change, RecordedRequest

from .conftest import NOW, Place, act, alongside, team, trigger

T = TypeVar("T")
KEY = "alice\x1fk-1"
# A test fails rather than hangs when a store never delivers what it should.
PATIENCE = 20.0


def run(scenario: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(scenario, PATIENCE))


@contextlib.asynccontextmanager
async def opened(place: Place, count: int = 1) -> AsyncIterator[list[EventStore]]:
    """A new store holding the team's directory, and `count` store objects on it (each as
    another process would open it)."""
    await place.create(team(), [])
    stores = [await place.open() for _ in range(count)]
    try:
        yield stores
    finally:
        for store in stores:
            await store.close()


def test_an_empty_store_holds_its_directory_and_nothing_else(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            return await store.read(), await store.due(NOW + timedelta(days=365))

    queue, due = run(scenario())
    assert queue.directory == team()
    assert queue.incidents == {}
    assert queue.revision == 0
    assert due == []


def test_a_trigger_is_kept_and_read_back_by_another_store(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 2) as (writer, reader):
            async with writer.transaction() as tx:
                changes = await trigger(tx, "disk full on db-3")
            incident_id = changes[0].event.incident
            return changes, await reader.read(), await reader.history(incident_id)

    changes, queue, history = run(scenario())
    assert [change.revision for change in changes] == [1]
    incident = queue.incidents[changes[0].event.incident]
    assert (incident.title, incident.version, incident.status) == (
        "disk full on db-3",
        1,
        "triggered",
    )
    assert queue.revision == 1
    assert history.incident == incident
    assert history.timeline == [changes[0].event]


def test_revisions_are_dense_across_transactions_and_stores(store_factory: Place) -> None:
    async def open_one(store: EventStore, title: str) -> list[Change]:
        async with store.transaction() as tx:
            return await trigger(tx, title)

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            first = await open_one(a, "first")
            incident_id = first[0].event.incident
            async with b.transaction() as tx:
                more = await act(tx, c.Acknowledge(incident=incident_id), actor="bob")
                more += await act(tx, c.AddNote(incident=incident_id, text="on it"), actor="bob")
            at_once = await asyncio.gather(*(open_one(s, t) for s in (a, b) for t in "xyz"))
            return first + more + [c for changes in at_once for c in changes], await a.read()

    changes, queue = run(scenario())
    assert sorted(change.revision for change in changes) == list(range(1, 10))
    assert queue.revision == 9
    assert len(queue.incidents) == 7


def test_two_transactions_on_one_incident_take_turns(store_factory: Place) -> None:
    """The second asks for the incident while the first holds it: it waits, then sees the
    first's acknowledgement, and the rules refuse it a second one."""

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            async with a.transaction() as tx:
                incident_id = (await trigger(tx))[0].event.incident
            holding = asyncio.Event()

            async def first() -> list[Change]:
                async with a.transaction() as tx:
                    incident = await tx.incident(incident_id)
                    holding.set()
                    await asyncio.sleep(0.3)  # the second asks meanwhile
                    ctx = lifecycle.Context(tx.directory, NOW, "bob")
                    return await tx.append(
                        lifecycle.decide(incident, c.Acknowledge(incident=incident_id), ctx)
                    )

            async def acknowledge() -> str:
                async with b.transaction() as tx:
                    try:
                        await act(tx, c.Acknowledge(incident=incident_id), actor="carol")
                    except DomainError as refused:
                        return str(refused)
                return "acknowledged twice"

            async def second() -> str:
                await holding.wait()
                return await alongside(b, acknowledge)

            acknowledged, refused = await asyncio.gather(first(), second())
            return acknowledged, refused, await b.history(incident_id)

    acknowledged, refused, history = run(scenario())
    assert [type(change.event) for change in acknowledged] == [Acknowledged]
    assert refused.startswith(f"{history.incident.id} was already acknowledged by bob")
    assert [type(event) for event in history.timeline].count(Acknowledged) == 1


def test_a_request_is_answered_with_what_it_recorded(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            async with a.transaction() as tx:
                before = await tx.recorded(KEY)
                changes = await trigger(tx, request=(KEY, "fingerprint-1"))
            async with b.transaction() as tx:
                return before, changes, await tx.recorded(KEY), await tx.recorded("bob\x1fk-1")

    before, changes, recorded, other = run(scenario())
    assert before is None
    assert recorded == RecordedRequest(fingerprint="fingerprint-1", changes=changes)
    assert other is None


def test_a_request_that_appended_nothing_is_not_recorded(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            async with store.transaction() as tx:
                appended = await tx.append([], (KEY, "fingerprint-1"))
            async with store.transaction() as tx:
                return appended, await tx.recorded(KEY), await store.read()

    appended, recorded, queue = run(scenario())
    assert (appended, recorded, queue.revision) == ([], None, 0)


def test_two_requests_with_one_key_take_turns(store_factory: Place) -> None:
    """The second asks about the key while the first holds it: it waits, then finds the
    first's record, and the incident is opened once."""

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            holding = asyncio.Event()

            async def first() -> list[Change]:
                async with a.transaction() as tx:
                    assert await tx.recorded(KEY) is None
                    holding.set()
                    await asyncio.sleep(0.3)  # the second asks meanwhile
                    return await trigger(tx, request=(KEY, "fingerprint-1"))

            async def look() -> RecordedRequest | None:
                async with b.transaction() as tx:
                    return await tx.recorded(KEY)

            async def second() -> RecordedRequest | None:
                await holding.wait()
                return await alongside(b, look)

            done, found = await asyncio.gather(first(), second())
            return done, found, await a.read()

    done, found, queue = run(scenario())
    assert found == RecordedRequest(fingerprint="fingerprint-1", changes=done)
    assert len(queue.incidents) == 1


def test_events_that_do_not_fold_are_refused_and_nothing_is_written(
    store_factory: Place,
) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            async with store.transaction() as tx:
                ctx = lifecycle.Context(tx.directory, NOW, "alice", new_id=await tx.next_id())
                triggered = lifecycle.decide(
                    None, c.Trigger(title="disk full", service="api", severity=2), ctx
                )
                orphan = Acknowledged(incident="INC-999999", at=NOW, version=2, by="bob")
                with pytest.raises(ValueError, match="INC-999999"):
                    await tx.append([*triggered, orphan], (KEY, "fingerprint-1"))
                recorded = await tx.recorded(KEY)
            queue = await store.read()
            async with store.transaction() as tx:
                later = await trigger(tx)
            return recorded, queue, later

    recorded, queue, later = run(scenario())
    assert recorded is None
    assert (queue.incidents, queue.revision) == ({}, 0)
    assert [change.revision for change in later] == [1]


def test_follow_sees_what_another_store_appends_in_order_and_once(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 2) as (watching, writer):
            follower = watching.follow(0, interval=0.05)
            appended: list[Change] = []
            for title in ("one", "two", "three"):
                async with writer.transaction() as tx:
                    appended += await trigger(tx, title)
            async with writer.transaction() as tx:
                incident_id = appended[0].event.incident
                appended += await act(tx, c.Acknowledge(incident=incident_id), actor="bob")
                appended += await act(tx, c.AddNote(incident=incident_id, text="on it"))
            seen: list[Change] = []
            while not seen or seen[-1].revision < appended[-1].revision:
                seen += (await anext(follower)).changes
            async with writer.transaction() as tx:
                later = await act(tx, c.Resolve(incident=incident_id), actor="bob")
            seen += (await anext(follower)).changes
            await follower.aclose()  # type: ignore[attr-defined]
            return appended + later, seen

    appended, seen = run(scenario())
    assert seen == appended
    assert [change.revision for change in seen] == list(range(1, 7))


def test_a_follower_never_skips_a_transaction_that_ends_late(store_factory: Place) -> None:
    """The first to append ends after the second asked to: revisions follow the order
    transactions end in, so a follower reading past its cursor misses neither."""

    async def scenario() -> Any:
        async with opened(store_factory, 3) as (watching, a, b):
            follower = watching.follow(0, interval=0.02)
            appended = asyncio.Event()

            async def slow() -> list[Change]:
                async with a.transaction() as tx:
                    changes = await trigger(tx, "slow")
                    appended.set()
                    await asyncio.sleep(0.3)  # the other appends meanwhile
                return changes

            async def append_quickly() -> list[Change]:
                async with b.transaction() as tx:
                    return await trigger(tx, "quick")

            async def quick() -> list[Change]:
                await appended.wait()
                return await alongside(b, append_quickly)

            async def follow() -> list[Change]:
                seen: list[Change] = []
                while len(seen) < 2:
                    seen += (await anext(follower)).changes
                return seen

            first, second, seen = await asyncio.gather(slow(), quick(), follow())
            await follower.aclose()  # type: ignore[attr-defined]
            return first + second, seen

    appended, seen = run(scenario())
    assert seen == appended
    assert [change.revision for change in seen] == [1, 2]


def test_due_names_what_escalates_by_then(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            async with store.transaction() as tx:
                waiting = (await trigger(tx, "waiting"))[0].event.incident
                held = (await trigger(tx, "held"))[0].event.incident
                done = (await trigger(tx, "done"))[0].event.incident
                await act(tx, c.Acknowledge(incident=held), actor="bob")
                await act(tx, c.Resolve(incident=done), actor="bob")
            # The team's first level times out after 10 minutes.
            early = await store.due(NOW + timedelta(minutes=9))
            late = await store.due(NOW + timedelta(minutes=10))
            return waiting, early, late, await store.due(NOW + timedelta(days=30))

    waiting, early, late, much_later = run(scenario())
    assert early == []
    assert late == [waiting]
    assert much_later == [waiting]


def test_a_new_directory_is_read_and_followed_as_a_whole_queue(store_factory: Place) -> None:
    bigger = msgspec.structs.replace(team(), responders=(*team().responders, Responder("erin")))

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (watching, writer):
            before = await watching.read()
            follower = watching.follow(before.revision, interval=0.05)
            async with writer.transaction() as tx:
                await trigger(tx)
            following = await anext(follower)  # it is following now
            async with writer.transaction() as tx:
                await tx.put_directory(bigger)
                in_force = tx.directory
            followed = await anext(follower)
            await follower.aclose()  # type: ignore[attr-defined]
            async with watching.transaction() as tx:
                seen_later = tx.directory
            return before, following, in_force, followed, await watching.read(), seen_later

    before, following, in_force, followed, after, seen_later = run(scenario())
    assert [change.revision for change in following.changes] == [1]
    assert in_force == bigger
    assert followed.changes == []
    assert followed.queue.directory == bigger
    assert followed.queue.incidents == after.incidents
    assert (after.directory, seen_later) == (bigger, bigger)
    assert after.snapshot != before.snapshot
    assert after.revision == 1


def test_a_new_directory_moves_when_incidents_escalate(store_factory: Place) -> None:
    patient = msgspec.structs.replace(
        team(),
        policies=tuple(
            msgspec.structs.replace(
                policy,
                levels=tuple(
                    msgspec.structs.replace(level, timeout_minutes=60) for level in policy.levels
                ),
            )
            for policy in team().policies
        ),
    )

    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            async with store.transaction() as tx:
                waiting = (await trigger(tx))[0].event.incident
            before = await store.due(NOW + timedelta(minutes=10))
            async with store.transaction() as tx:
                await tx.put_directory(patient)
            return (
                waiting,
                before,
                await store.due(NOW + timedelta(minutes=59)),
                await store.due(NOW + timedelta(minutes=60)),
            )

    waiting, before, early, late = run(scenario())
    assert before == [waiting]
    assert early == []
    assert late == [waiting]


def test_histories_hold_incidents_created_or_resolved_since(store_factory: Place) -> None:
    old, recent = NOW - timedelta(days=3), NOW - timedelta(days=2)

    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            async with store.transaction() as tx:
                first = await trigger(tx, "old", at=old)
                first_id = first[0].event.incident
                first += await act(tx, c.Resolve(incident=first_id), at=recent)
                second = await trigger(tx, "new")
            return (
                first,
                second,
                await store.history(first_id),
                await store.history("INC-999999"),
                await store.histories(NOW - timedelta(days=1)),
                await store.histories(recent),
            )

    first, second, history, unknown, today, since_resolved = run(scenario())
    assert history.timeline == [change.event for change in first]
    assert history.incident.status == "resolved"
    assert unknown is None
    assert [h.incident.title for h in today] == ["new"]
    assert [h.incident.title for h in since_resolved] == ["old", "new"]
    assert since_resolved[1].timeline == [change.event for change in second]


def test_a_transaction_reads_timelines_and_the_open_incidents(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            async with store.transaction() as tx:
                kept = await trigger(tx, "kept")
                gone = await trigger(tx, "gone")
                gone += await act(tx, c.Resolve(incident=gone[0].event.incident))
            async with store.transaction() as tx:
                return (
                    kept,
                    gone,
                    await tx.timeline(gone[0].event.incident),
                    await tx.open_incidents(),
                    await tx.archived(gone[0].event.incident),
                    await tx.archived("INC-999999"),
                    await tx.incident("INC-999999"),
                )

    _, gone, timeline, open_incidents, archived, unknown, missing = run(scenario())
    assert timeline == [change.event for change in gone]
    assert [incident.title for incident in open_incidents] == ["kept"]
    assert (archived, unknown, missing) == (False, False, None)


def test_tokens_are_made_found_and_revoked(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            tokens = store_factory.tokens(store)
            first, first_record = await tokens.create("alice", NOW)
            second, _ = await tokens.create("alice", NOW, admin=True)
            third, third_record = await tokens.create("bob", NOW)
            found = [await tokens.find(t) for t in (first, second, third, "esc_not-a-token")]
            by_id = await tokens.revoke(first_record.id, NOW)
            by_name = await tokens.revoke("alice", NOW)
            again = await tokens.revoke("alice", NOW)
            after = [await tokens.find(t) for t in (first, second, third)]
            return (
                first,
                first_record,
                third_record,
                found,
                by_id,
                by_name,
                again,
                after,
                (await tokens.records()),
            )

    token, record, bobs, found, by_id, by_name, again, after, records = run(scenario())
    assert token.startswith("esc_")
    assert token not in repr(records)
    assert found[0] == record
    assert [f.responder if f else None for f in found] == ["alice", "alice", "bob", None]
    assert found[1].admin
    assert [(r.id, r.revoked_at) for r in by_id] == [(record.id, NOW)]
    assert [r.responder for r in by_name] == ["alice"]
    assert again == []
    assert [(a.id, a.active) if a else None for a in after] == [
        (record.id, False),
        (found[1].id, False),
        (bobs.id, True),
    ]
    assert [r.responder for r in records] == ["alice", "alice", "bob"]
    assert [r.active for r in records] == [False, False, True]
