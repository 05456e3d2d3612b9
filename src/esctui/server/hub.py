"""Fan-out of the store's changes to every event-stream subscriber.

Each change is encoded once, as a Server-Sent Events frame whose id is its revision, and
offered to every subscriber's own bounded buffer. Offering never waits: a subscriber that
cannot keep up fills its buffer, loses it, and is told to resync instead, so a slow reader
never holds up the writers or the other readers. Everything here runs on the server's event
loop and reads only the mirror, in memory.
"""

from __future__ import annotations

import asyncio

import msgspec

from esctui.backends.http.wire import Revoked
from esctui.server.mirror import Mirror
from esctui.stores.records import Change, TokenRecord

# Frames a subscriber may have waiting before it is told to resync.
DEFAULT_BUFFER = 2048

encoder = msgspec.json.Encoder()


def change_frame(change: Change) -> bytes:
    return b"id: %d\nevent: change\ndata: %s\n\n" % (change.revision, encoder.encode(change))


def resync_frame(revision: int) -> bytes:
    return b'event: resync\ndata: {"revision": %d}\n\n' % revision


def revoked_frame(detail: str) -> bytes:
    return b"event: revoked\ndata: %s\n\n" % encoder.encode(Revoked(detail=detail))


HEARTBEAT = b": keep-alive\n\n"


class Subscriber:
    """One event stream's buffer: frames not yet sent, newest last. `token` is the token it
    was opened with, so it can be ended when that token is revoked."""

    def __init__(self, after: int, limit: int, token: TokenRecord | None = None) -> None:
        self.last = after  # the newest revision this subscriber has been given
        self.limit = limit
        self.token = token
        self.frames: list[bytes] = []
        self.behind = False  # lost its buffer: must resync
        self.closed = False  # the server is shutting down: end the stream
        self.revoked = ""  # why its token no longer lets it in: end the stream, saying so
        self.wake = asyncio.Event()

    def offer(self, revision: int, frame: bytes) -> None:
        if self.behind or revision <= self.last:
            return
        if len(self.frames) >= self.limit:
            self.fall_behind()
            return
        self.frames.append(frame)
        self.last = revision
        self.wake.set()

    def fall_behind(self) -> None:
        self.behind = True
        self.frames = []
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()

    def revoke(self, detail: str) -> None:
        self.revoked = detail
        self.wake.set()

    async def take(self, timeout: float) -> list[bytes] | None:
        """The frames waiting (empty after `timeout` seconds with none); None once the
        subscriber has fallen behind and must resync."""
        if not self.frames and not self.behind and not self.closed and not self.revoked:
            try:
                await asyncio.wait_for(self.wake.wait(), timeout)
            except TimeoutError:
                return []
        self.wake.clear()
        if self.behind:
            return None
        frames, self.frames = self.frames, []
        return frames


class Hub:
    """Publishes what the mirror takes in to every subscriber, in revision order, once."""

    def __init__(self, mirror: Mirror, limit: int = DEFAULT_BUFFER) -> None:
        self.mirror = mirror
        self.limit = limit
        self.subscribers: set[Subscriber] = set()
        self.closed = False

    def subscribe(self, after: int, token: TokenRecord | None = None) -> Subscriber:
        """A subscriber given every change after revision `after`: what the mirror still
        holds at once, the rest as it comes. One that asks for more than is held starts out
        behind: it resyncs. One ahead of the mirror (it followed another server over the same
        database, which had read further) is given what comes after `after`, as the mirror
        gets there."""
        subscriber = Subscriber(after, self.limit, token)
        ahead = after > self.mirror.revision
        backlog = [] if ahead else self.mirror.changes_after(after)
        if backlog is None:
            subscriber.fall_behind()
        else:
            for change in backlog:
                subscriber.offer(change.revision, change_frame(change))
        if self.closed:
            subscriber.close()
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def publish(self, changes: list[Change]) -> None:
        for change in changes:
            frame = change_frame(change)
            for subscriber in self.subscribers:
                subscriber.offer(change.revision, frame)

    def resync_all(self) -> None:
        """The queue was read afresh (a compaction, a new directory): everyone redraws."""
        for subscriber in self.subscribers:
            subscriber.fall_behind()

    def close(self) -> int:
        """End every stream (the server is shutting down; clients reconnect to the next); how
        many there were."""
        self.closed = True
        for subscriber in self.subscribers:
            subscriber.close()
        return len(self.subscribers)
