"""Benchmark of alerts in: Alertmanager webhooks and Events API storms into `esctui serve`.

    python bench/intake_bench.py [--stores journal,postgres] [--seconds 10] [--workers 4]
                                 [--group 100] [--webhook-rate 20] [--event-rate 1000]

`esctui serve` runs in its own process over a fresh demo store (a journal directory; or a
PostgreSQL database, a throwaway cluster started as the tests start one, with the same demo
imported), with an alertmanager and an events integration made by `esctui integration create`.
In this process a load generator (httpx, `--workers` senders at once) shares the other core.

- Alertmanager: webhooks as Alertmanager sends them, each for a new alert group of `--group`
  alerts (each opens an incident holding its alerts); the figure is alerts ingested per second.
- Events API: a storm where 9 events in 10 repeat the trigger of an incident already open (a
  dedup key seen before) and 1 in 10 is new; the figure is events per second.

Each runs flat out (every sender sends again as soon as it is answered: the throughput) and
paced (requests started at a fixed rate: the goal, 2,000 alerts/s and 1,000 events/s, to read
the response times at that rate). Response times are from just before the POST to its answer
(the notification recorded, durably): p50, p90, p99, max. Figures vary with the machine's load:
run it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from esctui.demo import build_demo
from esctui.stores.journal import create_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PostgreSQL cluster the tests start

Body = Callable[[int], bytes]


def esctui(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "esctui", *args], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise SystemExit(f"esctui {' '.join(args)}: {done.stderr}")
    return done.stdout.strip()


@contextmanager
def place(kind: str, temp: Path, env: dict[str, str]) -> Iterator[str]:
    """A store with the demo in it: its directory, or a database's URL."""
    store = temp / f"store-{kind}"
    directory, events = build_demo(200, seed=11, now=datetime.now(UTC))
    create_store(store, directory, events)
    if kind == "journal":
        yield str(store)
        return
    from live_postgres import Postgres

    cluster = Postgres().start()
    try:
        url = cluster.create_database()
        esctui(env, "db", "migrate", "--database", url)
        esctui(env, "db", "import", "--database", url, "--from", str(store))
        yield url
    finally:
        cluster.close()


@contextmanager
def serving(where: str, env: dict[str, str]) -> Iterator[str]:
    flag = ["--database", where] if where.startswith("postgresql://") else []
    store = [] if flag else ["--store", where]
    server = subprocess.Popen(
        [sys.executable, "-m", "esctui", *store, "serve", "--port", "0", *flag],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        found = re.search(r"at (http://\S+)", line)
        if not found:
            raise SystemExit(f"serve did not start: {line}")
        yield found[1]
    finally:
        server.terminate()
        server.wait(timeout=20)


def webhooks(group: int) -> Body:
    """The n-th webhook: a new group of `group` firing alerts, as Alertmanager sends it."""
    starts = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()

    def body(n: int) -> bytes:
        name = f"Bench{n}"
        alerts = [
            {
                "status": "firing",
                "labels": {"alertname": name, "instance": f"node-{i}", "severity": "warning"},
                "annotations": {"summary": f"{name} on node-{i}", "runbook": "https://wiki/x"},
                "startsAt": starts,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": f"http://prometheus:9090/graph?g0.expr={name}",
                "fingerprint": f"{n:08x}{i:08x}",
            }
            for i in range(group)
        ]
        return json.dumps(
            {
                "version": "4",
                "groupKey": f'{{}}:{{alertname="{name}"}}',
                "truncatedAlerts": 0,
                "status": "firing",
                "receiver": "esctui",
                "groupLabels": {"alertname": name},
                "commonLabels": {"alertname": name, "severity": "warning"},
                "commonAnnotations": {"runbook": "https://wiki/x"},
                "externalURL": "http://alertmanager:9093",
                "alerts": alerts,
            }
        ).encode()

    return body


def storm(routing_key: str) -> Body:
    """The n-th event of a storm: 1 in 10 a new dedup key, the rest one seen before."""
    rng = random.Random(7)

    def body(n: int) -> bytes:
        key = f"storm-{n // 10}" if n % 10 == 0 else f"storm-{rng.randrange(n // 10 + 1)}"
        return json.dumps(
            {
                "routing_key": routing_key,
                "event_action": "trigger",
                "dedup_key": key,
                "payload": {
                    "summary": f"Disk full on {key}",
                    "source": f"{key}.example.com",
                    "severity": "error",
                    "custom_details": {"free": "0 bytes"},
                },
            }
        ).encode()

    return body


class Connection:
    """One keep-alive HTTP/1.1 connection, written and read by hand: a load generator that
    costs the shared cores far less than an HTTP client library would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        host, port = url.removeprefix("http://").split(":")
        return cls(*await asyncio.open_connection(host, int(port)))

    async def post(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        self.writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def send(
    url: str,
    path: str,
    headers: dict[str, str],
    body: Body,
    workers: int,
    seconds: float,
    rate: float | None,
) -> tuple[list[float], float]:
    """Send `body(0)`, `body(1)`, ... from `workers` senders for `seconds` (paced at `rate`
    a second, or flat out); each answer's time, and how long it took in all."""
    numbers = itertools.count()
    times: list[float] = []
    lines = [f"POST {path} HTTP/1.1", "Host: bench", "Content-Type: application/json"]
    head = ("\r\n".join(lines + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n").encode()
    connections = [await Connection.open(url) for _ in range(workers)]
    started = time.perf_counter()
    stop_at = started + seconds

    async def sender(connection: Connection) -> None:
        while True:
            n = next(numbers)
            if rate is not None:
                await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            if time.perf_counter() >= stop_at:
                return
            content = body(n)
            sent = time.perf_counter()
            status, answer = await connection.post(head, content)
            if status not in (200, 202):
                raise SystemExit(f"{path}: {status} {answer[:300]!r}")
            times.append(time.perf_counter() - sent)

    try:
        await asyncio.gather(*(sender(connection) for connection in connections))
    finally:
        for connection in connections:
            connection.close()
    return times, time.perf_counter() - started


def describe(label: str, unit: str, per: int, times: list[float], elapsed: float) -> None:
    ms = sorted(t * 1000 for t in times)
    cuts = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    print(
        f"{label:<40} {len(ms) * per / elapsed:8.0f} {unit}/s ({len(ms)} requests in "
        f"{elapsed:4.1f} s)  response p50 {cuts[49]:.1f} ms  p90 {cuts[89]:.1f} ms  "
        f"p99 {cuts[98]:.1f} ms  max {ms[-1]:.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", default="journal,postgres")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--group", type=int, default=100)
    parser.add_argument("--webhook-rate", type=float, default=20.0)
    parser.add_argument("--event-rate", type=float, default=1000.0)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, {args.workers} senders, {args.group}-alert groups")
    with tempfile.TemporaryDirectory() as temp:
        env = {**os.environ, "ESCTUI_CONFIG": str(Path(temp) / "none.toml")}
        for kind in args.stores.split(","):
            with place(kind, Path(temp), env) as where:
                webhook_key, events_key = (
                    esctui(env, "--store", where, "integration", "create", name,
                           "--service", "checkout", "--kind", integration)
                    for name, integration in (("prom", "alertmanager"), ("grafana", "events"))
                )  # fmt: skip
                with serving(where, env) as url:
                    hooks = webhooks(args.group)
                    auth = {"Authorization": f"Bearer {webhook_key}"}
                    path = "/v1/integrations/alertmanager"
                    for label, rate in (("flat out", None), ("paced", args.webhook_rate)):
                        times, elapsed = asyncio.run(
                            send(url, path, auth, hooks, args.workers, args.seconds, rate)
                        )
                        paced = f" at {rate:.0f} webhooks/s" if rate else ""
                        describe(f"{kind} alertmanager {label}{paced}", "alerts", args.group,
                                 times, elapsed)  # fmt: skip
                    events = storm(events_key)
                    for label, rate in (("flat out", None), ("paced", args.event_rate)):
                        times, elapsed = asyncio.run(
                            send(url, "/v2/enqueue", {}, events, args.workers, args.seconds, rate)
                        )
                        paced = f" at {rate:.0f}/s" if rate else ""
                        describe(f"{kind} events 90% repeats {label}{paced}", "events", 1,
                                 times, elapsed)  # fmt: skip


if __name__ == "__main__":
    main()
