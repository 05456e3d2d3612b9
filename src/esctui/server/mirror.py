"""The queue as this server knows it: read once from the backend, then kept up to date by the
backend's `follow` (and by the server's own writes, the moment they are answered), with the
newest changes kept for event streams that resume.

Request handlers read it in memory, on the event loop, and never wait on the store.
"""

from __future__ import annotations

import collections

import msgspec

from esctui.directory_file import without_secrets
from esctui.domain.lifecycle import apply, foldable
from esctui.domain.models import Directory
from esctui.stores.records import Change, Queue

# Changes kept for event streams that resume with Last-Event-ID; one further behind resyncs.
RECENT_CHANGES = 4096


class Mirror:
    def __init__(self, queue: Queue, keep: int = RECENT_CHANGES) -> None:
        self.queue = queue
        self.recent: collections.deque[Change] = collections.deque(maxlen=keep)

    @property
    def revision(self) -> int:
        return self.queue.revision

    @property
    def snapshot(self) -> str:
        return self.queue.snapshot

    @property
    def directory(self) -> Directory:
        return self.queue.directory

    def replace(self, queue: Queue) -> None:
        """Start again from a whole queue (a compaction, a new directory, a gap). What the
        server tells its clients of the directory has the secrets in contact URLs masked."""
        self.queue = msgspec.structs.replace(queue, directory=without_secrets(queue.directory))
        self.recent.clear()

    def remember(self, changes: list[Change]) -> None:
        """Changes the queue already holds, read back from the store as the server starts:
        kept for streams that resume from before it started (their server was killed, say),
        so they are given what they missed rather than told to resync."""
        for change in changes:
            if change.revision > self.revision:
                break
            if not self.recent or change.revision > self.recent[-1].revision:
                self.recent.append(change)

    def bridges(self, changes: list[Change]) -> bool:
        """Whether `changes` follow on from what the mirror holds, with no gap."""
        return bool(changes) and changes[0].revision == self.revision + 1

    def fold(self, changes: list[Change]) -> list[Change]:
        """Take in the changes not seen yet (they must follow on); the ones that were new."""
        new = [change for change in changes if change.revision > self.revision]
        incidents = self.queue.incidents
        for change in new:
            event = change.event
            before = incidents.get(event.incident)
            if foldable(before, event):
                incidents[event.incident] = apply(before, event)
            self.queue.revision = change.revision
            self.recent.append(change)
        return new

    def changes_after(self, revision: int) -> list[Change] | None:
        """Changes after `revision`, or None if they are no longer held (or never were)."""
        if revision > self.revision:
            return None
        if revision == self.revision:
            return []
        if not self.recent or self.recent[0].revision > revision + 1:
            return None
        return [change for change in self.recent if change.revision > revision]
