"""A real team server for the tests: uvicorn on 127.0.0.1 at a free port, over a demo store.

`server` runs it in a thread of the test process (fast to start and stop); `spawn_server`
runs `esctui serve` as a process of its own, for tests that kill it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from esctui.backends.http.backend import HttpBackend
from esctui.backends.journal import JournalStore, create_store
from esctui.backends.journal.tokens import TokenBook
from esctui.demo import build_demo
from esctui.server.app import ServerSettings, create_app
from esctui.server.running import listen, uvicorn_server

FAST = ServerSettings(poll_every=0.05, escalate_every=0.5, heartbeat=0.5)


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


def reopen(path: Path) -> JournalStore:
    store = JournalStore(path)
    store.load()
    return store


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


def make_tokens(store: Path) -> dict[str, str]:
    book = TokenBook(store)
    return {name: book.create(name, datetime.now(UTC))[0] for name in ("frank", "alice")}


@pytest.fixture
def server(store_path: Path) -> Iterator[Running]:
    yield from run_in_thread(store_path, FAST)


def run_in_thread(store_path: Path, settings: ServerSettings) -> Iterator[Running]:
    tokens = make_tokens(store_path)
    sock = listen("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    uv = uvicorn_server(create_app(store_path, settings), None)
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


class Spawned:
    """`esctui serve` in its own process, which a test may kill and start again."""

    def __init__(self, store: Path, port: int = 0) -> None:
        self.store = store
        self.port = port
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        command = [sys.executable, "-m", "esctui", "--store", str(self.store), "serve"]
        command += ["--port", str(self.port), "--escalate-every", "0.5"]
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, env={**os.environ}
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        found = re.search(r"at (http://127\.0\.0\.1:(\d+))", line)
        assert found, f"serve said: {line!r}"
        self.url, self.port = found[1], int(found[2])
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self.url
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def spawned(store_path: Path) -> Iterator[tuple[Spawned, dict[str, str]]]:
    tokens = make_tokens(store_path)
    process = Spawned(store_path)
    try:
        yield process, tokens
    finally:
        process.stop()
