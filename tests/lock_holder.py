"""A process that holds a store's writer lock until told to let go, as a compaction stopped
with ctrl+z would, or any local user who can open the lock file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)  # flock needs no more than reading
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


class LockHolder:
    """`with LockHolder(store):` the store's lock is held by another process meanwhile."""

    def __init__(self, store: Path) -> None:
        self.lock = store / "store.lock"
        self.process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> LockHolder:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(self.lock)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline() == "held\n"
        return self

    def release(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
