"""A real team server for the tests: uvicorn on 127.0.0.1 at a free port, over a demo store.

`server` runs it in a thread of the test process (fast to start and stop); `spawned` runs
`esctui serve` as a process of its own (live_server.py), for tests that kill it. Both serve
each kind of store in turn (`served`: a journal directory, then a PostgreSQL database holding
the same demo); a test about the journal's own files takes `journal_only`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from esctui.backends.http.backend import HttpBackend
from esctui.backends.local import open_local
from esctui.demo import build_demo
from esctui.domain.models import (
    Directory,
    EscalationLevel,
    EscalationPolicy,
    Responder,
    Service,
    Target,
)
from esctui.server.app import ServerSettings, create_app
from esctui.server.running import listen, uvicorn_server
from esctui.stores.journal import create_store
from live_server import Spawned
from live_server import reopen as reopen  # the tests of journal files take it from here
from served_store import STORES, ServedStore, database_holding, journal_store, new_store

FAST = ServerSettings(poll_every=0.05, escalate_every=0.5, heartbeat=0.5)

# For a test about the journal store's own files (locks, modes, a full disk, compaction).
journal_only = pytest.mark.parametrize("served", ["journal"], indirect=True)


def team() -> Directory:
    """alice is paged first, bob ten minutes later; frank and ivan (an administrator) use the
    server."""
    return Directory(
        responders=tuple(Responder(name) for name in ("alice", "bob", "frank", "ivan")),
        policies=(
            EscalationPolicy(
                name="default",
                levels=tuple(
                    EscalationLevel(
                        targets=(Target(kind="responder", name=name),), timeout_minutes=10
                    )
                    for name in ("alice", "bob")
                ),
            ),
        ),
        services=(Service(name="api", policy="default"),),
    )


@dataclass
class Running:
    url: str
    store: ServedStore
    scratch: Path  # where a test keeps its files (outboxes, directory files)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str = "frank") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def backend(self, who: str = "frank", outbox: Path | None = None) -> HttpBackend:
        return HttpBackend(
            self.url,
            self.tokens[who],
            outbox=outbox or self.scratch / f"outbox-{who}.jsonl",
            backoff=0.05,
        )


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo store with 40 incidents; config points nowhere."""
    path = tmp_path / "store"
    directory, events = build_demo(40, seed=5, now=datetime.now(UTC))
    create_store(path, directory, events)
    monkeypatch.setenv("ESCTUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("ESCTUI_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("ESCTUI_SERVER", raising=False)
    monkeypatch.delenv("ESCTUI_TOKEN", raising=False)
    monkeypatch.delenv("ESCTUI_STORE", raising=False)
    monkeypatch.delenv("ESCTUI_DATABASE", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    return path


@pytest.fixture(params=STORES)
def served(request: pytest.FixtureRequest, store_path: Path) -> ServedStore:
    """The demo store of `store_path`, as the kind of store the parameter names."""
    if request.param == "postgres":
        return database_holding(store_path, request.getfixturevalue("database"))
    return journal_store(store_path)


@pytest.fixture(params=STORES)
def team_store(request: pytest.FixtureRequest, store_path: Path) -> ServedStore:
    """A new store of the parameter's kind holding `team()` and no incident."""
    url = request.getfixturevalue("database") if request.param == "postgres" else None
    return new_store(request.param, team(), path=store_path.with_name("team"), url=url)


@pytest.fixture
def server(served: ServedStore, tmp_path: Path) -> Iterator[Running]:
    yield from run_in_thread(served, FAST, tmp_path)


def run_in_thread(store: ServedStore, settings: ServerSettings, scratch: Path) -> Iterator[Running]:
    tokens = store.make_tokens()
    sock = listen("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    backend = open_local(store.where, lock_wait=settings.lock_wait)
    uv = uvicorn_server(create_app(backend, backend.tokens, settings), None)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield Running(url=f"http://{host}:{port}", store=store, scratch=scratch, tokens=tokens)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def spawned(served: ServedStore) -> Iterator[tuple[Spawned, dict[str, str]]]:
    tokens = served.make_tokens()
    process = Spawned(served)
    try:
        yield process, tokens
    finally:
        process.stop()
