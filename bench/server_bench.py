"""Benchmark of the team server: actions posted while many consoles follow the event stream.

    python bench/server_bench.py [--subscribers 50] [--seconds 10] [--rate 250] [--workers 8]
                                 [--processes 1] [--postgres | --database URL]

`esctui serve` runs in processes of its own (`--processes`, over one store) over a fresh demo
store: a journal directory, or (`--postgres`: a throwaway cluster, as the tests start one;
`--database URL`: an empty database of yours) the same demo moved into PostgreSQL as
`esctui db import` moves it. In this process, `--subscribers` event-stream subscribers on
each server process (plain sockets, reading `id:` lines) and a load generator (httpx, one
incident per worker, the workers spread over the processes, cycling acknowledge, note,
unacknowledge, communication, each with If-Match) share what is left of the machine. Two runs:

- flat out: every worker posts its next action as soon as the last one is answered; the figure
  is actions per second recorded by the servers;
- paced: actions started at a fixed rate (default 250/s), spread over the workers.

For each action, the latency is from just before the POST to the moment its event (matched by
revision) has reached every subscriber of every process; p50, p90, p99 and max are printed,
then each server's resident memory (now, and its peak). Figures vary with the machine's load:
run it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from esctui.demo import build_demo
from esctui.domain.models import Status
from esctui.stores.journal import JournalStore, create_store
from esctui.stores.journal.tokens import TokenBook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # live_postgres

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
    urls: list[str],
    token: str,
    incidents: list[str],
    subscribers: int,
    seconds: float,
    rate: float | None,
) -> tuple[list[float], float, int, int]:
    clients = [
        httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_connections=len(incidents)),
            timeout=30,
        )
        for url in urls
    ]
    try:
        revision = max([(await c.get("/healthz")).json()["revision"] for c in clients])
        subs = [Subscriber() for _ in range(subscribers * len(urls))]
        readies = [asyncio.Event() for _ in subs]
        tasks = []
        for n, (sub, ready) in enumerate(zip(subs, readies, strict=True)):
            host, port = urls[n % len(urls)].removeprefix("http://").split(":")
            tasks.append(asyncio.create_task(sub.run(host, int(port), token, revision, ready)))
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
        await asyncio.gather(
            *(
                worker(clients[n % len(clients)], incident, results, stop_at, ticks)
                for n, incident in enumerate(incidents)
            )
        )
        elapsed = time.perf_counter() - started
        if pacer is not None:
            await pacer
        newest = max(rev for _, rev in results)
        deadline = time.perf_counter() + 10
        while any(sub.newest < newest for sub in subs) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        for task in tasks:
            task.cancel()
    finally:
        for c in clients:
            await c.aclose()
    latencies = []
    missing = 0
    for sent, rev in results:
        arrivals = [sub.arrived.get(rev) for sub in subs]
        if any(a is None for a in arrivals):
            missing += 1
            continue
        latencies.append(max(a for a in arrivals if a is not None) - sent)
    return latencies, elapsed, len(results), missing


def describe(
    label: str, latencies: list[float], elapsed: float, count: int, missing: int, cpu: str
) -> None:
    ms = sorted(x * 1000 for x in latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    print(
        f"{label:<24} {count / elapsed:7.0f} actions/s over {elapsed:4.1f} s ({count} actions)  "
        f"POST->every subscriber: p50 {cuts[49]:.1f} ms  p90 {cuts[89]:.1f} ms  "
        f"p99 {cuts[98]:.1f} ms  max {ms[-1]:.1f} ms"
        + (f"  ({missing} events never arrived!)" if missing else "")
    )
    print(f"{'':<24} CPU per action: {cpu}")


def cpu_seconds(pids: list[int], *, reaped: bool = False) -> float:
    """The CPU time (user and system) the processes have used so far, with (`reaped`) that of
    their children that ended (Linux)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            if reaped:
                total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == parent:
                found.append(int(stat.parent.name))
    return found


class Cpu:
    """CPU time spent by the servers, and by the database cluster where the bench started it
    (its postmaster and every backend), per action: a figure the machine's load moves far less
    than throughput."""

    def __init__(self, servers: list[int], postmaster: int | None) -> None:
        self.servers = servers
        self.postmaster = postmaster
        self.start = self.used()

    def used(self) -> tuple[float, float]:
        database = 0.0
        if self.postmaster is not None:
            database = cpu_seconds([self.postmaster], reaped=True)
            database += cpu_seconds(children(self.postmaster))
        return cpu_seconds(self.servers), database

    def per_action(self, count: int) -> str:
        (server, database), (server_0, database_0) = self.used(), self.start
        said = f"servers {(server - server_0) * 1000 / count:.2f} ms"
        if self.postmaster is not None:
            said += f", PostgreSQL {(database - database_0) * 1000 / count:.2f} ms"
        return said


def memory(pid: int) -> str:
    """A process's resident memory now and at its peak (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    now, peak = (int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))
    return f"{now:.0f} MB (peak {peak:.0f} MB)"


def serve(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "esctui", *command, "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stderr is not None
    line = server.stderr.readline()
    found = re.search(r"at (http://\S+)", line)
    if not found:
        raise SystemExit(f"serve did not start: {line}")
    return server, found[1]


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[str | None, int | None]]:
    """The database to serve: the one given, a throwaway cluster's, or none (the journal);
    and the cluster's postmaster, where the bench started it."""
    if args.database:
        yield args.database, None
        return
    if not args.postgres:
        yield None, None
        return
    from live_postgres import Postgres

    cluster = Postgres().start()
    try:
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        yield cluster.create_database(), postmaster
    finally:
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=50, help="On each process.")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=250.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true", help="A throwaway PostgreSQL cluster.")
    where.add_argument("--database", metavar="URL", help="An empty PostgreSQL database.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temp, database(args) as (url, postmaster):
        store_path = Path(temp) / "store"
        directory, events = build_demo(200, seed=11, now=datetime.now(UTC))
        create_store(store_path, directory, events)
        token, _ = TokenBook(store_path).create("frank", datetime.now(UTC))
        store = JournalStore(store_path)
        store.load()
        triggered = sorted(i.id for i in store.incidents.values() if i.status is Status.TRIGGERED)
        incidents = triggered[: args.workers]
        assert len(incidents) == args.workers, "not enough triggered incidents in the demo"
        command = ["--store", str(store_path), "serve"]
        if url is not None:
            from esctui.stores.transfer import import_journal

            asyncio.run(import_journal(store_path, url))  # as `esctui db import` does
            command = ["serve", "--database", url]
        env = {**os.environ, "ESCTUI_CONFIG": str(Path(temp) / "none.toml")}
        servers = [serve(command, env) for _ in range(args.processes)]
        try:
            urls = [at for _, at in servers]
            kind = "journal store" if url is None else "PostgreSQL database"
            print(
                f"esctui serve at {', '.join(urls)} over a {kind}; {args.subscribers} "
                f"subscribers on each, {args.workers} workers, {os.cpu_count()} CPUs"
            )
            for label, rate in (("flat out", None), (f"paced at {args.rate:.0f}/s", args.rate)):
                cpu = Cpu([server.pid for server, _ in servers], postmaster)
                latencies, elapsed, count, missing = asyncio.run(
                    run(urls, token, incidents, args.subscribers, args.seconds, rate)
                )
                describe(label, latencies, elapsed, count, missing, cpu.per_action(count))
            for server, at in servers:
                print(f"server at {at}: RSS {memory(server.pid)}")
        finally:
            for server, _ in servers:
                server.terminate()
                server.wait(timeout=10)


if __name__ == "__main__":
    main()
