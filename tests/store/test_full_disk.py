"""Writes the system refuses halfway, for real: the esctui process runs with a file size limit
(RLIMIT_FSIZE), so the kernel writes what fits and refuses the rest (EFBIG), as a full disk
would (ENOSPC), without needing a small file system of its own. Nothing may be left torn or
lying about, and the sentence names the file."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from acting import execute
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore, create_store

from .conftest import team

# Resolved long enough ago for `compact` (14 days by default) to archive, whatever today is.
LONG_AGO = datetime.now(UTC) - timedelta(days=60)


def limited_to(size: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def esctui(store: Path, *args: str, limit: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esctui", "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limited_to(limit),
    )


def resolved_long_ago(path: Path, titles: list[str]) -> None:
    store = JournalStore(path, clock=lambda: LONG_AGO)
    for title in titles:
        [change] = execute(store, c.Trigger(title=title, service="api", severity=2), "alice")
        incident = change.event.incident
        execute(store, c.AddNote(incident=incident, text="x" * 2000), "alice")
        execute(store, c.Resolve(incident=incident), "alice")


@pytest.fixture
def archived(tmp_path: Path) -> Path:
    """A store whose archive holds two incidents resolved long ago, and one more to archive."""
    path = tmp_path / "store"
    create_store(path, team(), [], now=LONG_AGO)
    resolved_long_ago(path, ["one", "two"])
    JournalStore(path).compact()
    resolved_long_ago(path, ["three"])
    return path


def opened(path: Path) -> JournalStore:
    store = JournalStore(path)
    store.load()
    return store


def month_file(path: Path) -> Path:
    [file] = (path / "archive").glob("*.jsonl")
    return file


def test_a_compaction_the_disk_refuses_leaves_the_archive_whole(archived: Path) -> None:
    month = month_file(archived)
    before = month.read_bytes()
    refused = esctui(archived, "compact", limit=len(before) + 300)
    assert refused.returncode == 3
    assert refused.stderr.startswith(f"esctui: Cannot write {month}: File too large.")
    assert "The compaction stopped there; nothing recorded was lost." in refused.stderr
    assert month.read_bytes() == before, "the append was cut back"

    JournalStore(archived).compact()  # the disk has room again
    store = JournalStore(archived)
    assert [store.history(f"INC-{n}").incident.title for n in (1001, 1002, 1003)] == [
        "one",
        "two",
        "three",
    ]
    assert len(store.histories(LONG_AGO - timedelta(days=1))) == 3
    assert esctui(archived, "show", "INC-1003", limit=2**40).returncode == 0


@pytest.mark.parametrize("tail", [b'{"incident":{"id":"INC-10', b"\x00\x00\x00\x00\n"])
def test_a_torn_last_archive_line_is_ignored_then_cut_by_the_next_compaction(
    archived: Path, tail: bytes
) -> None:
    month = month_file(archived)
    whole = month.read_bytes()
    month.write_bytes(whole + tail)  # a compaction killed mid-append
    assert JournalStore(archived).history("INC-1002").incident.title == "two"
    JournalStore(archived).compact()
    after = month.read_bytes()
    assert after.startswith(whole)
    [added] = after[len(whole) :].splitlines()  # the tail cut, the new record after it
    assert added.startswith(b'{"incident":{"id":"INC-1003",')
    assert JournalStore(archived).history("INC-1003").incident.title == "three"


def test_a_compaction_that_cannot_write_its_timelines_names_them_and_leaves_nothing(
    archived: Path,
) -> None:
    journal = (archived / "journal.jsonl").read_bytes()
    refused = esctui(archived, "compact", "--archive-after", "1000d", limit=2000)
    assert refused.returncode == 3
    assert "esctui: Cannot write " in refused.stderr
    assert "/timelines-" in refused.stderr and ".json: File too large." in refused.stderr
    assert sorted(p.name for p in archived.glob(".*")) == []
    assert (archived / "journal.jsonl").read_bytes() == journal
    assert opened(archived).history("INC-1003").incident.title == "three"


def test_a_token_the_disk_refuses_is_not_made_and_leaves_nothing(archived: Path) -> None:
    refused = esctui(archived, "token", "create", "alice", limit=100)
    assert refused.returncode == 3
    assert refused.stderr.startswith(f"esctui: Cannot write {archived / 'tokens.json'}: File too")
    assert refused.stdout == ""
    assert sorted(p.name for p in archived.glob(".*")) == []
    assert not (archived / "tokens.json").exists()
