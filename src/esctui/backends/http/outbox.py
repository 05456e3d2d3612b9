"""Actions taken while the server could not be reached, waiting to be sent, in order.

One JSON line per action in a file on the responder's machine (`ESCTUI_OUTBOX`, else
`outbox.jsonl` in the user state directory). A line is appended and fsynced before the
responder is told the action waits; it is removed only once the server has answered it (done
or refused). Each carries the key the server remembers answers by, so an action sent twice
(two processes flushing at once, an answer lost on the way) is still done once.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import msgspec

from esctui.backends.base import StoreError
from esctui.backends.journal import files


class Waiting(msgspec.Struct, frozen=True):
    """One action in the outbox, as the request that will carry it."""

    key: str
    server: str
    path: str
    body: dict[str, object]
    if_match: str | None
    what: str  # "acknowledge of INC-1042", for the sentences a responder reads
    queued_at: datetime


def default_outbox_path() -> Path:
    """`ESCTUI_OUTBOX`, else `outbox.jsonl` in the user state directory."""
    override = os.environ.get("ESCTUI_OUTBOX")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_state_path("esctui") / "outbox.jsonl"


decoder = msgspec.json.Decoder(Waiting)


class Outbox:
    """The outbox file; only entries for `server` are this backend's to send."""

    def __init__(self, path: Path, server: str) -> None:
        self.path = path
        self.server = server
        self.lock = path.with_name(path.name + ".lock")
        self.count = 0  # this server's entries, as of the last time the file was read or written

    def add(self, waiting: Waiting) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with files.exclusive_lock(self.lock):
                # Only its owner may read it: notes and customer names wait in it.
                files.append_durably(self.path, msgspec.json.encode(waiting) + b"\n", mode=0o600)
                self.count += 1
        except OSError as error:
            raise StoreError(
                f"Cannot write the outbox {self.path}: {error.strerror}; the action was not kept."
            ) from None

    def waiting(self) -> list[Waiting]:
        """This server's actions, oldest first."""
        ours = [w for w in self.read() if w.server == self.server]
        self.count = len(ours)
        return ours

    def remove(self, key: str) -> None:
        with files.exclusive_lock(self.lock):
            kept = [w for w in self.read() if w.key != key]
            data = b"".join(msgspec.json.encode(w) + b"\n" for w in kept)
            files.replace_atomically(self.path, data, mode=0o600)
            self.count = sum(1 for w in kept if w.server == self.server)

    def read(self) -> list[Waiting]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StoreError(f"Cannot read the outbox {self.path}: {error.strerror}.") from None
        found: list[Waiting] = []
        for number, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                found.append(decoder.decode(line))
            except msgspec.DecodeError:
                if number == data.count(b"\n") + (0 if data.endswith(b"\n") else 1):
                    continue  # the last line, cut short by a crash: it was never reported kept
                raise StoreError(
                    f"The outbox {self.path} line {number} is damaged; it was left as it is."
                ) from None
        return found
