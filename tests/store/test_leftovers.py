"""What writers leave behind and what they replace: temp files of writers that died are removed
by the next one, a timelines file gone missing is named, and symlinked store files are followed,
never replaced by plain files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from acting import execute
from esctui.backends.base import StoreError
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore, codec
from esctui.stores.journal.tokens import TokenBook

from .conftest import NOW


def test_temp_files_of_writers_that_died_are_removed_by_the_next_writer(
    store_path: Path,
) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)  # fmt: skip
    try:
        left = [
            store_path / f".timelines-9-0badcafe.json.{gone.pid}.tmp",  # a compaction, killed
            store_path / f".tokens.json.{gone.pid}.tmp",
        ]
        for file in left:
            file.write_bytes(b"x" * 100_000)
        busy = store_path / f".snapshot.json.{alive.pid}.tmp"
        busy.write_bytes(b"{")
        execute(JournalStore(store_path), c.AddNote(incident="INC-1001", text="x"), "alice")
        assert [file.exists() for file in left] == [False, False]
        assert busy.exists(), "its writer is alive: not ours to remove"
    finally:
        assert alive.stdin is not None
        alive.stdin.close()
        alive.wait(timeout=10)


def test_a_missing_timelines_file_is_named(store_path: Path) -> None:
    store = JournalStore(store_path)
    store.load()
    [timelines] = store_path.glob("timelines-*.json")
    timelines.unlink()
    with pytest.raises(StoreError, match=f"{timelines} is missing, though .*snapshot.json names"):
        store.timeline("INC-1001")  # read on first use


def test_symlinked_store_files_are_followed_not_replaced(store_path: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in (codec.SNAPSHOT, "tokens.json"):
        target = elsewhere / name
        if (store_path / name).exists():
            (store_path / name).rename(target)
        else:
            target.write_text('{"tokens": []}')
        (store_path / name).symlink_to(target)
    JournalStore(store_path).compact()
    TokenBook(store_path).create("alice", NOW)
    for name in (codec.SNAPSHOT, "tokens.json"):
        assert (store_path / name).is_symlink(), name
        assert (store_path / name).resolve() == elsewhere / name
    assert len(TokenBook(store_path).records()) == 1
    store = JournalStore(store_path)
    store.load()
    assert store.incidents["INC-1001"].title == "incident 0"
    assert sorted(p.name for p in elsewhere.iterdir()) == [codec.SNAPSHOT, "tokens.json"]


def test_reading_every_token_leaves_the_lookups_true(store_path: Path) -> None:
    """Reading the whole file (as `/healthz` does) must not leave the lookups' cache behind
    it: a token made or revoked elsewhere is seen as it is now."""
    book = TokenBook(store_path)
    now = NOW
    frank, _ = book.create("alice", now)
    assert book.lookup(frank) is not None
    elsewhere = TokenBook(store_path)  # another process
    bob, _ = elsewhere.create("bob", now)
    elsewhere.revoke("alice", now)
    book.records()
    found = book.lookup(bob)
    assert found is not None and found.responder == "bob"
    revoked = book.lookup(frank)
    assert revoked is not None and not revoked.active
