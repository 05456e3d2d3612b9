"""Every incident key, driven as a responder would: afterwards the store holds the event and
the screen shows it."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot

from esctui.domain import events as e
from esctui.domain.commands import Acknowledge
from esctui.domain.models import Status
from esctui.tui import ConsoleApp
from esctui.tui.widgets.key_bar import KeyBar

from .conftest import (
    ME,
    NOW,
    Console,
    Toasts,
    first,
    opened,
    put_cursor_on,
    row_text,
    run,
    select,
    settle,
)


def acknowledged(app: ConsoleApp, incident_id: str) -> bool:
    return app.model.incidents[incident_id].status is Status.ACKNOWLEDGED


def last_event(console: Console, incident_id: str) -> e.AnyEvent:
    return console.history(incident_id).timeline[-1]


async def press_on(pilot: Pilot[None], incident_id: str, *keys: str) -> ConsoleApp:
    app = await opened(pilot)
    await put_cursor_on(pilot, incident_id)
    await pilot.press(*keys)
    return app


def test_a_acknowledges_and_the_row_says_so(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "a")
            await settle(
                pilot, lambda: app.model.incidents[target.id].status is Status.ACKNOWLEDGED
            )
            assert " ACK " in row_text(app, target.id)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.Acknowledged) and event.by == ME


def test_u_unacknowledges(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "u")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.TRIGGERED)
            assert " TRIG " in row_text(app, target.id)

    run(scenario)
    assert isinstance(last_event(console, target.id), e.Unacknowledged)


def test_h_hands_off_through_the_picker(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)
    to = "alice" if target.assignee != "alice" else "bob"

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "h")
            await pilot.press(*to, "enter")
            await settle(pilot, lambda: app.model.incidents[target.id].assignee == to)
            assert f" {to} " in row_text(app, target.id)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.HandedOff) and event.to == to and event.by == ME


def test_e_escalates_to_the_next_level(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED, level=1)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "e")
            await settle(pilot, lambda: app.model.incidents[target.id].level == 2)
            assert " L2 " in row_text(app, target.id)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.Escalated) and (event.from_level, event.to_level) == (1, 2)


def test_capital_e_chooses_the_level(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED, level=1)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "E")
            await settle(pilot, lambda: type(app.screen).__name__ == "LevelPicker")
            await pilot.press("down", "enter")  # the list opens on the next level: one below
            await settle(pilot, lambda: app.model.incidents[target.id].level == 3)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.Escalated) and event.to_level == 3


def test_s_snoozes_for_a_chosen_time(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "s")
            await settle(pilot, lambda: type(app.screen).__name__ == "SnoozePicker")
            await pilot.press("2")
            await settle(pilot, lambda: app.model.incidents[target.id].snoozed(NOW))
            assert "ACK z" in row_text(app, target.id)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.Snoozed) and event.until == NOW + timedelta(minutes=30)


def test_s_takes_a_typed_duration_and_refuses_nonsense(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "s")
            await settle(pilot, lambda: type(app.screen).__name__ == "SnoozePicker")
            await pilot.press("tab", *"soon", "enter")
            assert type(app.screen).__name__ == "SnoozePicker"  # still asking
            await pilot.press(*(["backspace"] * 4), *"2h30m", "enter")
            await settle(pilot, lambda: app.model.incidents[target.id].snoozed(NOW))

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.Snoozed) and event.until == NOW + timedelta(hours=2, minutes=30)


def test_r_asks_then_resolves_with_a_note(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "r")
            await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmResolve")
            await pilot.press(*"rolled back", "enter")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.RESOLVED)
            # gone from "all open" (the list is drawn again when the change is told)
            await settle(pilot, lambda: target.id not in app.model.rows)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.Resolved) and event.note == "rolled back"


def test_r_then_escape_resolves_nothing(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "r")
            await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmResolve")
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is app.queue)

    run(scenario)
    assert console.incidents()[target.id].status is Status.ACKNOWLEDGED


def test_o_reopens_from_the_resolved_view(console: Console) -> None:
    target = first(console.incidents(), Status.RESOLVED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await pilot.press("5")
            await put_cursor_on(pilot, target.id)
            await pilot.press("o")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.TRIGGERED)

    run(scenario)
    assert isinstance(last_event(console, target.id), e.Reopened)


def test_n_writes_a_multi_line_note_saved_with_ctrl_s(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "n")
            await settle(pilot, lambda: type(app.screen).__name__ == "NoteEditor")
            await pilot.press(*"first line", "enter", *"second", "ctrl+s")
            await settle(pilot, lambda: app.model.incidents[target.id].notes == target.notes + 1)

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.NoteAdded) and event.text == "first line\nsecond"


def test_n_then_escape_asks_before_dropping_text(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "n")
            await settle(pilot, lambda: type(app.screen).__name__ == "NoteEditor")
            await pilot.press(*"half a thought", "escape")
            await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmDiscard")
            await pilot.press("n")  # keep editing
            await settle(pilot, lambda: type(app.screen).__name__ == "NoteEditor")
            await pilot.press("escape", "y")
            await settle(pilot, lambda: app.screen is app.screen_stack[0])

    run(scenario)
    assert console.incidents()[target.id].notes == target.notes


def test_c_logs_a_communication(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "c")
            await settle(pilot, lambda: type(app.screen).__name__ == "CommunicationForm")
            form = app.screen
            form.query_one("#counterpart").value = ""  # type: ignore[attr-defined]
            await pilot.press(*"Initech NOC", "enter", *"ETA 30 minutes", "ctrl+s")
            await settle(
                pilot,
                lambda: app.model.incidents[target.id].communications == target.communications + 1,
            )

    run(scenario)
    event = last_event(console, target.id)
    assert isinstance(event, e.CommunicationLogged)
    assert (event.counterpart, event.summary, event.direction) == (
        "Initech NOC",
        "ETA 30 minutes",
        "out",
    )


def test_space_selects_for_a_bulk_acknowledge(console: Console) -> None:
    incidents = console.incidents()
    triggered = sorted(
        (i for i in incidents.values() if i.status is Status.TRIGGERED), key=lambda i: i.id
    )[:2]

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await select(pilot, triggered)
            assert app.queue.table.selected == {i.id for i in triggered}
            await pilot.press("a")
            await settle(
                pilot,
                lambda: all(
                    app.model.incidents[i.id].status is Status.ACKNOWLEDGED for i in triggered
                ),
            )
            await settle(pilot, lambda: not app.queue.table.selected)

    run(scenario)
    for incident in triggered:
        assert isinstance(last_event(console, incident.id), e.Acknowledged)


def test_y_copies_the_id(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "y")
            assert app.clipboard == target.id

    run(scenario)


def test_a_refused_action_is_a_toast_and_the_queue_shows_the_truth(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)
    other = next(r for r in ("alice", "bob", "carol") if r != ME)

    async def scenario() -> None:
        # The console looks for others' changes only once an hour here, so it cannot have
        # seen the acknowledgement below when the key is pressed.
        toasts = Toasts()
        app = console.app(follow_interval=3600)
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            await put_cursor_on(pilot, target.id)
            console.elsewhere(Acknowledge(incident=target.id), other)  # someone faster
            await pilot.press("a")
            await settle(pilot, lambda: bool(toasts.saying(target.id)))
            await settle(pilot, lambda: app.model.incidents[target.id].acknowledged_by == other)
            assert " ACK " in row_text(app, target.id)

    run(scenario)
    acks = [ev for ev in console.history(target.id).timeline if isinstance(ev, e.Acknowledged)]
    assert [ev.by for ev in acks] == [other]


def test_read_only_offers_no_actions(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app(read_only=True).run_test(size=(160, 40)) as pilot:
            app = await press_on(pilot, target.id, "a", "r", "e")
            await pilot.pause()  # what the keys set going has gone through
            assert app.screen is app.screen_stack[0]
            keys = app.query_one(KeyBar).render().plain
            assert " Ack " not in keys and " Resolve " not in keys and " Help " in keys

    run(scenario)
    assert console.incidents()[target.id] == target


def test_a_command_line_refusal_is_a_sentence(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        toasts = Toasts()
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await press_on(pilot, target.id, ":", *"handoff nobody", "enter")
            await settle(pilot, lambda: bool(toasts.saying("'nobody'")))

    run(scenario)
    assert console.incidents()[target.id] == target
