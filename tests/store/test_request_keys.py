"""Idempotency keys on the journal: a line carries its key under its checksum, and a request
resent with its key is answered with what was recorded for it, by this process or by one started
after a crash, also after a compaction (the snapshot carries the keys), and nothing is written
twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from acting import execute
from esctui.backends.base import StoreError
from esctui.domain import commands as c
from esctui.domain.errors import RequestReused
from esctui.domain.events import NoteAdded
from esctui.domain.models import Status
from esctui.stores.journal import JournalStore, codec, request_keys, snapshot, store

NOTE = NoteAdded(
    incident="INC-1001",
    at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
    version=2,
    by="alice",
    text="checking",
)


def journal_lines(store_path: Path) -> list[bytes]:
    return (store_path / codec.JOURNAL).read_bytes().splitlines()


def keys_on(lines: list[bytes]) -> list[str | None]:
    return [codec.decode_line(line)[2] for line in lines]


def test_a_line_without_a_key_has_the_bytes_it_always_had() -> None:
    # As esctui wrote it before lines had keys: CRC-32 over b"12:", then the event's bytes.
    assert codec.encode_line(12, NOTE) == (
        b'{"rev":12,"crc":"a3102128","event":{"type":"note-added","incident":"INC-1001",'
        b'"at":"2026-11-23T03:00:00Z","version":2,"by":"alice","text":"checking"}}\n'
    )


def test_a_line_with_a_key_gives_it_back_and_its_checksum_covers_it() -> None:
    line = codec.encode_line(12, NOTE, "alice\x1fk-1")
    assert line.startswith(b'{"rev":12,"crc":"49b2abcc","key":"alice\\u001fk-1","event":{')
    assert codec.decode_line(line.rstrip(b"\n")) == (12, NOTE, "alice\x1fk-1")
    with pytest.raises(codec.BadLine, match="checksum mismatch"):
        codec.decode_line(line.rstrip(b"\n").replace(b"k-1", b"k-2"))


def test_a_key_recorded_is_answered_with_its_changes_and_nothing_new(store_path: Path) -> None:
    writer = JournalStore(store_path)
    first = execute(writer, c.AddNote(incident="INC-1001", text="looking"), "bob", key="k-1")
    lines = journal_lines(store_path)

    again = execute(writer, c.AddNote(incident="INC-1001", text="looking"), "bob", key="k-1")
    restarted = JournalStore(store_path)  # a process started after the first one died
    after_restart = execute(
        restarted, c.AddNote(incident="INC-1001", text="looking"), "bob", key="k-1"
    )

    assert again == after_restart == first
    assert journal_lines(store_path) == lines
    assert restarted.incidents["INC-1001"].notes == 1


def test_a_resent_trigger_opens_no_second_incident(store_path: Path) -> None:
    trigger = c.Trigger(title="db down", service="db", severity=1)
    [first] = execute(JournalStore(store_path), trigger, "carol", key="t-1")
    [again] = execute(JournalStore(store_path), trigger, "carol", key="t-1")
    fresh = JournalStore(store_path)
    fresh.load()
    assert again == first
    assert sorted(fresh.incidents) == ["INC-1001", "INC-1002", "INC-1003", "INC-1004"]


def test_a_resent_key_is_not_refused_for_the_version_its_own_action_moved(
    store_path: Path,
) -> None:
    reader = JournalStore(store_path)
    reader.load()
    seen = reader.incidents["INC-1002"].version
    acknowledge = c.Acknowledge(incident="INC-1002")
    first = execute(JournalStore(store_path), acknowledge, "bob", seen, key="a-1")
    lines = journal_lines(store_path)

    again = execute(JournalStore(store_path), acknowledge, "bob", seen, key="a-1")

    assert again == first
    assert journal_lines(store_path) == lines


def test_the_key_is_on_the_command_lines_not_on_the_escalations_before_it(
    store_path: Path,
) -> None:
    before = len(journal_lines(store_path))
    later = datetime.now(UTC) + timedelta(hours=1)  # every incident's level has timed out
    writer = JournalStore(store_path, clock=lambda: later)
    [change] = execute(writer, c.AddNote(incident="INC-1003", text="here"), "dave", key="n-1")

    keys = keys_on(journal_lines(store_path)[before:])
    assert len(keys) > 1, "escalations were due before the note"
    assert [key and request_keys.untagged(key)[0] for key in keys] == [None] * (len(keys) - 1) + [
        "n-1"
    ]
    assert execute(
        JournalStore(store_path), c.AddNote(incident="INC-1003", text="here"), "dave", key="n-1"
    ) == [change]


def test_the_oldest_keys_are_forgotten_first(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_keys, "RECORDED_KEYS", 2)
    for key in ("k-1", "k-2", "k-3"):
        execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text=key), "bob", key=key)
    fresh = JournalStore(store_path)
    execute(fresh, c.AddNote(incident="INC-1001", text="k-3"), "bob", key="k-3")
    assert fresh.incidents["INC-1001"].notes == 3
    execute(fresh, c.AddNote(incident="INC-1001", text="k-1"), "bob", key="k-1")
    assert fresh.incidents["INC-1001"].notes == 4, "k-1 was forgotten: decided again"


def test_a_key_recorded_before_a_compaction_is_answered_after_it(store_path: Path) -> None:
    writer = JournalStore(store_path)
    first = execute(writer, c.AddNote(incident="INC-1001", text="looking"), "bob", key="k-1")
    writer.compact()
    lines = journal_lines(store_path)
    version = writer.incidents["INC-1001"].version

    restarted = JournalStore(store_path)
    again = execute(restarted, c.AddNote(incident="INC-1001", text="looking"), "bob", key="k-1")

    assert again == first
    assert journal_lines(store_path) == lines == []
    assert restarted.incidents["INC-1001"].version == version
    assert restarted.incidents["INC-1001"].notes == 1
    assert restarted.keys.recorded() == writer.keys.recorded()


def test_a_key_whose_action_set_off_the_compaction_is_answered_after_a_crash(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The action that fills the journal folds it: the snapshot must carry its key, or a
    # server killed before answering would note it twice when the client resends.
    monkeypatch.setattr(store, "COMPACT_AFTER_LINES", len(journal_lines(store_path)) + 1)
    note = c.AddNote(incident="INC-1002", text="paging db team")
    first = execute(JournalStore(store_path), note, "carol", key="k-1")
    assert journal_lines(store_path) == [], "the action did not set off a compaction"

    restarted = JournalStore(store_path)
    again = execute(restarted, note, "carol", key="k-1")

    assert again == first
    assert journal_lines(store_path) == []
    assert restarted.incidents["INC-1002"].notes == 1


def test_the_snapshot_keys_are_older_than_the_journal_keys(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_keys, "RECORDED_KEYS", 2)
    execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text="k-1"), "bob", key="k-1")
    JournalStore(store_path).compact()
    for key in ("k-2", "k-3"):
        execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text=key), "bob", key=key)

    fresh = JournalStore(store_path)
    execute(fresh, c.AddNote(incident="INC-1001", text="k-2"), "bob", key="k-2")
    assert fresh.incidents["INC-1001"].notes == 3
    execute(fresh, c.AddNote(incident="INC-1001", text="k-1"), "bob", key="k-1")
    assert fresh.incidents["INC-1001"].notes == 4, "k-1 was the oldest: decided again"


def test_a_snapshot_written_before_it_held_keys_still_loads(store_path: Path) -> None:
    JournalStore(store_path).compact()
    file = store_path / codec.SNAPSHOT
    old = json.loads(file.read_bytes())
    del old["keys"]
    old["schema"] = 1
    file.write_text(json.dumps(old))

    writer = JournalStore(store_path)
    writer.load()
    assert sorted(writer.incidents) == ["INC-1001", "INC-1002", "INC-1003"]
    first = execute(writer, c.AddNote(incident="INC-1001", text="looking"), "bob", key="k-1")
    assert (
        execute(
            JournalStore(store_path),
            c.AddNote(incident="INC-1001", text="looking"),
            "bob",
            key="k-1",
        )
        == first
    )


def test_an_esctui_that_reads_no_keys_refuses_a_snapshot_that_holds_them(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It would ignore the field, and decide again every request the keys answer.
    execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text="x"), "bob", key="k-1")
    JournalStore(store_path).compact()
    file = store_path / codec.SNAPSHOT
    monkeypatch.setattr(codec, "SCHEMA", 1)
    with pytest.raises(StoreError, match="written by a newer esctui"):
        snapshot.decode_snapshot(file, file.read_bytes())


def test_damaged_keys_in_the_snapshot_are_refused(store_path: Path) -> None:
    execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text="x"), "bob", key="k-1")
    JournalStore(store_path).compact()
    file = store_path / codec.SNAPSHOT
    damaged = file.read_bytes().replace(b'"keys":[["k-1', b'"keys":[[7,"', 1)
    assert damaged != file.read_bytes()
    file.write_bytes(damaged)
    with pytest.raises(StoreError, match="snapshot.json is damaged"):
        execute(
            JournalStore(store_path), c.AddNote(incident="INC-1001", text="x"), "bob", key="k-1"
        )


def test_a_key_tagged_with_its_request_refuses_another_also_after_a_compaction(
    store_path: Path,
) -> None:
    note = c.AddNote(incident="INC-1001", text="looking")
    first = execute(JournalStore(store_path), note, "bob", key="k-1")
    other = c.Acknowledge(incident="INC-1002")
    with pytest.raises(RequestReused, match="note-added of INC-1001"):
        execute(JournalStore(store_path), other, "bob", key="k-1")
    JournalStore(store_path).compact()
    after = JournalStore(store_path)
    with pytest.raises(RequestReused):
        execute(after, other, "bob", key="k-1")
    assert execute(after, note, "bob", key="k-1") == first
    assert after.incidents["INC-1002"].status is Status.TRIGGERED
