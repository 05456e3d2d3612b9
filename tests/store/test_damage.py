"""A store damaged on disk: what is tolerated, what is refused, and that nothing is rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from acting import execute
from esctui.backends.base import StoreError
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore, codec


def note(store_path: Path, text: str) -> None:
    execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text=text), "alice")


def journal(store_path: Path) -> Path:
    return store_path / codec.JOURNAL


@pytest.mark.parametrize(
    "tail",
    [
        b'{"rev":9,"crc":"0000',  # cut mid-line, no newline
        b'{"rev":7,"crc":"deadbeef","event":{"type":"note-added"}}\n',  # whole line, bad sum
        b"\x00\x00\x00\x00\n",  # zeros a crash can leave behind
    ],
)
def test_a_torn_last_line_is_ignored_then_cut_by_the_next_writer(
    store_path: Path, tail: bytes
) -> None:
    note(store_path, "before the crash")
    good = journal(store_path).read_bytes()
    journal(store_path).write_bytes(good + tail)

    reader = JournalStore(store_path)
    reader.load()
    assert reader.incidents["INC-1001"].notes == 1
    assert journal(store_path).read_bytes() == good + tail  # a reader changes nothing

    note(store_path, "after the crash")
    data = journal(store_path).read_bytes()
    assert data.startswith(good)
    assert tail not in data
    fresh = JournalStore(store_path)
    fresh.load()
    assert fresh.incidents["INC-1001"].notes == 2
    assert fresh.revision == 5


def test_a_damaged_line_in_the_middle_is_refused_naming_file_and_line(
    store_path: Path,
) -> None:
    note(store_path, "one")
    note(store_path, "two")
    lines = journal(store_path).read_bytes().splitlines(keepends=True)
    assert len(lines) == 5
    lines[1] = lines[1].replace(b"incident 1", b"incident X")  # flip bytes, keep the JSON
    damaged = b"".join(lines)
    journal(store_path).write_bytes(damaged)
    snapshot = (store_path / codec.SNAPSHOT).read_bytes()

    with pytest.raises(StoreError, match=r"journal\.jsonl line 2 is damaged \(checksum"):
        JournalStore(store_path).load()
    with pytest.raises(StoreError, match="line 2 is damaged"):
        note(store_path, "three")
    with pytest.raises(StoreError, match="line 2 is damaged"):
        JournalStore(store_path).compact()
    assert journal(store_path).read_bytes() == damaged
    assert (store_path / codec.SNAPSHOT).read_bytes() == snapshot


def test_a_damaged_idempotency_key_in_the_middle_is_refused(store_path: Path) -> None:
    execute(
        JournalStore(store_path), c.AddNote(incident="INC-1001", text="one"), "alice", key="key-1"
    )
    note(store_path, "two")
    data = journal(store_path).read_bytes()
    journal(store_path).write_bytes(data.replace(b'"key-1', b'"key-7'))  # the event intact
    with pytest.raises(StoreError, match=r"journal\.jsonl line 4 is damaged \(checksum"):
        JournalStore(store_path).load()


def test_a_journal_line_that_is_not_json_in_the_middle_is_refused(store_path: Path) -> None:
    data = journal(store_path).read_bytes()
    journal(store_path).write_bytes(data.replace(b"\n", b"\nnot json at all\n", 1))
    with pytest.raises(StoreError, match="line 2 is damaged .not a journal line"):
        JournalStore(store_path).load()


def test_a_gap_in_revisions_is_damage(store_path: Path) -> None:
    lines = journal(store_path).read_bytes().splitlines(keepends=True)
    journal(store_path).write_bytes(lines[0] + lines[2])
    with pytest.raises(StoreError, match="line 2 is damaged .revision 3 follows 1"):
        JournalStore(store_path).load()


def test_a_newer_schema_is_refused_with_a_clear_message(store_path: Path) -> None:
    snapshot = store_path / codec.SNAPSHOT
    ours = b'"schema":%d' % codec.SCHEMA
    assert ours in snapshot.read_bytes()
    newer = snapshot.read_bytes().replace(ours, b'"schema":7', 1)
    snapshot.write_bytes(newer)
    with pytest.raises(StoreError, match=r"written by a newer esctui \(store schema 7"):
        JournalStore(store_path).load()
    with pytest.raises(StoreError, match="newer esctui"):
        note(store_path, "refused")
    assert snapshot.read_bytes() == newer


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not json", "is not valid JSON"),
        (b'{"hello": "world"}', "is not an esctui snapshot"),
        (b'{"schema": 1, "revision": "ten"}', "is damaged"),
        (b"", "is not valid JSON"),
    ],
)
def test_a_snapshot_that_is_not_ours_is_refused_and_kept(
    store_path: Path, content: bytes, message: str
) -> None:
    snapshot = store_path / codec.SNAPSHOT
    snapshot.write_bytes(content)
    before = journal(store_path).read_bytes()
    with pytest.raises(StoreError, match=message):
        note(store_path, "refused")
    assert snapshot.read_bytes() == content
    assert journal(store_path).read_bytes() == before


def test_a_compaction_cut_short_before_the_journal_was_emptied_loses_nothing(
    store_path: Path,
) -> None:
    note(store_path, "one")
    note(store_path, "two")
    old_journal = journal(store_path).read_bytes()
    store = JournalStore(store_path)
    store.compact()
    # As if the process died after renaming the new snapshot, before emptying the journal.
    journal(store_path).write_bytes(old_journal)
    reopened = JournalStore(store_path)
    reopened.load()
    assert reopened.revision == store.revision == 5
    assert reopened.incidents == store.incidents
    note(store_path, "three")
    after = JournalStore(store_path)
    after.load()
    assert after.revision == 6
    assert after.incidents["INC-1001"].notes == 3


def test_a_timelines_file_left_by_a_compaction_cut_short_is_ignored_then_removed(
    store_path: Path,
) -> None:
    stray = store_path / "timelines-99-deadbeef.json"
    stray.write_bytes(b"{half")
    store = JournalStore(store_path)
    store.load()
    assert store.timeline("INC-1001")[0].incident == "INC-1001"
    store.compact()
    assert not stray.exists()
