"""The console over a team server (`esctui --server URL`), with the server killed mid-session:
the header says the link is down, timelines read before are still shown (marked as possibly
out of date), an acknowledgement made meanwhile waits in the outbox with a mark on its row and
is not queued twice, quitting asks first, and once the server is back it lands exactly once.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from acting import execute
from esctui.backends.base import Link
from esctui.backends.http.backend import HttpBackend
from esctui.backends.local import open_local
from esctui.config import Config
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain.events import Acknowledged, NoteAdded
from esctui.domain.models import Incident, Status
from esctui.stores.journal import create_store
from esctui.stores.journal.tokens import TokenBook
from esctui.tui import ConsoleApp, ConsoleOptions
from esctui.tui.histories import OFFLINE_TIMELINE
from esctui.tui.widgets.header import ConsoleHeader
from live_server import Spawned, make_tokens, reopen

from .conftest import Toasts, opened, put_cursor_on, run, settle
from .test_actions import row_text
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
    return str(app.query_one("#header", ConsoleHeader).shown())


def timeline(app: ConsoleApp) -> str:
    return str(app.query_one("#timeline-text").render())


def summary(app: ConsoleApp) -> str:
    return str(app.query_one("#summary").render())


def stale(app: ConsoleApp) -> str:
    notice = app.query_one("#stale")
    return str(notice.render()) if notice.display else ""


async def acknowledge_while_down(
    pilot: Pilot[None], server: Spawned, incident: str, toasts: Toasts
) -> None:
    """Open the console, read `incident`'s timeline, kill the server, press `a` on it: it
    waits in the outbox, its row marked, and a second `a` is not queued again."""
    app = await opened(pilot)
    assert header(app).startswith("frank · ")
    assert f"http {server.url} · online" in header(app)
    never_read = next(i for i in app.model.rows if i not in (app.queue.table.current_id, incident))
    await put_cursor_on(pilot, incident)
    await settle(pilot, lambda: incident in summary(app) and "triggered by" in timeline(app))
    seen = timeline(app)

    server.kill()
    await settle(pilot, lambda: app.live.link is Link.OFFLINE, timeout=10)
    assert "OFFLINE: actions wait in the outbox" in header(app)
    assert toasts.saying("cannot be reached")

    # Looking around still works: a timeline never read says it cannot be read now; one read
    # before is shown as it was read, marked as perhaps out of date.
    await put_cursor_on(pilot, never_read)
    await settle(pilot, lambda: never_read in summary(app))
    assert OFFLINE_TIMELINE in timeline(app)
    assert stale(app) == ""
    await put_cursor_on(pilot, incident)
    await settle(pilot, lambda: incident in summary(app) and timeline(app) == seen)
    assert "Offline: the timeline below is as read at" in stale(app)
    assert not [t for t in toasts.said if "went wrong" in t or "could not" in t]

    await pilot.press("a")
    await settle(pilot, lambda: "(1 queued)" in header(app))
    assert toasts.saying("waits in the outbox")
    assert app.model.incidents[incident].status is Status.TRIGGERED
    assert row_text(app, incident).startswith("…")  # waiting in the outbox
    await pilot.press("a")
    await settle(pilot, lambda: bool(toasts.saying("You already asked to acknowledge")))
    assert "(1 queued)" in header(app)
    assert acknowledgements(server.store, incident) == []


def test_the_console_waits_out_a_dead_server_and_its_ack_lands_once(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served
    incident = triggered(server.store).id
    outbox = tmp_path / "outbox.jsonl"

    async def scenario() -> None:
        app = console(server, tokens["frank"], outbox)
        toasts = Toasts()
        async with app.run_test(size=(160, 50), message_hook=toasts.hook) as pilot:
            await acknowledge_while_down(pilot, server, incident, toasts)
            # Another action on it waits behind the first, expecting what the first makes.
            await pilot.press(":", *"note still on it", "enter")
            await settle(pilot, lambda: "(2 queued)" in header(app))
            assert len(outbox_lines(outbox)) == 2

            await pilot.press("q")  # actions wait: quitting asks first
            await settle(pilot, lambda: type(app.screen).__name__ == "Confirm")
            assert "2 actions wait in the outbox" in str(app.screen.query_one(".question").render())
            await pilot.press("n")
            await settle(pilot, lambda: type(app.screen).__name__ == "QueueScreen")

            await asyncio.to_thread(server.start)  # the same store on the same port
            await settle(pilot, lambda: app.live.link is Link.ONLINE, timeout=15)
            await settle(
                pilot,
                lambda: app.model.incidents[incident].status is Status.ACKNOWLEDGED,
                timeout=15,
            )
            await settle(pilot, lambda: "queued" not in header(app))
            await settle(pilot, lambda: not row_text(app, incident).startswith("…"))
            assert f"· http {server.url} · online" in header(app)
            await settle(pilot, lambda: "note by frank: still on it" in timeline(app))
            assert "acknowledged by frank" in timeline(app) and stale(app) == ""
            # The note was queued after the acknowledgement: a second acknowledgement sent
            # would have been recorded before it.
            await pilot.press("q")

    run(scenario)
    assert [a.by for a in acknowledgements(server.store, incident)] == ["frank"]
    notes = [e for e in reopen(server.store).timeline(incident) if isinstance(e, NoteAdded)]
    assert [(n.by, n.text) for n in notes] == [("frank", "still on it")]
    assert outbox_lines(outbox) == []


def test_a_queued_ack_someone_beat_is_shown_to_the_responder(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served
    incident = triggered(server.store).id
    outbox = tmp_path / "outbox.jsonl"

    async def scenario() -> None:
        app = console(server, tokens["frank"], outbox)
        toasts = Toasts()
        async with app.run_test(size=(160, 50), message_hook=toasts.hook) as pilot:
            await acknowledge_while_down(pilot, server, incident, toasts)
            # Meanwhile alice, on the server's host, acknowledges it on the store itself.
            store = reopen(server.store)
            execute(store, c.Acknowledge(incident=incident), "alice")

            await asyncio.to_thread(server.start)
            await settle(pilot, lambda: bool(toasts.saying("was refused")), timeout=15)
            await settle(pilot, lambda: "queued" not in header(app))
            await settle(pilot, lambda: app.model.incidents[incident].assignee == "alice")
            assert not row_text(app, incident).startswith("…")
            refusal = toasts.saying("was refused")[0]
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
        terminal.wait_for(f"http {server.url} · online", timeout=20)
        assert "alice · " in terminal.screen()
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
        terminal.keys("q")  # not gone: it asks, and stays on "n"
        terminal.wait_for("1 action waits in the outbox", timeout=5)
        terminal.keys("n")
        assert json.loads(outbox_lines(outbox)[0])["what"] == f"acknowledge of {incident.id}"

        server.start()
        terminal.wait_for(f"http {server.url} · online ·", timeout=15)
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
        toasts = Toasts()
        async with app.run_test(size=(160, 50), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            TokenBook(server.store).revoke("frank", datetime.now(UTC))
            # Its stream is ended saying so (or, not connected yet, refused when it connects).
            await settle(pilot, lambda: bool(toasts.saying("(frank's) was revoked at")))
            assert app.live.link is not Link.OFFLINE
            await pilot.press("q")

    run(scenario)


def test_the_header_names_a_service_put_in_maintenance_while_the_console_is_open(
    served: tuple[Spawned, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = served
    maintenance = open_local(str(server.store)).integrations
    assert maintenance is not None

    async def scenario() -> None:
        app = console(server, tokens["frank"], tmp_path / "outbox.jsonl")
        async with app.run_test(size=(160, 50)) as pilot:
            app = await opened(pilot)
            header = app.query_one("#header", ConsoleHeader)
            assert "maintenance" not in header.shown().plain
            # Started on the store, as `esctui --store DIR maintenance start` does: no event.
            await maintenance.service.start_maintenance("checkout", timedelta(hours=1), "", None)
            await settle(pilot, lambda: "maintenance: checkout" in header.shown().plain, 10.0)
            await maintenance.service.end_maintenance("checkout")
            await settle(pilot, lambda: "maintenance" not in header.shown().plain, 10.0)
            await pilot.press("q")

    run(scenario)
