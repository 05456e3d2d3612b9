"""The `:` command line: parsed into requests, and run against the real store."""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest

from esctui.domain import events as e
from esctui.domain.models import Status
from esctui.tui.command_line import CommandLineError, Request, parse

from .conftest import ME, NOW, Console, Toasts, first, opened, put_cursor_on, run, settle


@pytest.mark.parametrize(
    ("line", "request_"),
    [
        (":ack", Request("ack")),
        ("esc", Request("esc")),
        (":esc 2", Request("esc", level=2)),
        (":handoff bob please take it", Request("handoff", text="bob please take it")),
        (":snooze 30m", Request("snooze", duration=timedelta(minutes=30))),
        (":note disk is at 99%", Request("note", text="disk is at 99%")),
        (":theme esctui-light", Request("theme", text="esctui-light")),
        (":view 2", Request("view", view="unacknowledged")),
        (":view breach", Request("view", view="breaching")),
        (":sort newest", Request("sort", text="newest")),
        (":q", Request("quit")),
    ],
)
def test_lines_parse(line: str, request_: Request) -> None:
    assert parse(line) == request_


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (":", "Type a command"),
        (":launch", "no command 'launch'"),
        (":esc two", "the level is a number"),
        (":esc 0", "the level is a number"),
        (":snooze", "needs DURATION"),
        (":snooze soon", "not a duration"),
        (":handoff", "needs NAME"),
        (":view 9", ":view takes 1-7"),
        (":sort loudest", ":sort takes one of"),
        (":ack now please", "takes nothing after it"),
    ],
)
def test_bad_lines_are_sentences(line: str, says: str) -> None:
    with pytest.raises(CommandLineError, match=says):
        parse(line)


def run_line(console: Console, incident_id: str, line: str, until_event: type) -> e.AnyEvent:
    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, incident_id)
            before = app.model.incidents[incident_id].version
            await pilot.press(":", *line, "enter")
            await settle(pilot, lambda: app.model.incidents[incident_id].version > before)

    run(scenario)
    event = console.history(incident_id).timeline[-1]
    assert isinstance(event, until_event)
    return event


def test_colon_ack(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)
    event = run_line(console, target.id, "ack", e.Acknowledged)
    assert event.by == ME


def test_colon_esc_to_a_level(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED, level=1)
    event = run_line(console, target.id, "esc 3", e.Escalated)
    assert isinstance(event, e.Escalated) and event.to_level == 3


def test_colon_handoff_with_a_note(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)
    to = "bob" if target.assignee != "bob" else "alice"
    event = run_line(console, target.id, f"handoff {to} over to you", e.HandedOff)
    assert isinstance(event, e.HandedOff) and (event.to, event.note) == (to, "over to you")


def test_colon_snooze(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)
    event = run_line(console, target.id, "snooze 45m", e.Snoozed)
    assert isinstance(event, e.Snoozed) and event.until == NOW + timedelta(minutes=45)


def test_colon_note(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)
    event = run_line(console, target.id, "note [bold]not markup[/]", e.NoteAdded)
    assert isinstance(event, e.NoteAdded) and event.text == "[bold]not markup[/]"


def test_colon_view_and_theme_and_the_theme_is_saved(console: Console) -> None:
    console.config_path.parent.mkdir(parents=True)
    console.config_path.write_text(
        '# mine\nidentity = "frank"\n\n[sla.sev1]\nacknowledge = "5m"\nresolve = "4h"\n'
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await pilot.press(":", *"view 2", "enter")
            await settle(pilot, lambda: app.model.view == "unacknowledged")
            assert all(app.model.incidents[i].status is Status.TRIGGERED for i in app.model.rows)
            await pilot.press(":", *"theme esctui-light", "enter")
            await settle(pilot, lambda: app.theme == "esctui-light")

    run(scenario)
    text = console.config_path.read_text()
    assert text.startswith("# mine\n")  # the responder's own lines are kept
    saved = tomllib.loads(text)
    assert saved["theme"] == "esctui-light" and saved["sla"]["sev1"]["resolve"] == "4h"


def test_colon_theme_unknown_is_refused_and_nothing_saved(console: Console) -> None:
    async def scenario() -> None:
        toasts = Toasts()
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            await pilot.press(":", *"theme neon", "enter")
            await settle(pilot, lambda: bool(toasts.saying("no theme 'neon'")))
            assert app.theme == "esctui-dark"

    run(scenario)
    assert not console.config_path.exists()
