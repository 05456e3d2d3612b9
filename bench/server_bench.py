"""Benchmark of the team server: actions posted while many consoles follow the event stream.

    python bench/server_bench.py [--subscribers 50] [--seconds 10] [--rate 250] [--workers 8]

`esctui serve` runs in its own process over a fresh demo store. In this process, 50 event-stream
subscribers (plain sockets, reading `id:` lines) and a load generator (httpx, one incident per
worker, cycling acknowledge, note, unacknowledge, communication, each with If-Match) share the
other core. Two runs:

- flat out: every worker posts its next action as soon as the last one is answered; the figure
  is actions per second recorded by the server;
- paced: actions started at a fixed rate (default 250/s, the goal), spread over the workers.

For each action, the latency is from just before the POST to the moment its event (matched by
revision) has reached every subscriber; p50, p90, p99 and max are printed. Figures vary with
the machine's load: run it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from esctui.demo import build_demo
from esctui.domain.models import Status
from esctui.stores.journal import JournalStore, create_store
from esctui.stores.journal.tokens import TokenBook

ID_LINE = re.compile(rb"^id: (\d+)$", re.M)


class Subscriber:
    """One event stream over a plain socket: when each revision arrived."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.newest = 0

    async def run(self, host: str, port: int, token: str, after: int, ready: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(
            f"GET /v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Last-Event-ID: {after}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        pending = b""
        try:
            while True:
                chunk = await reader.read(262144)
                if not chunk:
                    return
                now = time.perf_counter()
                ready.set()
                data = pending + chunk
                cut = data.rfind(b"\n\n")
                if cut < 0:
                    pending = data
                    continue
                pending = data[cut + 2 :]
                for found in ID_LINE.finditer(data, 0, cut):
                    revision = int(found[1])
                    self.arrived[revision] = now
                    self.newest = revision
        finally:
            writer.close()


def cycle(incident: str) -> list[tuple[str, dict[str, object] | None]]:
    base = f"/v1/incidents/{incident}"
    return [
        (f"{base}/actions/acknowledge", None),
        (f"{base}/notes", {"text": "looking at the dashboards"}),
        (f"{base}/actions/unacknowledge", {"reason": "handing back"}),
        (
            f"{base}/communications",
            {"channel": "email", "direction": "out", "counterpart": "Acme", "summary": "update"},
        ),
    ]


async def worker(
    client: httpx.AsyncClient,
    incident: str,
    results: list[tuple[float, int]],
    stop_at: float,
    ticks: asyncio.Queue[float] | None,
) -> None:
    version = (await client.get(f"/v1/incidents/{incident}")).json()["incident"]["version"]
    for path, body in itertools.cycle(cycle(incident)):
        if ticks is not None:
            started = await ticks.get()
            if started < 0:
                return
            await asyncio.sleep(max(0.0, started - time.perf_counter()))
        if time.perf_counter() >= stop_at:
            return
        sent = time.perf_counter()
        response = await client.post(path, json=body, headers={"If-Match": f'"{version}"'})
        answer = response.json()
        if response.status_code in (409, 412):  # auto-escalation moved it, or a bad step
            version = answer["incident"]["version"] if answer.get("incident") else version
            continue
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text}")
        version = answer["incident"]["version"]
        results.append((sent, answer["changes"][-1]["revision"]))


async def pace(ticks: asyncio.Queue[float], rate: float, stop_at: float, workers: int) -> None:
    start = time.perf_counter()
    for n in itertools.count():
        at = start + n / rate
        if at >= stop_at:
            break
        ticks.put_nowait(at)
        await asyncio.sleep(max(0.0, at - time.perf_counter() - 0.002))
    for _ in range(workers):
        ticks.put_nowait(-1.0)


async def run(
    url: str,
    token: str,
    incidents: list[str],
    subscribers: int,
    seconds: float,
    rate: float | None,
) -> tuple[list[float], float, int, int]:
    host, port = url.removeprefix("http://").split(":")
    async with httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=len(incidents)),
        timeout=30,
    ) as client:
        revision = (await client.get("/healthz")).json()["revision"]
        subs = [Subscriber() for _ in range(subscribers)]
        readies = [asyncio.Event() for _ in subs]
        tasks = [
            asyncio.create_task(sub.run(host, int(port), token, revision, ready))
            for sub, ready in zip(subs, readies, strict=True)
        ]
        await asyncio.gather(*(ready.wait() for ready in readies))
        results: list[tuple[float, int]] = []
        started = time.perf_counter()
        stop_at = started + seconds
        ticks: asyncio.Queue[float] | None = asyncio.Queue() if rate else None
        pacer = (
            asyncio.create_task(pace(ticks, rate, stop_at, len(incidents)))
            if ticks is not None and rate
            else None
        )
        await asyncio.gather(*(worker(client, i, results, stop_at, ticks) for i in incidents))
        elapsed = time.perf_counter() - started
        if pacer is not None:
            await pacer
        newest = max(rev for _, rev in results)
        deadline = time.perf_counter() + 10
        while any(sub.newest < newest for sub in subs) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        for task in tasks:
            task.cancel()
        latencies = []
        missing = 0
        for sent, rev in results:
            arrivals = [sub.arrived.get(rev) for sub in subs]
            if any(a is None for a in arrivals):
                missing += 1
                continue
            latencies.append(max(a for a in arrivals if a is not None) - sent)
        return latencies, elapsed, len(results), missing


def describe(label: str, latencies: list[float], elapsed: float, count: int, missing: int) -> None:
    ms = sorted(x * 1000 for x in latencies)
    cuts = statistics.quantiles(ms, n=100)
    print(
        f"{label:<24} {count / elapsed:7.0f} actions/s over {elapsed:4.1f} s ({count} actions)  "
        f"POST->every subscriber: p50 {cuts[49]:.1f} ms  p90 {cuts[89]:.1f} ms  "
        f"p99 {cuts[98]:.1f} ms  max {ms[-1]:.1f} ms"
        + (f"  ({missing} events never arrived!)" if missing else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=250.0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temp:
        store_path = Path(temp) / "store"
        directory, events = build_demo(200, seed=11, now=datetime.now(UTC))
        create_store(store_path, directory, events)
        token, _ = TokenBook(store_path).create("frank", datetime.now(UTC))
        store = JournalStore(store_path)
        store.load()
        triggered = sorted(i.id for i in store.incidents.values() if i.status is Status.TRIGGERED)
        incidents = triggered[: args.workers]
        assert len(incidents) == args.workers, "not enough triggered incidents in the demo"
        server = subprocess.Popen(
            [sys.executable, "-m", "esctui", "--store", str(store_path), "serve", "--port", "0"],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "ESCTUI_CONFIG": str(Path(temp) / "none.toml")},
        )
        try:
            assert server.stderr is not None
            line = server.stderr.readline()
            found = re.search(r"at (http://\S+)", line)
            if not found:
                raise SystemExit(f"serve did not start: {line}")
            url = found[1]
            print(
                f"esctui serve at {url}; {args.subscribers} subscribers, {args.workers} workers, "
                f"{os.cpu_count()} CPUs"
            )
            for label, rate in (("flat out", None), (f"paced at {args.rate:.0f}/s", args.rate)):
                latencies, elapsed, count, missing = asyncio.run(
                    run(url, token, incidents, args.subscribers, args.seconds, rate)
                )
                describe(label, latencies, elapsed, count, missing)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
