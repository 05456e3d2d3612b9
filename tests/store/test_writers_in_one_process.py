"""Writers in one process (a server's requests) take turns on the store without waiting on each
other longer than the write before them takes: the next is let in as soon as the last lets go,
not at its next look at the lock."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

from esctui.stores.journal import JournalStore


def handover(store: JournalStore) -> float:
    """How long a writer waiting for another of its process waits once that one lets go."""
    holding = threading.Event()
    let_go: list[float] = []
    got: list[float] = []

    def first() -> None:
        with store.writing():
            holding.set()
            time.sleep(0.2)  # long enough for the second to be waiting its longest
            let_go.append(time.perf_counter())

    def second() -> None:
        holding.wait()
        with store.writing():
            got.append(time.perf_counter())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return got[0] - let_go[0]


def test_a_writer_is_let_in_as_soon_as_another_of_its_process_lets_go(store_path: Path) -> None:
    store = JournalStore(store_path)
    store.load()
    delays = [handover(store) for _ in range(7)]
    assert statistics.median(delays) < 0.004, delays
