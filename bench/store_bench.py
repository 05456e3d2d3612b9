"""Benchmarks of the engine: the CLI's `status`, one action, opening a store, following it.

    python bench/store_bench.py [--sizes 1000,10000,50000] [--runs 15] [--keys 10000]
                                [--postgres]

Stores are demo stores (about 70% resolved over 30 days) whose snapshot holds every incident,
built once per size under a temporary directory; the last column is `status` again after a
compaction archived what was resolved more than 14 days ago, as a long-running store would be.
A last line gives what the newest `--keys` idempotency keys (a team server keeps 10,000), carried
by the snapshot across a compaction, add to it and to opening the store. With `--postgres`, each
store is also moved into a database of a throwaway PostgreSQL cluster (as `esctui db import`
moves it) and `status` is timed there too, beside the journal's (`db status`).
Figures are medians (this machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from esctui.demo import build_demo, demo_identity
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore, codec, create_store
from esctui.stores.transfer import import_journal

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from acting import execute, local
from live_postgres import Postgres

OPEN_PROBE = """
import resource, sys, time
from pathlib import Path
started = time.perf_counter()
from esctui.stores.journal import JournalStore
store = JournalStore(Path(sys.argv[1]))
store.load()
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(store.incidents))
"""


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def build(root: Path, size: int) -> Path:
    path = root / f"store-{size}"
    directory, events = build_demo(size, seed=11, now=datetime.now(UTC))
    create_store(path, directory, events)
    return path


def wall(args: list[str], runs: int, env: dict[str, str]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - started)
    return samples


def open_probe(path: Path, runs: int) -> tuple[float, float, int]:
    times, rss = [], []
    count = 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", OPEN_PROBE, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        times.append(float(out[0]))
        rss.append(int(out[1]) / 1024)
        count = int(out[2])
    return median_ms(times), statistics.median(rss), count


def action_in_process(path: Path, runs: int) -> float:
    store = JournalStore(path)
    store.load()
    incident = next(i.id for i in store.incidents.values() if i.is_open)
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        execute(store, c.AddNote(incident=incident, text=f"bench note {n}"), demo_identity())
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


def follower_latency(path: Path, runs: int) -> float:
    """Median time from a writer starting an action to a follower in another process seeing
    its event, with the follower polling at its default interval."""
    probe = subprocess.Popen(
        [sys.executable, "-c", FOLLOW_PROBE, str(path), str(runs)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert probe.stdout is not None
    assert probe.stdout.readline().strip() == "ready"
    store = JournalStore(path)
    store.load()
    incident = next(i.id for i in store.incidents.values() if i.is_open)
    sent: dict[int, float] = {}
    for n in range(runs):
        [change] = execute(store, c.AddNote(incident=incident, text=f"follow {n}"), demo_identity())
        sent[change.revision] = time.time()
        time.sleep(0.3)
    seen = [json.loads(line) for line in probe.stdout]
    probe.wait(timeout=30)
    return median_ms([at - sent[revision] for revision, at in seen if revision in sent])


def recorded_keys_cost(path: Path, runs: int, count: int) -> str:
    """The snapshot's size and the time to open the store before and after `count` keyed
    actions (notes sent as the server sends them) and a compaction; then the first keyed
    action's extra cost, which decodes the keys (opening leaves them raw)."""
    store = JournalStore(path)
    store.compact()
    size_before = (path / codec.SNAPSHOT).stat().st_size / 1e6
    open_before = open_probe(path, runs)[0]
    incidents = [i.id for i in store.incidents.values() if i.is_open]
    for n in range(count):
        note = c.AddNote(incident=incidents[n % len(incidents)], text=f"replica lag {n} ms")
        execute(store, note, demo_identity(), key=f"{demo_identity()}\x1f{uuid.uuid4().hex}")
    store.compact()
    size_after = (path / codec.SNAPSHOT).stat().st_size / 1e6
    open_after = open_probe(path, runs)[0]
    decoded = []
    for _ in range(runs):
        fresh = JournalStore(path)
        fresh.load()
        started = time.perf_counter()
        fresh.keys.recorded()
        decoded.append(time.perf_counter() - started)
    return (
        f"{count:,} idempotency keys in the last store: snapshot {size_before:.1f} -> "
        f"{size_after:.1f} MB, open {open_before:.0f} -> {open_after:.0f} ms;\n"
        f"  the first keyed action after opening decodes them in {median_ms(decoded):.0f} ms"
    )


FOLLOW_PROBE = """
import asyncio, json, sys, time
from pathlib import Path
from esctui.backends.local import open_local

async def main():
    backend = open_local(sys.argv[1])
    queue = await backend.open()
    print("ready", flush=True)
    seen = 0
    async for update in backend.follow(queue.revision):
        now = time.time()
        for change in update.changes:
            print(json.dumps([change.revision, now]), flush=True)
            seen += 1
        if seen >= int(sys.argv[2]):
            return

asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keys", type=int, default=10_000, help="Keyed actions to record.")
    parser.add_argument("--postgres", action="store_true", help="Time status on PostgreSQL too.")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    # Interpreters cache compiled modules; measure the CLI as an installed tool runs.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    bare = median_ms(wall([sys.executable, "-c", "pass"], options.runs, dict(os.environ)))
    print(f"python -c pass: {bare:.0f} ms (interpreter start-up on this machine)")
    cluster = Postgres().start() if options.postgres else None
    with tempfile.TemporaryDirectory() as temp, contextlib.ExitStack() as stack:
        if cluster is not None:
            stack.callback(cluster.close)
        root = Path(temp)
        print(
            f"{'incidents':>9}  {'status':>10}  {'open':>9}  {'open RSS':>9}  "
            f"{'action':>9}  {'CLI action':>10}  {'follow':>9}  {'compacted':>11}"
            + (f"  {'db status':>10}" if cluster else "")
        )
        for size in sizes:
            path = build(root, size)
            env = {
                **os.environ,
                "ESCTUI_STORE": str(path),
                "ESCTUI_USER": demo_identity(),
                "ESCTUI_CONFIG": str(root / "no-config.toml"),
            }
            wall([sys.executable, "-m", "esctui", "status"], 1, env)  # compile once
            status = median_ms(wall([sys.executable, "-m", "esctui", "status"], options.runs, env))
            database = ""
            if cluster is not None:
                url = cluster.create_database(f"bench{size}")
                asyncio.run(import_journal(path, url))
                in_db = {**env, "ESCTUI_STORE": url}
                wall([sys.executable, "-m", "esctui", "status"], 1, in_db)
                took = median_ms(
                    wall([sys.executable, "-m", "esctui", "status"], options.runs, in_db)
                )
                database = f"  {took:>8.0f}ms"
            opened, rss, held = open_probe(path, max(5, options.runs // 3))
            action = action_in_process(path, options.runs * 4)
            incident = next(
                i.id for i in asyncio.run(local(path).open()).incidents.values() if i.is_open
            )
            cli_action = median_ms(
                wall(
                    [sys.executable, "-m", "esctui", "note", incident, "from the CLI"],
                    options.runs,
                    env,
                )
            )
            follow = follower_latency(path, 10)
            # Steady state: what a long-running store holds after its compaction archived
            # incidents resolved more than 14 days ago.
            JournalStore(path).compact()
            compacted = median_ms(
                wall([sys.executable, "-m", "esctui", "status"], options.runs, env)
            )
            print(
                f"{held:>9}  {status:>8.0f}ms  {opened:>7.0f}ms  {rss:>7.0f}MB  "
                f"{action:>7.2f}ms  {cli_action:>8.0f}ms  {follow:>7.0f}ms  {compacted:>9.0f}ms"
                + database,
                flush=True,
            )
        print(recorded_keys_cost(path, max(5, options.runs // 3), options.keys))
    print("goals at 10k: status <= 150 ms, open <= 200 ms and <= 150 MB, action <= 5 ms")
    print(f"status and CLI action include the {bare:.0f} ms interpreter start-up above")


if __name__ == "__main__":
    main()
