"""Fan-out of the store's changes to every event-stream subscriber.

Each change is encoded once, as a Server-Sent Events frame whose id is its revision, and
offered to every subscriber's own bounded buffer. Offering never waits: a subscriber that
cannot keep up fills its buffer, loses it, and is told to resync instead, so a slow reader
never holds up the writers or the other readers.

Everything here runs on the server's event loop thread, which must never wait: the store is
only read in memory, and only when no write in this process is under way (`catch_up` tries
again a moment later). A new subscriber joins on the next catch-up, given what it missed up to
there.
"""

from __future__ import annotations

import asyncio

import msgspec

from esctui.backends.base import Change
from esctui.backends.http.wire import Revoked
from esctui.backends.journal import JournalStore
from esctui.stores.records import TokenRecord

# Frames a subscriber may have waiting before it is told to resync.
DEFAULT_BUFFER = 2048
# How soon a catch-up put off by a write under way in this process is tried again.
RETRY_AFTER = 0.005

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
    """Publishes what the store recorded to every subscriber, in revision order, once."""

    def __init__(self, store: JournalStore, limit: int = DEFAULT_BUFFER) -> None:
        self.store = store
        self.limit = limit
        self.revision = store.revision
        self.generation = store.generation
        self.subscribers: set[Subscriber] = set()
        self.joining: list[Subscriber] = []
        self.closed = False
        self.retry: asyncio.TimerHandle | None = None

    def subscribe(self, after: int, token: TokenRecord | None = None) -> Subscriber:
        """A subscriber to be given every change after revision `after` that this process
        still holds; one that asks for more than is held starts out behind (resync)."""
        subscriber = Subscriber(after, self.limit, token)
        if self.closed:
            subscriber.close()
        self.joining.append(subscriber)
        self.catch_up()
        return subscriber

    def streams(self) -> list[Subscriber]:
        return [*self.subscribers, *self.joining]

    def close(self) -> int:
        """End every stream (the server is shutting down; clients reconnect to the next); how
        many there were."""
        self.closed = True
        ended = self.streams()
        for subscriber in ended:
            subscriber.close()
        return len(ended)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        if subscriber in self.joining:
            self.joining.remove(subscriber)

    def catch_up(self) -> None:
        """Publish whatever the store recorded since the last call (by this server or by any
        other process writing to the store), unless a write in this process is under way."""
        with self.store.reading(wait=False) as ready:
            if ready:
                self.welcome()
                self.publish()
            elif self.retry is None or self.retry.cancelled():
                self.retry = asyncio.get_running_loop().call_later(RETRY_AFTER, self.retried)

    def retried(self) -> None:
        self.retry = None
        self.catch_up()

    def welcome(self) -> None:
        """Give the subscribers waiting to join what they missed, up to `self.revision`."""
        for subscriber in self.joining:
            after = subscriber.last
            # A revision the store has not reached (another store, a bogus id) cannot be resumed.
            backlog = self.store.changes_after(after) if after <= self.store.revision else None
            if backlog is None:
                subscriber.fall_behind()
            else:
                for change in backlog:
                    # Newer ones follow in `publish`, which skips what was given.
                    if change.revision <= self.revision:
                        subscriber.offer(change.revision, change_frame(change))
            self.subscribers.add(subscriber)
        self.joining.clear()

    def publish(self) -> None:
        fresh = self.store.generation != self.generation
        changes = None if fresh else self.store.changes_after(self.revision)
        if changes is None:  # the store was read afresh (compacted): everyone redraws
            self.revision, self.generation = self.store.revision, self.store.generation
            for subscriber in self.subscribers:
                subscriber.fall_behind()
            return
        for change in changes:
            frame = change_frame(change)
            for subscriber in self.subscribers:
                subscriber.offer(change.revision, frame)
        if changes:
            self.revision = changes[-1].revision
