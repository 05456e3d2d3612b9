"""A real team server for the tests: uvicorn on 127.0.0.1 at a free port, over a demo store.

`server` runs it in a thread of the test process (fast to start and stop); `spawned`
runs `esctui serve` as a process of its own (live_server.py), for tests that kill it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from esctui.backends.http.backend import HttpBackend
from esctui.backends.local import open_local
from esctui.demo import build_demo
from esctui.server.app import ServerSettings, create_app
from esctui.server.running import listen, uvicorn_server
from esctui.stores.journal import create_store
from live_server import Spawned, make_tokens
from live_server import reopen as reopen  # the tests here take it from this module

FAST = ServerSettings(
    poll_every=0.05, escalate_every=0.5, heartbeat=0.5, intake_every=0.2, repeats_every=0.5
)


@dataclass
class Running:
    url: str
    store: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str = "frank") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def backend(self, who: str = "frank", outbox: Path | None = None) -> HttpBackend:
        return HttpBackend(
            self.url,
            self.tokens[who],
            outbox=outbox or self.store.parent / f"outbox-{who}.jsonl",
            backoff=0.05,
        )


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo store with 40 incidents and tokens for frank and alice; config points nowhere."""
    path = tmp_path / "store"
    directory, events = build_demo(40, seed=5, now=datetime.now(UTC))
    create_store(path, directory, events)
    monkeypatch.setenv("ESCTUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("ESCTUI_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("ESCTUI_SERVER", raising=False)
    monkeypatch.delenv("ESCTUI_TOKEN", raising=False)
    monkeypatch.delenv("ESCTUI_STORE", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    return path


@pytest.fixture
def server(store_path: Path) -> Iterator[Running]:
    yield from run_in_thread(store_path, FAST)


def run_in_thread(store_path: Path, settings: ServerSettings) -> Iterator[Running]:
    tokens = make_tokens(store_path)
    sock = listen("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    backend = open_local(str(store_path), lock_wait=settings.lock_wait)
    intake = backend.intake(repeats_every=timedelta(seconds=settings.repeats_every))
    uv = uvicorn_server(create_app(backend, backend.tokens, settings, intake), None)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield Running(url=f"http://{host}:{port}", store=store_path, tokens=tokens)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def spawned(store_path: Path) -> Iterator[tuple[Spawned, dict[str, str]]]:
    tokens = make_tokens(store_path)
    process = Spawned(store_path)
    try:
        yield process, tokens
    finally:
        process.stop()
