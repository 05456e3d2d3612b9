"""A token revoked while its event streams are open: the server ends them within a second or
so, saying why, and a follower hears that its token was revoked (not that the server is gone)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from esctui.backends.base import Link, StoreError, Update
from esctui.backends.http.sse import EventParser, ServerEvent
from esctui.domain import commands as c
from esctui.domain.events import NoteAdded

from .conftest import Running


def revoke(server: Running, who: str) -> None:
    [record] = server.store.revoke(who)
    assert record.responder == who


def test_a_revoked_tokens_stream_is_ended_saying_why(server: Running) -> None:
    events: list[ServerEvent] = []
    with (
        server.client("alice") as alice,
        alice.stream("GET", "/v1/events", timeout=httpx.Timeout(5)) as response,
        server.client("frank") as frank,
        frank.stream("GET", "/v1/events", timeout=httpx.Timeout(5)) as untouched,
    ):
        chunks, others = response.iter_bytes(), untouched.iter_bytes()
        assert next(chunks) == b": keep-alive\n\n"  # connected
        assert next(others) == b": keep-alive\n\n"
        revoke(server, "alice")
        revoked_at = time.monotonic()
        parser = EventParser()
        for chunk in chunks:  # until the server ends the stream
            events += parser.feed(chunk)
            assert time.monotonic() - revoked_at < 5, "the stream went on after revocation"
        ended = time.monotonic() - revoked_at
        assert next(others) == b": keep-alive\n\n"  # frank's goes on
    assert ended < 3
    [event] = events
    assert event.event == "revoked"
    detail = json.loads(event.data)["detail"]
    assert detail.startswith("The token tok-") and "(alice's) was revoked at" in detail


def test_every_stream_of_a_revoked_token_is_ended(server: Running) -> None:
    """Streams are checked a token at a time: each of the token's streams ends, not only the
    first one looked at."""
    with (
        server.client("alice") as alice,
        alice.stream("GET", "/v1/events", timeout=httpx.Timeout(5)) as first,
        alice.stream("GET", "/v1/events", timeout=httpx.Timeout(5)) as second,
    ):
        streams = [first.iter_bytes(), second.iter_bytes()]
        for chunks in streams:
            assert next(chunks) == b": keep-alive\n\n"
        revoke(server, "alice")
        revoked_at = time.monotonic()
        for chunks in streams:
            events: list[ServerEvent] = []
            parser = EventParser()
            for chunk in chunks:
                events += parser.feed(chunk)
                assert time.monotonic() - revoked_at < 5, "a stream went on after revocation"
            assert [event.event for event in events] == ["revoked"]


def test_a_follower_whose_token_is_revoked_is_told_so(server: Running) -> None:
    async def scenario() -> tuple[list[Update], BaseException]:
        alice = server.backend("alice")
        queue = await alice.open()
        incident = min(queue.incidents)
        seen: list[Update] = []
        stream = alice.follow(queue.revision)

        async def follow() -> None:
            async with asyncio.timeout(5):
                async for update in stream:
                    seen.append(update)
                    if any(isinstance(ch.event, NoteAdded) for ch in update.changes):
                        revoke(server, "alice")  # her stream is connected: it carried this

        try:
            await alice.execute(c.AddNote(incident=incident, text="here"), actor=None)
            with pytest.raises(StoreError) as ended:
                await follow()
            return seen, ended.value
        finally:
            await alice.close()

    seen, error = asyncio.run(scenario())
    assert not [u for u in seen if u.link is Link.OFFLINE], "not offline: refused"
    assert str(error).startswith(f"Your token was revoked: the server at {server.url} ")
    assert "(alice's) was revoked at" in str(error)
