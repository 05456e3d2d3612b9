"""The console over a team server (`esctui --server URL`), with the server killed mid-session:
the header says the link is down, an acknowledgement made meanwhile waits in the outbox, and
once the server is back it lands exactly once.

The server is a real `esctui serve` process; the console runs under Pilot in one test and as
the installed program in a real terminal (tmux) in the other.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from esctui.backends.base import Link
from esctui.backends.http.backend import HttpBackend
from esctui.backends.journal import create_store
from esctui.backends.journal.tokens import TokenBook
from esctui.config import Config
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain.events import Acknowledged
from esctui.domain.models import Incident, Status
from esctui.tui import ConsoleApp, ConsoleOptions
from esctui.tui.app import OFFLINE_TIMELINE
from esctui.tui.widgets.header import ConsoleHeader
from live_server import Spawned, make_tokens, reopen

from .conftest import opened, put_cursor_on, run, settle
from .test_terminal import ESCTUI, UNSIZED, Terminal, tmux


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Spawned, dict[str, str]]]:
    store = tmp_path / "store"
    directory, events = build_demo(40, seed=5, now=datetime.now(UTC))
    create_store(store, directory, events)
    process = Spawned(store)
    tokens = make_tokens(store)
    process.start()
    try:
        yield process, tokens
    finally:
        process.stop()


def triggered(store: Path) -> Incident:
    """A triggered incident nobody will touch on their own while the test runs."""
    now = datetime.now(UTC)
    incidents = reopen(store).incidents.values()
    return min(
        (i for i in incidents if i.status is Status.TRIGGERED and not i.snoozed(now)),
        key=lambda i: i.id,
    )


def acknowledgements(store: Path, incident_id: str) -> list[Acknowledged]:
    return [e for e in reopen(store).timeline(incident_id) if isinstance(e, Acknowledged)]


def outbox_lines(outbox: Path) -> list[str]:
    return outbox.read_text().splitlines() if outbox.exists() else []


def console(server: Spawned, token: str, outbox: Path) -> ConsoleApp:
    backend = HttpBackend(server.url, token, outbox=outbox, backoff=0.05)
    return ConsoleApp(
        backend, ConsoleOptions(me="frank", config=Config(), escalation_interval=3600.0)
    )


def header(app: ConsoleApp) -> str:
    return app.query_one("#header", ConsoleHeader).content.plain


def timeline(app: ConsoleApp) -> str:
    return str(app.query_one("#timeline-text").render())


def toasts(app: ConsoleApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def acknowledge_while_down(pilot: Pilot[None], server: Spawned, incident: str) -> None:
    """Open the console, kill the server, press `a` on `incident`: it waits in the outbox."""
    app = await opened(pilot)
    assert f"frank · http {server.url} · online" in header(app)
    await put_cursor_on(pilot, incident)

    server.kill()
    await settle(pilot, lambda: app.link is Link.OFFLINE, timeout=10)
    assert "OFFLINE: actions wait in the outbox" in header(app)
    assert any("cannot be reached" in toast for toast in toasts(app))

    # Looking around still works: the pane shows what the queue knows, and no error.
    other = next(i for i in app.model.rows if i != incident)
    await put_cursor_on(pilot, other)
    # The pane may say so already for `incident`: wait for `other` to be the one shown.
    await settle(pilot, lambda: other in str(app.query_one("#summary").render()))
    assert OFFLINE_TIMELINE in timeline(app)
    await put_cursor_on(pilot, incident)
    await settle(pilot, lambda: incident in str(app.query_one("#summary").render()))
    assert not [t for t in toasts(app) if "went wrong" in t or "could not" in t]

    await pilot.press("a")
    await settle(pilot, lambda: "(1 queued)" in header(app))
    assert any("waits in the outbox" in toast for toast in toasts(app))
    assert app.model.incidents[incident].status is Status.TRIGGERED
    assert acknowledgements(server.store, incident) == []


def test_the_console_waits_out_a_dead_server_and_its_ack_lands_once(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served
    incident = triggered(server.store).id
    outbox = tmp_path / "outbox.jsonl"

    async def scenario() -> None:
        app = console(server, tokens["frank"], outbox)
        async with app.run_test(size=(160, 50)) as pilot:
            await acknowledge_while_down(pilot, server, incident)
            assert len(outbox_lines(outbox)) == 1

            await asyncio.to_thread(server.start)  # the same store on the same port
            await settle(pilot, lambda: app.link is Link.ONLINE, timeout=15)
            await settle(
                pilot,
                lambda: app.model.incidents[incident].status is Status.ACKNOWLEDGED,
                timeout=15,
            )
            await settle(pilot, lambda: "queued" not in header(app))
            assert f"· http {server.url} · online" in header(app)
            await settle(pilot, lambda: "acknowledged by frank" in timeline(app))
            await pilot.pause(1.0)  # time for a second one to show up, if there were one
            await pilot.press("q")

    run(scenario)
    assert [a.by for a in acknowledgements(server.store, incident)] == ["frank"]
    assert outbox_lines(outbox) == []


def test_a_queued_ack_someone_beat_is_shown_to_the_responder(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served
    incident = triggered(server.store).id
    outbox = tmp_path / "outbox.jsonl"

    async def scenario() -> None:
        app = console(server, tokens["frank"], outbox)
        async with app.run_test(size=(160, 50)) as pilot:
            await acknowledge_while_down(pilot, server, incident)
            # Meanwhile alice, on the server's host, acknowledges it on the store itself.
            store = reopen(server.store)
            store.execute(c.Acknowledge(incident=incident), "alice")

            await asyncio.to_thread(server.start)
            await settle(pilot, lambda: any("was refused" in t for t in toasts(app)), timeout=15)
            await settle(pilot, lambda: "queued" not in header(app))
            await settle(pilot, lambda: app.model.incidents[incident].assignee == "alice")
            refusal = next(t for t in toasts(app) if "was refused" in t)
            assert f"Your acknowledge of {incident} from" in refusal
            now = "it is acknowledged, assigned to alice now."
            assert f"{incident} changed while you were offline; {now}" in refusal
            await pilot.press("q")

    run(scenario)
    assert [a.by for a in acknowledgements(server.store, incident)] == ["alice"]
    assert outbox_lines(outbox) == []


def test_the_program_in_a_terminal_rides_out_a_server_restart(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served
    incident = triggered(server.store)
    outbox = tmp_path / "outbox.jsonl"
    settings = {
        "ESCTUI_SERVER": server.url,
        "ESCTUI_TOKEN": tokens["alice"],
        "ESCTUI_OUTBOX": str(outbox),
        "ESCTUI_CONFIG": str(tmp_path / "config.toml"),
        "TERM": "xterm-256color",
    }
    name = f"esctui-{uuid.uuid4().hex[:8]}"
    command = " ".join([UNSIZED, *(f"{k}={v}" for k, v in settings.items()), ESCTUI])
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "40", command)
    terminal = Terminal(name)
    try:
        terminal.wait_for(f"alice · http {server.url} · online", timeout=20)
        terminal.keys(":")
        terminal.wait_for("command: ack", timeout=5)
        terminal.keys("-l", f"go {incident.id}")
        terminal.keys("Enter")
        terminal.wait_for(f"{incident.id}  SEV{incident.severity}  triggered", timeout=5)

        server.kill()
        terminal.wait_for("OFFLINE: actions wait in the outbox", timeout=10)
        terminal.keys("a")
        terminal.wait_for("(1 queued)", timeout=5)
        assert len(outbox_lines(outbox)) == 1
        assert json.loads(outbox_lines(outbox)[0])["what"] == f"acknowledge of {incident.id}"

        server.start()
        terminal.wait_for(f"alice · http {server.url} · online ·", timeout=15)
        deadline = time.monotonic() + 15
        while not acknowledgements(server.store, incident.id) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        assert [a.by for a in acknowledgements(server.store, incident.id)] == ["alice"]
        assert outbox_lines(outbox) == []
        assert "queued" not in terminal.screen()
        terminal.keys("q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_the_console_says_so_when_its_token_is_revoked(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served

    async def scenario() -> None:
        app = console(server, tokens["frank"], tmp_path / "outbox.jsonl")
        async with app.run_test(size=(160, 50)) as pilot:
            app = await opened(pilot)
            TokenBook(server.store).revoke("frank", datetime.now(UTC))
            # Its stream is ended saying so (or, not connected yet, refused when it connects).
            await settle(pilot, lambda: any("(frank's) was revoked at" in t for t in toasts(app)))
            assert app.link is not Link.OFFLINE
            await pilot.press("q")

    run(scenario)
