"""Real processes against one store: concurrent writers, and writers killed mid-action."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from esctui.domain.events import NoteAdded
from esctui.domain.lifecycle import replay
from esctui.stores.journal import JournalStore, codec

WORKER = Path(__file__).with_name("worker.py")


def start(store_path: Path, actor: str, count: int, pad: int = 0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(store_path), actor, str(count), str(pad)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reported(output: str) -> dict[str, int]:
    done = {}
    for line in output.splitlines():
        _, text, revision = line.split()
        done[text] = int(revision)
    return done


def notes_in(store: JournalStore) -> list[tuple[str, int]]:
    """(note label, incident version) for every note, from the timelines."""
    found = []
    for incident in store.incidents:
        for event in store.timeline(incident):
            if isinstance(event, NoteAdded):
                found.append((event.text.split()[0], event.version))
    return found


def journal_revisions(store_path: Path) -> list[int]:
    lines = (store_path / codec.JOURNAL).read_bytes().splitlines()
    return [codec.decode_line(line)[0] for line in lines]


def assert_consistent(store: JournalStore) -> None:
    for incident_id, state in store.incidents.items():
        timeline = store.timeline(incident_id)
        assert replay(timeline) == state
        assert [e.version for e in timeline] == list(range(1, len(timeline) + 1))


def test_concurrent_writers_lose_nothing_and_repeat_nothing(store_path: Path) -> None:
    actors = ["alice", "bob", "carol", "dave"]
    workers = [start(store_path, actor, 40) for actor in actors]
    done: dict[str, int] = {}
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        done |= reported(out)
    assert len(done) == 160

    store = JournalStore(store_path)
    store.load()
    labels = [label for label, _ in notes_in(store)]
    assert sorted(labels) == sorted(done)  # each reported note exactly once, nothing else
    revisions = journal_revisions(store_path)
    assert revisions == list(range(1, 1 + len(revisions)))  # unique, in order, no gaps
    assert set(done.values()) <= set(revisions)
    assert_consistent(store)


def test_a_writer_killed_at_random_moments_never_loses_what_it_reported(
    store_path: Path,
) -> None:
    rng = random.Random(20261123)
    done: dict[str, int] = {}
    torn = 0
    for round_ in range(25):
        worker = start(store_path, "bob", 10_000, pad=rng.choice([0, 2_000, 200_000]))
        time.sleep(rng.uniform(0.15, 0.6))
        worker.send_signal(signal.SIGKILL)
        out, _ = worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        done |= {f"{round_}:{k}": v for k, v in reported(out).items()}
        data = (store_path / codec.JOURNAL).read_bytes()
        torn += bool(data) and not data.endswith(b"\n")

        store = JournalStore(store_path)
        store.load()  # always opens
        labels = {label for label, _ in notes_in(store)}
        round_labels = {k.split(":", 1)[1] for k in done if k.startswith(f"{round_}:")}
        assert round_labels <= labels
        assert store.revision >= max(done.values(), default=0)
        assert_consistent(store)

    # The next writer cuts any torn tail and carries on.
    final = start(store_path, "carol", 3)
    out, err = final.communicate(timeout=60)
    assert final.returncode == 0, err
    assert (store_path / codec.JOURNAL).read_bytes().endswith(b"\n")
    assert len(done) > 25
    print(f"{len(done)} actions reported before kills; {torn} rounds left a torn tail")
