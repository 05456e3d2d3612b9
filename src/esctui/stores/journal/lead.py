"""Leadership on a journal store: which process, among all that open the store, does the work
only one may do at a time (the server's auto-escalation, sending pages).

A process leads `work` while it holds an exclusive lock on `lead-WORK.lock` in the store's
directory, taken without waiting and kept for as long as the process keeps the store open.
The kernel lets go of it when the process ends, however it ends (SIGKILL too), and the next
process to ask takes it. Nothing is written in the file, and the writers' lock is another
file: leading never holds up a writer.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from esctui.stores.journal import files

# A piece of work's name is part of a file name: plain words only.
WORK = re.compile(r"[a-z][a-z0-9-]{0,39}")


def lock_file(directory: Path, work: str) -> Path:
    if not WORK.fullmatch(work):
        raise ValueError(f"{work!r} is not a name of a piece of work (a-z, 0-9, -).")
    return directory / f"lead-{work}.lock"


class Leads:
    """The pieces of work this process leads on the store in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.held: dict[str, int] = {}  # work -> the open file holding its lock
        self.mutex = threading.Lock()  # asked from worker threads (a server's calls)

    def leads(self, work: str) -> bool:
        """Whether this process leads `work`: it takes the lead when nobody holds it, and
        keeps it until `let_go`; False while another process holds it."""
        path = lock_file(self.directory, work)
        with self.mutex:
            if work in self.held:
                return True
            fd = files.hold_if_free(path)
            if fd is None:
                return False
            self.held[work] = fd
            return True

    def let_go(self) -> None:
        """Stop leading everything (the store is closed)."""
        with self.mutex:
            for fd in self.held.values():
                os.close(fd)
            self.held.clear()
