from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from acting import escalate_due, execute, local, replace_directory
from esctui.backends.base import StoreError, Update, VersionConflict
from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.events import Acknowledged, Escalated, NoteAdded
from esctui.domain.lifecycle import replay
from esctui.domain.models import Responder, Service, Status
from esctui.stores.journal import JournalStore, codec, create_store

from .conftest import NOW, team


def test_an_action_is_in_the_journal_and_seen_by_a_fresh_reader(store_path: Path) -> None:
    writer = JournalStore(store_path)
    [change] = execute(writer, c.Acknowledge(incident="INC-1002"), "bob")
    assert isinstance(change.event, Acknowledged)
    reader = JournalStore(store_path)
    reader.load()
    assert reader.incidents["INC-1002"].status is Status.ACKNOWLEDGED
    assert reader.incidents["INC-1002"].assignee == "bob"
    assert reader.revision == change.revision == 4


def test_trigger_numbers_follow_the_highest_id(store_path: Path) -> None:
    store = JournalStore(store_path)
    [change] = execute(store, c.Trigger(title="new", service="db", severity=1), "carol")
    assert change.event.incident == "INC-1004"


def test_a_refused_command_writes_nothing(store_path: Path) -> None:
    store = JournalStore(store_path)
    execute(store, c.Acknowledge(incident="INC-1001"), "bob")
    size = (store_path / codec.JOURNAL).stat().st_size
    with pytest.raises(DomainError, match=r"INC-1001 was already acknowledged by bob"):
        execute(JournalStore(store_path), c.Acknowledge(incident="INC-1001"), "alice")
    with pytest.raises(DomainError, match="There is no incident INC-9"):
        execute(store, c.Acknowledge(incident="INC-9"), "alice")
    assert (store_path / codec.JOURNAL).stat().st_size == size


def test_a_stale_version_is_a_conflict(store_path: Path) -> None:
    store = JournalStore(store_path)
    store.load()
    seen = store.incidents["INC-1001"].version
    execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text="first"), "bob")
    with pytest.raises(VersionConflict) as caught:
        execute(store, c.Acknowledge(incident="INC-1001"), "alice", expected_version=seen)
    assert caught.value.current.version == seen + 1


def test_writers_apply_due_escalations_once(store_path: Path) -> None:
    later = NOW + timedelta(days=400)  # every level has long timed out
    store = JournalStore(store_path, clock=lambda: later)
    execute(store, c.AddNote(incident="INC-1003", text="looking"), "dave")
    timeline = store.timeline("INC-1001")
    assert [type(e) for e in timeline[-1:]] == [Escalated]
    again = JournalStore(store_path, clock=lambda: later)
    assert escalate_due(again) == []
    assert again.incidents["INC-1001"].level == 2
    assert again.incidents["INC-1001"].assignee == "carol"


def test_state_equals_replay_of_the_timeline(store_path: Path) -> None:
    store = JournalStore(store_path)
    store.load()
    # Whoever the day's rotation gave it to, it goes to someone else.
    other = "dave" if store.incidents["INC-1001"].assignee != "dave" else "bob"
    execute(store, c.HandOff(incident="INC-1001", to=other, note="yours"), "alice")
    execute(store, c.Acknowledge(incident="INC-1001"), other)
    execute(store, c.Resolve(incident="INC-1001", note="fixed"), other)
    fresh = JournalStore(store_path)
    fresh.load()
    assert replay(fresh.timeline("INC-1001")) == fresh.incidents["INC-1001"]


def test_compaction_folds_the_journal_and_archives_long_resolved(store_path: Path) -> None:
    now = datetime.now(UTC)
    store = JournalStore(store_path)
    execute(store, c.Resolve(incident="INC-1001"), "alice")
    execute(store, c.AddNote(incident="INC-1002", text="still on it"), "bob")
    later = JournalStore(store_path, clock=lambda: now + timedelta(days=30))
    summary = later.compact(timedelta(days=14))
    assert "archived 1 incidents" in summary
    assert (store_path / codec.JOURNAL).stat().st_size == 0
    fresh = JournalStore(store_path)
    fresh.load()
    assert set(fresh.incidents) == {"INC-1002", "INC-1003"}
    assert [type(e) for e in fresh.timeline("INC-1002")][-1] is NoteAdded
    archived = fresh.history("INC-1001")
    assert archived.incident.status is Status.RESOLVED
    assert [h.incident.id for h in fresh.histories(now - timedelta(days=1))] == [
        "INC-1001",
        "INC-1002",
        "INC-1003",
    ]
    with pytest.raises(DomainError, match="archived"):
        execute(fresh, c.Reopen(incident="INC-1001"), "alice")
    # numbering continues past the archived incident
    [change] = execute(fresh, c.Trigger(title="x", service="api", severity=3), "alice")
    assert change.event.incident == "INC-1004"


def test_a_reader_sees_a_compaction_done_by_another_process(store_path: Path) -> None:
    reader = JournalStore(store_path)
    reader.load()
    writer = JournalStore(store_path)
    execute(writer, c.AddNote(incident="INC-1003", text="before"), "bob")
    writer.compact()
    execute(writer, c.AddNote(incident="INC-1003", text="after"), "bob")
    assert reader.poll() is True
    assert reader.incidents["INC-1003"].notes == 2
    assert reader.revision == writer.revision


def test_creating_over_an_existing_store_needs_force(store_path: Path) -> None:
    before = (store_path / codec.SNAPSHOT).read_bytes()
    with pytest.raises(StoreError, match="already exists.*--force"):
        create_store(store_path, team(), [])
    assert (store_path / codec.SNAPSHOT).read_bytes() == before
    create_store(store_path, team(), [], force=True)
    fresh = JournalStore(store_path)
    fresh.load()
    assert fresh.incidents == {}


def test_a_missing_store_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="There is no esctui store at"):
        JournalStore(tmp_path / "nowhere").load()
    with pytest.raises(StoreError, match="has no snapshot.json"):
        JournalStore(tmp_path).load()


def test_follow_sees_another_writer_within_a_second(store_path: Path) -> None:
    async def scenario() -> list[str]:
        backend = local(store_path)
        queue = await backend.open()
        updates = backend.follow(queue.revision, interval=0.05)
        other = JournalStore(store_path)
        await asyncio.to_thread(execute, other, c.Acknowledge(incident="INC-1003"), "dave")
        update = await asyncio.wait_for(anext(updates), 1.0)
        await backend.close()
        return [type(change.event).__name__ for change in update.changes]

    assert asyncio.run(scenario()) == ["Acknowledged"]


def test_follow_also_sees_this_process_own_writes(store_path: Path) -> None:
    async def scenario() -> int:
        backend = local(store_path)
        queue = await backend.open()
        updates = backend.follow(queue.revision, interval=0.05)
        await backend.execute(c.AddNote(incident="INC-1001", text="mine"), actor="alice")
        update = await asyncio.wait_for(anext(updates), 1.0)
        await backend.close()
        return update.changes[0].revision

    assert asyncio.run(scenario()) == 4


def test_a_new_directory_takes_effect_and_keeps_every_incident(store_path: Path) -> None:
    store = JournalStore(store_path)
    execute(store, c.AddNote(incident="INC-1001", text="kept"), "alice")
    bigger = msgspec.structs.replace(
        team(), responders=(*team().responders, Responder(name="erin"))
    )
    assert "5 responders" in replace_directory(store, bigger)
    fresh = JournalStore(store_path)
    fresh.load()
    assert fresh.directory.responder("erin") is not None
    assert fresh.incidents["INC-1001"].notes == 1
    execute(fresh, c.HandOff(incident="INC-1001", to="erin"), "alice")


def test_a_directory_that_drops_an_open_incident_service_is_refused(store_path: Path) -> None:
    before = (store_path / codec.SNAPSHOT).read_bytes()
    smaller = msgspec.structs.replace(team(), services=(team().services[1],))
    with pytest.raises(DomainError, match=r"Open incidents use services the new directory drops"):
        replace_directory(JournalStore(store_path), smaller)
    dangling = msgspec.structs.replace(team(), services=(Service(name="x", policy="nope"),))
    with pytest.raises(DomainError, match="unknown policy 'nope'"):
        replace_directory(JournalStore(store_path), dangling)
    assert (store_path / codec.SNAPSHOT).read_bytes() == before


def test_a_timeline_is_found_after_another_process_compacted(store_path: Path) -> None:
    reader = JournalStore(store_path)
    reader.load()
    writer = JournalStore(store_path)
    execute(writer, c.AddNote(incident="INC-1002", text="folded away"), "bob")
    writer.compact()
    assert len(list(store_path.glob("timelines-*.json"))) == 1
    timeline = reader.timeline("INC-1002")  # its timelines file is gone: it reads again
    assert isinstance(timeline[-1], NoteAdded)
    assert timeline[-1].text == "folded away"


def test_a_damaged_timelines_file_is_a_sentence(store_path: Path) -> None:
    [file] = store_path.glob("timelines-*.json")
    file.write_bytes(b"[broken")
    store = JournalStore(store_path)
    store.load()  # the queue still opens
    with pytest.raises(StoreError, match=r"timelines-.*\.json is damaged"):
        store.timeline("INC-1001")
    assert file.read_bytes() == b"[broken"


def test_follow_redraws_from_the_new_queue_after_a_compaction(store_path: Path) -> None:
    async def scenario() -> tuple[int, int]:
        backend = local(store_path)
        queue = await backend.open()
        updates = backend.follow(queue.revision, interval=0.05)
        other = JournalStore(store_path)
        await asyncio.to_thread(execute, other, c.AddNote(incident="INC-1001", text="x"), "bob")
        await asyncio.to_thread(other.compact)
        update = await asyncio.wait_for(anext(updates), 1.0)
        while update.queue is None:  # the note may arrive before the compaction
            update = await asyncio.wait_for(anext(updates), 1.0)
        await backend.close()
        return update.queue.revision, update.queue.incidents["INC-1001"].notes

    assert asyncio.run(scenario()) == (4, 1)


def test_follow_redraws_even_when_something_else_read_the_new_snapshot_first(
    store_path: Path,
) -> None:
    """A new directory makes no revision, and the process may read the new snapshot for
    another reason (the console's redraw, a timeline) before the follower polls: the follower
    must still hand over the whole new queue."""
    bigger = msgspec.structs.replace(team(), responders=(*team().responders, Responder("erin")))

    async def scenario() -> Update:
        backend = local(store_path)
        queue = await backend.open()
        updates = backend.follow(queue.revision, interval=0.5)
        first = asyncio.ensure_future(anext(updates))
        await asyncio.sleep(0.1)  # the follower has polled once and sleeps
        replace_directory(JournalStore(store_path), bigger)  # another process
        await backend.open()  # this process reads the store afresh before the next poll
        try:
            return await asyncio.wait_for(first, 2.0)
        finally:
            await backend.close()

    update = asyncio.run(scenario())
    assert update.queue is not None and update.queue.directory == bigger


def test_writers_send_back_an_acknowledgement_that_ran_out(tmp_path: Path) -> None:
    directory = team()
    policy = msgspec.structs.replace(directory.policies[0], acknowledge_timeout_minutes=60)
    path = tmp_path / "store"
    create_store(path, msgspec.structs.replace(directory, policies=(policy,)), [])
    store = JournalStore(path)
    execute(store, c.Trigger(title="t", service="api", severity=3), "alice")
    execute(store, c.Acknowledge(incident="INC-1001"), "bob")
    later = datetime.now(UTC) + timedelta(minutes=61)
    [change] = escalate_due(JournalStore(path, clock=lambda: later))
    assert type(change.event).__name__ == "Unacknowledged"
    fresh = JournalStore(path)
    fresh.load()
    assert fresh.incidents["INC-1001"].status is Status.TRIGGERED
    assert fresh.incidents["INC-1001"].assignee == "bob"


def test_an_undo_restores_the_state_before_across_a_compaction(store_path: Path) -> None:
    store = JournalStore(store_path)
    store.load()
    before = store.incidents["INC-1002"]
    [ack] = execute(store, c.Acknowledge(incident="INC-1002"), "bob")
    store.compact()  # the acknowledgement is now in the snapshot's timeline, not the journal
    [undone] = execute(
        JournalStore(store_path), c.Undo(incident="INC-1002", version=ack.event.version), "bob"
    )
    after = JournalStore(store_path)
    after.load()
    restored = after.incidents["INC-1002"]
    assert msgspec.structs.replace(restored, version=before.version) == before
    assert replay(after.timeline("INC-1002")) == restored
    assert undone.event.version == ack.event.version + 1
