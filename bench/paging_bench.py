"""Benchmark of paging out: from the event that owes a page to the receiver having it.

    python bench/paging_bench.py [--rate 100] [--seconds 10] [--receivers 10] [--slow 2]
                                 [--postgres | --database URL]

A fresh journal store (or, with `--postgres`, a database in a throwaway cluster started as
the tests start one; with `--database URL`, an empty database of yours) holds
`rate * seconds` triggered incidents, each held at level 1 by a responder with no contact
method, over `--receivers` services whose level 2 is a responder paged by a JSON webhook
(Apprise's `json://`) to a real HTTP receiver on 127.0.0.1; the first of them answers only
after `--slow` seconds. `esctui notify` runs in its own process over the store. This process
escalates the incidents to level 2, one by one, paced at `--rate` a second (as responders'
consoles would, each escalation its own transaction), and notes when each escalation was
recorded and when its page reached the receiver (matched by the incident id in the page's
title).

Printed: the escalations a second it kept up, the pages received, the sender's CPU time per
page, and the latency p50, p90, p99 and max for the prompt receivers and for the slow one.
Latencies vary with the machine's load (a sender starved of CPU falls behind): run it twice,
and read them beside the CPU per page.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from esctui.backends.local import open_local
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.models import (
    ContactMethod,
    Directory,
    EscalationLevel,
    EscalationPolicy,
    Responder,
    Service,
    Target,
)
from esctui.stores.journal import create_store
from esctui.stores.postgres.transfer import create

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from paging.receivers import HttpReceiver  # noqa: E402 (beside the tests)

INCIDENT = re.compile(r"^SEV\d (\S+):")


def team(receiver: HttpReceiver, receivers: int) -> Directory:
    """Service `s<i>`: level 1 is `first` (never paged), level 2 is `r<i>`, paged at `/r<i>`."""
    paged = [
        Responder(f"r{i}", contact=(ContactMethod(name="hook", url=hook(receiver, i)),))
        for i in range(receivers)
    ]
    policies = tuple(
        EscalationPolicy(
            name=f"p{i}",
            levels=(
                EscalationLevel(targets=(Target("responder", "first"),), timeout_minutes=600),
                EscalationLevel(targets=(Target("responder", f"r{i}"),), timeout_minutes=600),
            ),
        )
        for i in range(receivers)
    )
    return Directory(
        responders=(Responder("first"), Responder("carol"), *paged),
        policies=policies,
        services=tuple(Service(name=f"s{i}", policy=f"p{i}") for i in range(receivers)),
    )


def hook(receiver: HttpReceiver, i: int) -> str:
    return f"json://127.0.0.1:{receiver.port}/r{i}"


def incidents(count: int, receivers: int, now: datetime) -> list[e.AnyEvent]:
    return [
        e.Triggered(
            incident=f"INC-{n + 1}",
            at=now,
            version=1,
            by=None,
            title=f"bench {n + 1}",
            service=f"s{n % receivers}",
            severity=1,
            assignee="first",
        )
        for n in range(count)
    ]


def start_notify(where: str, config: Path) -> subprocess.Popen[str]:
    sender = subprocess.Popen(
        [sys.executable, "-m", "esctui", "--store", where, "notify", "--send-timeout", "5"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ESCTUI_CONFIG": str(config)},
    )
    assert sender.stderr is not None
    said: list[str] = []
    while "This process sends the pages" not in (line := sender.stderr.readline()):
        said.append(line.strip())
        if not line:
            raise SystemExit(f"esctui notify did not start sending: {' '.join(said)}")
    # Whatever it says later (a failed try) is drained, so it never waits on a full pipe.
    threading.Thread(target=sender.stderr.read, daemon=True).start()
    # Paging a store the first time, the sender notes when it began: what was owed before
    # then is not paged, so the escalations start after it.
    deadline = time.monotonic() + 30
    while not asyncio.run(paging_began(where)):
        if time.monotonic() > deadline:
            raise SystemExit("esctui notify never noted that paging began")
        time.sleep(0.01)
    return sender


async def paging_began(where: str) -> bool:
    backend = open_local(where)
    try:
        pages = backend.paging.store()
        return (await backend.call(pages.paging)).started is not None
    finally:
        await backend.close()


async def escalate(where: str, count: int, rate: float) -> tuple[dict[str, float], float]:
    """Escalate INC-1..INC-count paced at `rate` a second, one by one, as another process on
    the store: when each was recorded (wall clock), and the seconds it all took."""
    backend = open_local(where)
    recorded: dict[str, float] = {}
    try:
        await backend.open()
        began = time.monotonic()
        for n in range(count):
            wait = began + n / rate - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            incident = f"INC-{n + 1}"
            await backend.execute(c.Escalate(incident=incident, level=2), actor="carol")
            recorded[incident] = time.time()
        return recorded, time.monotonic() - began
    finally:
        await backend.close()


def arrivals(receiver: HttpReceiver, count: int, patience: float) -> dict[str, tuple[str, float]]:
    """Each incident's page as it reached the receiver: its path, and when it arrived; waiting
    up to `patience` seconds for all `count`."""
    deadline = time.monotonic() + patience
    while True:
        with receiver.lock:
            arrived = list(receiver.arrived)
        if len(arrived) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    found: dict[str, tuple[str, float]] = {}
    for request in arrived:
        matched = INCIDENT.match(request.json().get("title", ""))
        if matched and matched[1] not in found:
            found[matched[1]] = (request.path, request.at)
    return found


def cpu_seconds(pid: int) -> float:
    """The CPU time process `pid` has used (user and system), or -1 where /proc is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def answered(receiver: HttpReceiver, count: int, patience: float) -> None:
    """Wait until the receiver has answered `count` pages (the slow one too), so the sender
    is not stopped while a page it sent is still being answered."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        with receiver.lock:
            if len(receiver.got) >= count:
                return
        time.sleep(0.05)


def describe(label: str, latencies: list[float]) -> None:
    if not latencies:
        print(f"{label:<28} no pages")
        return
    ms = sorted(x * 1000 for x in latencies)
    p50, p90, p99 = (ms[min(len(ms) - 1, math.ceil(q * len(ms)) - 1)] for q in (0.5, 0.9, 0.99))
    print(
        f"{label:<28} {len(ms):5d} pages  event->receiver: p50 {p50:.0f} ms  "
        f"p90 {p90:.0f} ms  p99 {p99:.0f} ms  max {ms[-1]:.0f} ms"
    )


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[str | None]:
    """The database to page from: the one given, a throwaway cluster's, or none (a journal
    store)."""
    if args.database:
        yield args.database
        return
    if not args.postgres:
        yield None
        return
    from live_postgres import Postgres

    cluster = Postgres().start()
    try:
        yield cluster.create_database()
    finally:
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="escalations a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--receivers", type=int, default=10)
    parser.add_argument("--slow", type=float, default=2.0, help="the slow receiver's answer, s")
    where_from = parser.add_mutually_exclusive_group()
    where_from.add_argument("--postgres", action="store_true", help="A throwaway cluster.")
    where_from.add_argument("--database", metavar="URL", help="An empty PostgreSQL database.")
    args = parser.parse_args()
    count = max(1, round(args.rate * args.seconds))

    receiver = HttpReceiver()
    receiver.answers["/r0"] = ("slow", args.slow)
    with tempfile.TemporaryDirectory() as temp, database(args) as url:
        directory = team(receiver, args.receivers)
        events = incidents(count, args.receivers, datetime.now(UTC))
        if url is None:
            where, kind = str(Path(temp) / "store"), "a journal store"
            create_store(Path(where), directory, events)
        else:
            where, kind = url, "a PostgreSQL database"
            asyncio.run(create(url, directory, events))
        sender = start_notify(where, Path(temp) / "none.toml")
        try:
            print(
                f"esctui notify over {kind}; {count} escalations at {args.rate:.0f}/s to "
                f"{args.receivers} receivers, /r0 answering after {args.slow:g} s; "
                f"{os.cpu_count()} CPUs"
            )
            cpu_before = cpu_seconds(sender.pid)
            recorded, took = asyncio.run(escalate(where, count, args.rate))
            found = arrivals(receiver, count, patience=30 + args.slow)
            answered(receiver, len(found), patience=args.slow + 5)
            cpu = cpu_seconds(sender.pid) - cpu_before
        finally:
            sender.terminate()
            sender.wait(timeout=10)
            receiver.close()
    print(f"escalated {count} in {took:.1f} s: {count / took:.0f} escalations/s")
    print(f"pages received {len(found)} of {count}")
    if found and cpu >= 0:
        print(f"esctui notify's CPU: {cpu * 1000 / len(found):.1f} ms per page")
    prompt = [at - recorded[i] for i, (path, at) in found.items() if path != "/r0"]
    slow = [at - recorded[i] for i, (path, at) in found.items() if path == "/r0"]
    describe("prompt receivers", prompt)
    describe(f"slow receiver ({args.slow:g} s)", slow)
    if len(found) < count:
        missing = sorted(set(recorded) - set(found), key=lambda i: int(i.partition("-")[2]))
        raise SystemExit(f"{len(missing)} pages never arrived: {', '.join(missing[:10])}")


if __name__ == "__main__":
    main()
