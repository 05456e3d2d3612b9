"""Actions taken while the server could not be reached, waiting to be sent, in order.

One JSON line per action in a file on the responder's machine (`ESCTUI_OUTBOX`, else
`outbox.jsonl` in the user state directory). A line is appended and fsynced before the
responder is told the action waits; it is removed only once the server has answered it (done
or refused). Each carries the key the server remembers answers by, so an action sent twice
(two processes flushing at once, an answer lost on the way) is still done once.

Each also says who made it: a fingerprint of the token it was made with (never the token) and,
when the server had said by then, that token's responder. Several tokens may share one login's
outbox (a shared bastion account): each action goes out only with the token that made it, so
it is done as whoever made it, or not at all.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

import msgspec

from esctui.backends.base import StoreError
from esctui.stores.journal import files


class Waiting(msgspec.Struct, frozen=True):
    """One action in the outbox, as the request that will carry it."""

    key: str
    server: str
    path: str
    body: dict[str, object]
    if_match: str | None
    what: str  # "acknowledge of INC-1042", for the sentences a responder reads
    queued_at: datetime
    token: str = ""  # `token_fingerprint` of the token it was made with; "" from an older esctui
    responder: str = ""  # that token's responder, if the server had said by then

    def described(self) -> str:
        """`acknowledge of INC-1042 from 03:12 UTC`."""
        return f"{self.what} from {self.queued_at:%H:%M} UTC"


def token_fingerprint(token: str) -> str:
    """Tells a token's actions from another's, and cannot be used as the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def default_outbox_path() -> Path:
    """`ESCTUI_OUTBOX`, else `outbox.jsonl` in the user state directory."""
    override = os.environ.get("ESCTUI_OUTBOX")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_state_path("esctui") / "outbox.jsonl"


decoder = msgspec.json.Decoder(Waiting)


class Outbox:
    """The outbox file; only entries for `server` made with the token whose fingerprint is
    `token` are this backend's to send."""

    def __init__(self, path: Path, server: str, token: str) -> None:
        self.path = path
        self.server = server
        self.token = token
        self.lock = path.with_name(path.name + ".lock")
        self.count = 0  # this backend's entries, as of the last time the file was read or written

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
        except StoreError as error:
            raise StoreError(f"{error} The action was not kept in the outbox.") from None

    def waiting(self) -> list[Waiting]:
        """The actions this backend is to send, oldest first."""
        ours = [w for w in self.read() if w.server == self.server and w.token == self.token]
        self.count = len(ours)
        return ours

    def to_settle(self) -> bool:
        """Whether this backend has actions to send, or unclaimed ones to settle."""
        return any(w.server == self.server and w.token in ("", self.token) for w in self.read())

    def others(self) -> list[Waiting]:
        """This server's actions made with other tokens: theirs to send."""
        return [
            w for w in self.read() if w.server == self.server and w.token not in ("", self.token)
        ]

    def unclaimed(self) -> list[Waiting]:
        """This server's actions queued by an esctui that did not note whose they were."""
        return [w for w in self.read() if w.server == self.server and not w.token]

    def remove(self, *keys: str) -> None:
        with files.exclusive_lock(self.lock):
            kept = [w for w in self.read() if w.key not in keys]
            data = b"".join(msgspec.json.encode(w) + b"\n" for w in kept)
            files.replace_atomically(self.path, data, mode=0o600)
            self.count = sum(1 for w in kept if w.server == self.server and w.token == self.token)

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
