"""The writers' lock held by another process: readers carry on, writers give up in bounded time
with a sentence naming the lock and who holds it, and write again once it is let go."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from acting import execute
from esctui.backends.base import Queue
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore
from lock_holder import LockHolder


def esctui(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esctui", "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cli_gives_up_on_a_held_lock_naming_it_and_its_holder(store_path: Path) -> None:
    with LockHolder(store_path) as holder:
        started = time.monotonic()
        refused = esctui(store_path, "--as", "alice", "note", "INC-1001", "checking")
        took = time.monotonic() - started
        listed = esctui(store_path, "ls")  # reading takes no lock
    assert refused.returncode == 3, refused.stderr
    assert took < 20
    lock = store_path / "store.lock"
    assert refused.stderr.startswith(f"esctui: The store is locked: process {holder.pid} (python")
    assert f"has held {lock} for more than 10 s, so nothing was written." in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert listed.returncode == 0 and "INC-1001" in listed.stdout
    after = esctui(store_path, "--as", "alice", "note", "INC-1001", "checking")
    assert after.returncode == 0, after.stderr


def test_readers_in_the_process_of_a_waiting_writer_carry_on(store_path: Path) -> None:
    store = JournalStore(store_path)
    store.load()
    read: list[object] = []

    def write() -> None:
        execute(store, c.AddNote(incident="INC-1001", text="waited"), "alice")

    def look() -> None:
        read.extend([store.queue(), store.timeline("INC-1001")])

    with LockHolder(store_path) as holder:
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)  # the writer is waiting for the lock now
        reader = threading.Thread(target=look)
        reader.start()
        reader.join(timeout=2)
        answered = not reader.is_alive()
        holder.release()
        writer.join(timeout=10)
        reader.join(timeout=10)
    assert answered, "a reader waited for the writer waiting for the lock"
    assert not writer.is_alive()
    queue, timeline = read
    assert isinstance(queue, Queue) and queue.incidents["INC-1001"].notes == 0 and timeline
    assert store.queue().incidents["INC-1001"].notes == 1
