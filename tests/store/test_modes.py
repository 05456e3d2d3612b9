"""Who may read a store: its files hold titles, notes and customer names. A new store is its
owner's alone; a directory made for a team's group lets that group in; others never."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from acting import execute
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore, codec, create_store
from esctui.stores.journal.tokens import TokenBook

from .conftest import NOW, team


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)  # what most systems give a login
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fill(path: Path) -> None:
    """An incident resolved long ago and archived, a token, and a journal line since."""
    store = JournalStore(path, clock=lambda: NOW)
    execute(store, c.Trigger(title="Checkout down", service="api", severity=1), "alice")
    execute(store, c.Resolve(incident="INC-1001"), "alice")
    JournalStore(path, clock=lambda: NOW + timedelta(days=60)).compact()
    TokenBook(path).create("alice", NOW)
    execute(JournalStore(path), c.Trigger(title="Disk full", service="db", severity=2), "bob")


def store_files(path: Path) -> dict[str, int]:
    found = {p.relative_to(path).as_posix(): mode(p) for p in path.rglob("*")}
    assert {"snapshot.json", "journal.jsonl", "store.lock", "tokens.json"} <= set(found)
    assert "archive/2026-11.jsonl" in found and any(n.startswith("timelines-") for n in found)
    return found


def test_a_new_store_is_its_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "store"
    create_store(path, team(), [], now=NOW)
    fill(path)
    assert mode(path) == 0o700
    for name, found in store_files(path).items():
        assert found == (0o700 if name == "archive" else 0o600), name


def test_a_directory_made_for_a_group_lets_that_group_in(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.mkdir()
    path.chmod(0o2770)  # group-owned and setgid, as a team's admin makes it
    create_store(path, team(), [], now=NOW)
    fill(path)
    assert mode(path) == 0o2770
    for name, found in store_files(path).items():
        assert found & 0o777 == (0o770 if name == "archive" else 0o660), name


def test_a_store_made_before_keeps_its_files_and_its_lock_is_closed_to_others(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store"
    create_store(path, team(), [], now=NOW)
    path.chmod(0o755)
    for name in ("snapshot.json", "journal.jsonl", "store.lock"):
        (path / name).chmod(0o644)  # as esctui made them before
    execute(JournalStore(path), c.Trigger(title="Disk full", service="db", severity=2), "bob")
    assert mode(path / codec.JOURNAL) == 0o644  # written in place: left as it was
    assert mode(path / codec.LOCK) == 0o640  # nobody else may take it and stop every writer
    JournalStore(path).compact()
    assert mode(path / codec.SNAPSHOT) == 0o640  # made anew: the store's modes
    assert mode(path) == 0o755
