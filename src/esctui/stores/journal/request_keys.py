"""The idempotency keys a store remembers, each with the changes recorded for the request that
carried it, so the same request sent again is answered instead of done twice.

The keys come from two places: the snapshot (those a compaction folded away, oldest first) and
the journal's lines. The snapshot's stay raw JSON until a writer is first asked about a key, so a
process that opens the store to draw the queue or print the status never pays to decode them.

A key may end in a tag that names the request it came with (`KEY\x1eTAG`, the tag being the
request's fingerprint): whoever answers a key tells a different request reusing it from the
same one sent again (`service/incidents.py`). A key recorded without a tag (by an esctui from
before tags) has an empty one.
"""

from __future__ import annotations

import collections
from pathlib import Path

import msgspec

from esctui.stores.journal import codec
from esctui.stores.records import Change, StoreError

# The newest ten thousand: far more actions than a team takes while one responder's outbox
# waits for the server. The oldest go first.
RECORDED_KEYS = 10_000

TAG = "\x1e"


def tagged(key: str, tag: str) -> str:
    """`key` as recorded for the request named by `tag` (none: the key as it is)."""
    return f"{key}{TAG}{tag}" if tag else key


def untagged(key: str) -> tuple[str, str]:
    """(the key, its tag, or "" if it has none)."""
    head, separator, tag = key.rpartition(TAG)
    return (head, tag) if separator else (key, "")


class Entry(msgspec.Struct):
    tag: str
    changes: list[Change]


class RequestKeys:
    """Keys in the order they were recorded, with their changes; the newest `RECORDED_KEYS`."""

    def __init__(self) -> None:
        self.keyed: collections.OrderedDict[str, Entry] = collections.OrderedDict()
        self.folded: msgspec.Raw | None = None  # the snapshot's keys, not decoded yet
        self.snapshot = Path()

    def start(self, snapshot: Path, folded: msgspec.Raw) -> None:
        """Forget every key: the store is read again from the snapshot file `snapshot`, whose
        keys are `folded` (kept raw; a copy, so the rest of its bytes are not kept alive)."""
        self.keyed.clear()
        self.folded = folded.copy()
        self.snapshot = snapshot

    def remember(self, key: str, change: Change) -> None:
        """Note `change` as (part of) what the request sent with `key` (tag and all) did."""
        head, tag = untagged(key)
        entry = self.keyed.get(head)
        if entry is None:
            self.keyed[head] = entry = Entry(tag, [])
            if len(self.keyed) > RECORDED_KEYS:
                self.keyed.popitem(last=False)
        entry.changes.append(change)

    def recorded(self) -> collections.OrderedDict[str, Entry]:
        """Every key remembered (without its tag), oldest first: the snapshot's, as if read
        before the journal's lines, then the journal's."""
        if self.folded is not None:
            folded, self.folded = self.decode(self.folded), None
            from_journal = self.keyed
            self.keyed = collections.OrderedDict()
            for key, changes in folded[-RECORDED_KEYS:]:
                for revision, event in changes:
                    self.remember(key, Change(revision=revision, event=event))
            for head, entry in from_journal.items():
                for change in entry.changes:
                    self.remember(tagged(head, entry.tag), change)
        return self.keyed

    def for_snapshot(self) -> msgspec.Raw:
        """Every key remembered, as a new snapshot keeps them."""
        keys = [
            (tagged(head, entry.tag), [(c.revision, c.event) for c in entry.changes])
            for head, entry in self.recorded().items()
        ]
        return msgspec.Raw(codec.encoder.encode(keys))

    def decode(self, raw: msgspec.Raw) -> codec.RecordedKeys:
        try:
            return codec.keys_decoder.decode(raw)
        except msgspec.DecodeError as error:
            raise StoreError(
                f"{self.snapshot} is damaged ({error}); the store was left as it is."
            ) from None
