"""The idempotency keys a store remembers, each with the changes recorded for the request that
carried it, so the same request sent again is answered instead of done twice.

The keys come from two places: the snapshot (those a compaction folded away, oldest first) and
the journal's lines. The snapshot's stay raw JSON until a writer is first asked about a key, so a
process that opens the store to draw the queue or print the status never pays to decode them.
"""

from __future__ import annotations

import collections
from pathlib import Path

import msgspec

from esctui.backends.base import Change, StoreError
from esctui.backends.journal import codec

# The newest ten thousand: far more actions than a team takes while one responder's outbox
# waits for the server. The oldest go first.
RECORDED_KEYS = 10_000


class RequestKeys:
    """Keys in the order they were recorded, with their changes; the newest `RECORDED_KEYS`."""

    def __init__(self) -> None:
        self.keyed: collections.OrderedDict[str, list[Change]] = collections.OrderedDict()
        self.folded: msgspec.Raw | None = None  # the snapshot's keys, not decoded yet
        self.snapshot = Path()

    def start(self, snapshot: Path, folded: msgspec.Raw) -> None:
        """Forget every key: the store is read again from the snapshot file `snapshot`, whose
        keys are `folded` (kept raw; a copy, so the rest of its bytes are not kept alive)."""
        self.keyed.clear()
        self.folded = folded.copy()
        self.snapshot = snapshot

    def remember(self, key: str, change: Change) -> None:
        """Note `change` as (part of) what the request sent with `key` did."""
        changes = self.keyed.get(key)
        if changes is None:
            self.keyed[key] = changes = []
            if len(self.keyed) > RECORDED_KEYS:
                self.keyed.popitem(last=False)
        changes.append(change)

    def answer(self, key: str) -> list[Change] | None:
        """What was recorded for `key`, or None for a key never seen (or long forgotten)."""
        changes = self.recorded().get(key)
        return None if changes is None else list(changes)

    def recorded(self) -> collections.OrderedDict[str, list[Change]]:
        """Every key remembered, oldest first: the snapshot's, as if read before the journal's
        lines, then the journal's."""
        if self.folded is not None:
            folded, self.folded = self.decode(self.folded), None
            from_journal = self.keyed
            self.keyed = collections.OrderedDict(
                (key, [Change(revision=revision, event=event) for revision, event in changes])
                for key, changes in folded[-RECORDED_KEYS:]
            )
            for key, changes in from_journal.items():
                for change in changes:
                    self.remember(key, change)
        return self.keyed

    def for_snapshot(self) -> msgspec.Raw:
        """Every key remembered, as a new snapshot keeps them."""
        keys = [
            (key, [(change.revision, change.event) for change in changes])
            for key, changes in self.recorded().items()
        ]
        return msgspec.Raw(codec.encoder.encode(keys))

    def decode(self, raw: msgspec.Raw) -> codec.RecordedKeys:
        try:
            return codec.keys_decoder.decode(raw)
        except msgspec.DecodeError as error:
            raise StoreError(
                f"{self.snapshot} is damaged ({error}); the store was left as it is."
            ) from None
