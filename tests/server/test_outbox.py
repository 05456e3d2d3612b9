"""The outbox: each action goes out as whoever queued it, or not at all, and what the server
answers is told for what it is (a refusal, a store it cannot write yet, a failure of its own),
never as a server that cannot be reached."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from esctui.backends.base import ActionQueued, Link, StoreError
from esctui.backends.http.backend import HttpBackend
from esctui.backends.http.connection import Unreachable
from esctui.domain import commands as c
from esctui.domain.events import Acknowledged, NoteAdded
from esctui.domain.models import Status
from esctui.server.app import ServerSettings
from lock_holder import LockHolder
from served_store import ServedStore, journal_store

from .conftest import FAST, Running, Spawned, run_in_thread


def triggered(store: ServedStore, count: int) -> list[str]:
    """Triggered incidents with nothing on their timeline but their trigger (so that what
    lands on it is what the test did)."""
    opened = store.look()
    found = sorted(
        i.id
        for i in opened.incidents.values()
        if i.status is Status.TRIGGERED and len(opened.timeline(i.id)) == 1
    )
    assert len(found) >= count
    return found[:count]


def backend(url: str, token: str, outbox: Path) -> HttpBackend:
    return HttpBackend(url, token, outbox=outbox, attempts=1, backoff=0.01)


async def queue(url: str, token: str, outbox: Path, *commands: c.AnyCommand) -> None:
    """Take `commands` while the server at `url` cannot be reached: they wait in `outbox`."""
    offline = backend(url, token, outbox)
    try:
        for command in commands:
            with pytest.raises(ActionQueued, match="The server cannot be reached: the "):
                await offline.execute(command, actor=None, queue_offline=True)
    finally:
        await offline.close()


async def opened(url: str, token: str, outbox: Path) -> list[str]:
    """Open a backend (which sends its token's actions first); the notices it gave."""
    online = backend(url, token, outbox)
    try:
        await online.open()
        return online.take_notices()
    finally:
        await online.close()


def by_whom(store: ServedStore, incident: str) -> list[tuple[str, str | None]]:
    return [
        (type(e).__name__, e.by)
        for e in store.timeline(incident)
        if isinstance(e, NoteAdded | Acknowledged)
    ]


def test_queued_actions_go_out_only_as_whoever_queued_them(
    spawned: tuple[Spawned, dict[str, str]], served: ServedStore, tmp_path: Path
) -> None:
    server, tokens = spawned
    url = server.start()
    franks, alices = triggered(served, 2)
    server.kill()
    outbox = tmp_path / "outbox.jsonl"  # one login's, shared by two tokens (a bastion account)

    async def scenario() -> tuple[list[str], list[str]]:
        await queue(url, tokens["frank"], outbox, c.AddNote(incident=franks, text="frank's"))
        await queue(url, tokens["alice"], outbox, c.AddNote(incident=alices, text="alice's"))
        await queue(url, tokens["frank"], outbox, c.Acknowledge(incident=franks))
        kept = outbox.read_text()
        assert tokens["frank"] not in kept and tokens["alice"] not in kept
        await asyncio.to_thread(server.start)
        alice_heard = await opened(url, tokens["alice"], outbox)
        assert by_whom(served, franks) == [], "frank's actions wait for frank's token"
        assert len(outbox.read_text().splitlines()) == 2
        return alice_heard, await opened(url, tokens["frank"], outbox)

    alice_heard, frank_heard = asyncio.run(scenario())
    assert by_whom(served, alices) == [("NoteAdded", "alice")]
    assert by_whom(served, franks) == [("NoteAdded", "frank"), ("Acknowledged", "frank")]
    assert outbox.read_text() == ""
    assert alice_heard == [
        f"Waiting in {outbox} for another token: 2 actions. Each is sent only with the token "
        "that made it."
    ]
    assert frank_heard == []


def test_an_action_whose_token_was_revoked_is_told_not_sent(
    spawned: tuple[Spawned, dict[str, str]], served: ServedStore, tmp_path: Path
) -> None:
    server, tokens = spawned
    url = server.start()
    [incident] = triggered(served, 1)
    server.kill()
    outbox = tmp_path / "outbox.jsonl"

    async def scenario() -> list[str]:
        await queue(url, tokens["frank"], outbox, c.Acknowledge(incident=incident))
        served.revoke("frank")
        await asyncio.to_thread(server.start)
        frank = backend(url, tokens["frank"], outbox)
        try:
            with pytest.raises(StoreError, match="refused the token"):
                await frank.open()
            return frank.take_notices()
        finally:
            await frank.close()

    [notice] = asyncio.run(scenario())
    assert notice.startswith(f"Your acknowledge of {incident} from ")
    assert " UTC was not sent: the server no longer accepts the token it was made with (" in notice
    assert "(frank's) was revoked at" in notice
    assert notice.endswith(
        "It was taken out of the outbox; do it again once you have a token the server accepts."
    )
    assert outbox.read_text() == ""
    assert by_whom(served, incident) == []


def test_actions_queued_by_an_older_esctui_are_not_sent_as_anyone(
    server: Running, tmp_path: Path
) -> None:
    [incident] = triggered(server.store, 1)
    outbox = tmp_path / "outbox.jsonl"
    # As an esctui from before wrote it: nothing says whose token it was made with.
    old = {
        "key": "0f" * 16,
        "server": server.url,
        "path": f"/v1/incidents/{incident}/actions/acknowledge",
        "body": {},
        "if_match": "*",
        "what": f"acknowledge of {incident}",
        "queued_at": "2026-11-23T03:12:00Z",
    }
    outbox.write_text(json.dumps(old) + "\n")
    [notice] = asyncio.run(opened(server.url, server.tokens["alice"], outbox))
    assert notice == (
        "Not sent, and taken out of the outbox: actions queued by an older esctui, which did "
        f"not note whose they were, so none goes out as someone else's (acknowledge of {incident} "
        "from 03:12 UTC). Do again what was yours."
    )
    assert outbox.read_text() == ""
    assert by_whom(server.store, incident) == []


@pytest.fixture
def impatient(store_path: Path, tmp_path: Path) -> Iterator[Running]:
    """A server over the journal store whose writers wait a third of a second for a held
    lock."""
    settings = ServerSettings(poll_every=FAST.poll_every, lock_wait=0.3)
    yield from run_in_thread(journal_store(store_path), settings, tmp_path)


def test_a_store_the_server_cannot_write_yet_keeps_the_outbox_and_says_why(
    impatient: Running, tmp_path: Path
) -> None:
    server = impatient
    first, then = triggered(server.store, 2)
    outbox = tmp_path / "outbox.jsonl"
    with socket.socket() as probe:  # a port nobody listens on, then the server's
        probe.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{probe.getsockname()[1]}"

    async def scenario() -> tuple[str, str, list[str]]:
        await queue(nowhere, server.tokens["frank"], outbox, c.AddNote(incident=first, text="q"))
        outbox.write_text(outbox.read_text().replace(nowhere, server.url))
        frank = backend(server.url, server.tokens["frank"], outbox)
        try:
            with LockHolder(server.store.path):
                with pytest.raises(ActionQueued) as queued:
                    await frank.execute(
                        c.Acknowledge(incident=then), actor=None, queue_offline=True
                    )
                with pytest.raises(StoreError) as refused:
                    await frank.execute(c.Acknowledge(incident=then), actor=None)
                assert not isinstance(refused.value, Unreachable)
                assert frank.link is Link.ONLINE
            assert await frank.flush()
            return str(queued.value), str(refused.value), frank.take_notices()
        finally:
            await frank.close()

    queued, refused, notices = asyncio.run(scenario())
    assert queued.startswith(
        "The server could not record the actions before it yet (The store is locked: process "
    )
    assert queued.endswith(
        f"the acknowledge of {then} waits in the outbox and is sent when it can be."
    )
    assert refused.startswith(f"The server at {server.url} could not do it: The store is locked:")
    [notice] = notices
    assert notice.startswith(f"Your note of {first} from ")
    assert " waits in the outbox: the server could not record it yet. The store is locked" in notice
    assert by_whom(server.store, first) == [("NoteAdded", "frank")]
    assert by_whom(server.store, then) == [("Acknowledged", "frank")]
    assert outbox.read_text() == ""


class Failing(BaseHTTPRequestHandler):
    """A server with a bug: every request fails, with its problem document."""

    def do_POST(self) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Internal Server Error",
                "status": 500,
                "detail": "The server failed to answer; the error is in its log.",
            }
        ).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_failure_of_the_servers_own_does_not_hold_up_the_outbox(
    tmp_path: Path,
) -> None:
    # Our server answers no request with a 500 any more; one with a bug of its own stands in.
    failing = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=failing.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{failing.server_address[1]}"
    outbox = tmp_path / "outbox.jsonl"

    async def scenario() -> tuple[bool, list[str], Link]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            nowhere = f"http://127.0.0.1:{probe.getsockname()[1]}"
        commands = [c.Acknowledge(incident="INC-1001"), c.AddNote(incident="INC-1002", text="x")]
        await queue(nowhere, "esc_token", outbox, *commands)
        outbox.write_text(outbox.read_text().replace(nowhere, url))
        sender = backend(url, "esc_token", outbox)
        try:
            return await sender.flush(), sender.take_notices(), sender.link
        finally:
            await sender.close()

    try:
        emptied, notices, link = asyncio.run(scenario())
    finally:
        failing.shutdown()
    assert emptied and link is Link.ONLINE
    assert [n.split(" from ")[0] for n in notices] == [
        "Your acknowledge of INC-1001",
        "Your note of INC-1002",
    ]
    for notice in notices:
        assert notice.endswith(
            "UTC was not recorded: the server failed on it (The server failed to answer; the "
            "error is in its log.) It was taken out of the outbox, so the actions after it "
            "could go."
        )
    assert outbox.read_text() == ""
