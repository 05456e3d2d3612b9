"""The event stream: what one client does reaches the others, resumes lose and repeat
nothing, and a subscriber that stops reading is told to resync without holding anyone up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from esctui.backends.base import Link
from esctui.backends.http.sse import EventParser, ServerEvent
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.events import Acknowledged
from esctui.domain.models import Directory, Status
from esctui.server.app import ServerSettings
from esctui.server.hub import Hub
from esctui.server.mirror import Mirror
from esctui.stores.records import Change, Queue
from served_store import ServedStore

from .conftest import FAST, Running, run_in_thread


def triggered(server: Running) -> str:
    store = server.store.look()
    return min(i.id for i in store.incidents.values() if i.status is Status.TRIGGERED)


def test_an_action_by_one_client_reaches_the_others_event_stream(server: Running) -> None:
    incident = triggered(server)

    async def scenario() -> list[object]:
        alice, frank = server.backend("alice"), server.backend("frank")
        queue = await alice.open()
        stream = alice.follow(queue.revision)
        first = asyncio.ensure_future(anext(stream))
        version = (await frank.open()).incidents[incident].version
        await frank.execute(c.Acknowledge(incident=incident), actor=None, expected_version=version)
        update = await asyncio.wait_for(first, 5)
        await stream.aclose()
        await alice.close()
        await frank.close()
        return [alice.responder, update.link, [ch.event for ch in update.changes]]

    responder, link, events = asyncio.run(scenario())
    assert responder == "alice" and link is None
    assert len(events) == 1 and isinstance(events[0], Acknowledged)  # type: ignore[arg-type]
    assert events[0].by == "frank" and events[0].incident == incident  # type: ignore[attr-defined]


def read_events(stream: Iterator[bytes], count: int, parser: EventParser) -> list[ServerEvent]:
    found: list[ServerEvent] = []
    for chunk in stream:
        found += parser.feed(chunk)
        if len(found) >= count:
            break
    return found


def note(client: httpx.Client, incident: str, text: str) -> int:
    done = client.post(
        f"/v1/incidents/{incident}/notes", json={"text": text}, headers={"If-Match": "*"}
    )
    assert done.status_code == 200, done.text
    revision: int = done.json()["changes"][-1]["revision"]
    return revision


def test_a_stream_resumed_with_last_event_id_loses_and_repeats_nothing(server: Running) -> None:
    incident = triggered(server)
    with server.client() as client:
        start = client.get("/healthz").json()["revision"]
        sent = [note(client, incident, f"before {n}") for n in range(3)]
        headers = {"Last-Event-ID": str(start)}
        with client.stream("GET", "/v1/events", headers=headers) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            got = read_events(response.iter_bytes(), 2, EventParser())[:2]
        sent += [note(client, incident, f"while away {n}") for n in range(3)]
        last = got[-1].id
        with client.stream("GET", "/v1/events", headers={"Last-Event-ID": str(last)}) as response:
            rest = read_events(response.iter_bytes(), 4, EventParser())[:4]
    ids = [int(str(event.id)) for event in got + rest]
    assert ids == sent, "every event once, in order"
    texts = [json.loads(event.data)["event"]["text"] for event in got + rest]
    assert texts == [f"before {n}" for n in range(3)] + [f"while away {n}" for n in range(3)]


@pytest.mark.parametrize("served", ["postgres"], indirect=True)
def test_a_stream_resumed_from_before_the_server_started_is_given_what_it_missed(
    served: ServedStore, tmp_path: Path
) -> None:
    """A server that replaces one that was killed: a client resuming from a revision the
    database recorded before this server started gets those changes, not a resync. (A journal
    store gives back only what its journal holds since the last compaction, and not from
    further back: a stream resuming on a new server there may still resync.)"""
    first = run_in_thread(served, FAST, tmp_path)
    running = next(first)
    with running.client() as client:
        incident = triggered(running)
        start = client.get("/healthz").json()["revision"]
        sent = [note(client, incident, f"before the restart {n}") for n in range(3)]
    with contextlib.suppress(StopIteration):
        next(first)  # that server is gone
    second = run_in_thread(served, FAST, tmp_path)
    again = next(second)
    try:
        with (
            again.client() as client,
            client.stream("GET", "/v1/events", headers={"Last-Event-ID": str(start)}) as response,
        ):
            got = read_events(response.iter_bytes(), 3, EventParser())[:3]
    finally:
        with contextlib.suppress(StopIteration):
            next(second)
    assert [event.event for event in got] == ["change"] * 3
    assert [int(str(event.id)) for event in got] == sent


def test_a_quiet_stream_sends_heartbeats_and_a_bad_last_event_id_is_400(server: Running) -> None:
    with server.client() as client:
        with client.stream("GET", "/v1/events") as response:
            started = time.monotonic()
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if len(chunks) == 3:
                    break
        bad = client.get("/v1/events", headers={"Last-Event-ID": "yesterday"})
    assert all(chunk == b": keep-alive\n\n" for chunk in chunks)
    assert 0.5 <= time.monotonic() - started < 5  # FAST sends one every 0.5 s
    assert bad.status_code == 400


@pytest.fixture
def small_buffers(served: ServedStore, tmp_path: Path) -> Iterator[Running]:
    settings = ServerSettings(poll_every=FAST.poll_every, escalate_every=60, heartbeat=5, buffer=8)
    yield from run_in_thread(served, settings, tmp_path)


def test_a_subscriber_that_stops_reading_is_told_to_resync_and_holds_up_nobody(
    small_buffers: Running,
) -> None:
    server = small_buffers
    incident = triggered(server)
    host, port = server.url.removeprefix("http://").split(":")
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect((host, int(port)))
    slow.sendall(
        f"GET /v1/events HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {server.tokens['alice']}\r\n\r\n".encode()
    )

    async def scenario() -> tuple[int, float, list[int]]:
        # A well-behaved follower beside the slow one, and a writer posting big notes.
        frank = server.backend("frank")
        queue = await frank.open()
        seen: list[int] = []

        async def follow() -> None:
            async for update in frank.follow(queue.revision):
                seen.extend(ch.revision for ch in update.changes)

        follower = asyncio.create_task(follow())
        started = time.monotonic()
        last = 0
        async with httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {server.tokens['frank']}"}
        ) as writer:
            for n in range(150):
                done = await writer.post(
                    f"/v1/incidents/{incident}/notes",
                    json={"text": f"{n} " + "x" * 30_000},
                    headers={"If-Match": "*"},
                )
                assert done.status_code == 200
                last = done.json()["changes"][-1]["revision"]
        took = time.monotonic() - started
        deadline = time.monotonic() + 10
        while (not seen or seen[-1] < last) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        follower.cancel()
        await frank.close()
        return last, took, seen

    last, took, seen = asyncio.run(scenario())
    assert took < 30, "the writer was never held up"
    assert seen[-1] == last and seen == sorted(set(seen)), "the other follower got everything"
    received = b""
    slow.settimeout(10)
    while not received.endswith(b"\r\n0\r\n\r\n"):  # the last chunk: the stream ended
        chunk = slow.recv(65536)
        assert chunk, "the connection closed before the stream ended"
        received += chunk
    slow.close()
    frames = received.split(b"\n\n")
    assert b"event: resync" in frames[-2], "a resync, and nothing after it"


def test_a_follower_is_told_when_the_server_goes_away(served: ServedStore, tmp_path: Path) -> None:
    runs = run_in_thread(served, FAST, tmp_path)
    server = next(runs)

    async def scenario() -> tuple[list[Link], float]:
        frank = server.backend("frank")
        queue = await frank.open()
        links: list[Link] = []

        async def follow() -> None:
            async for update in frank.follow(queue.revision):
                if update.link is not None:
                    links.append(update.link)
                    return

        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.3)  # connected, heartbeats flowing
        stopping = time.monotonic()
        await asyncio.to_thread(runs.close)  # stops the server
        stopped = time.monotonic() - stopping
        await asyncio.wait_for(follower, 5)
        await frank.close()
        return links, stopped

    links, stopped = asyncio.run(scenario())
    assert links == [Link.OFFLINE]
    # The server ends the event streams itself rather than wait out its grace period.
    assert stopped < 0.9


def test_a_stream_resumed_ahead_of_this_servers_mirror_waits_for_it_instead_of_resyncing() -> None:
    """Over a shared database a client that followed another server (killed, or a load
    balancer's choice) may resume from a revision this one has not read yet: it is given what
    comes after, once this server's mirror gets there, not sent to reload the whole queue."""

    now = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)

    def noted(revision: int) -> Change:
        note = e.NoteAdded(incident="INC-1", at=now, version=revision, by="frank", text="n")
        return Change(revision, note)

    trigger = e.Triggered(
        incident="INC-1", at=now, version=1, by="frank", title="t", service="checkout",
        severity=2, assignee="frank",
    )  # fmt: skip
    mirror = Mirror(Queue(directory=Directory(), incidents={}, revision=0))
    mirror.fold([Change(1, trigger)])
    hub = Hub(mirror)
    ahead = hub.subscribe(after=3)  # this server's mirror is at 1
    coming = [noted(revision) for revision in (2, 3, 4)]
    hub.publish(mirror.fold(coming))

    async def taken() -> list[bytes] | None:
        return await ahead.take(timeout=1.0)

    frames = asyncio.run(taken())
    assert frames is not None, "told to resync"
    assert [frame.split(b"\n")[0] for frame in frames] == [b"id: 4"]
