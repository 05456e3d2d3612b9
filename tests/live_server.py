"""`esctui serve` in a process of its own, for tests (of the server and of the console over
it) that kill it mid-session and start it again, over a journal store or a database."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from esctui.stores.journal import JournalStore
from esctui.stores.journal.tokens import TokenBook
from served_store import ServedStore, journal_store


def reopen(path: Path) -> JournalStore:
    store = JournalStore(path)
    store.load()
    return store


def make_tokens(store: Path) -> dict[str, str]:
    """Tokens for frank and alice, and an administrator's token (ivan's) under "admin"."""
    book = TokenBook(store)
    now = datetime.now(UTC)
    tokens = {name: book.create(name, now)[0] for name in ("frank", "alice")}
    tokens["admin"] = book.create("ivan", now, admin=True)[0]
    return tokens


class Spawned:
    """`esctui serve` in its own process, which a test may kill and start again. With
    `file_limit`, the system refuses to let it write any file beyond that many bytes (as a
    full disk would refuse to let it grow)."""

    def __init__(
        self,
        store: Path | ServedStore,
        port: int = 0,
        file_limit: int | None = None,
        escalate_every: float = 0.5,
    ) -> None:
        self.store = store
        self.served = store if isinstance(store, ServedStore) else journal_store(store)
        self.port = port
        self.file_limit = file_limit
        self.escalate_every = escalate_every
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        command = [sys.executable, "-m", "esctui", *self.served.serve_command()]
        command += ["--port", str(self.port), "--escalate-every", str(self.escalate_every)]
        self.process = subprocess.Popen(
            command,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
            preexec_fn=None if self.file_limit is None else self.limit_files,
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

    def limit_files(self) -> None:
        assert self.file_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_limit, self.file_limit))

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
