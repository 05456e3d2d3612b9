"""One path for every incident action: whatever asks for it (a key, the `:` line, the
palette), a read-only console changes nothing, every way of resolving asks, and an action that
does not apply says why."""

from __future__ import annotations

from textual.widgets import Input

from esctui.domain import events as e
from esctui.domain.models import Status

from .conftest import ME, Console, Toasts, first, opened, put_cursor_on, run, select, settle

READ_ONLY = "read-only"


def screen_name(app: object) -> str:
    return type(app.screen).__name__  # type: ignore[attr-defined]


def test_read_only_changes_nothing_whatever_asks(console: Console) -> None:
    incidents = console.incidents()
    triggered = first(incidents, Status.TRIGGERED)
    held = next(
        i for i in incidents.values() if i.status is Status.ACKNOWLEDGED and i.assignee != "bob"
    )
    resolved = first(incidents, Status.RESOLVED)
    asks = [
        (triggered.id, ":ack"),
        (held.id, ":unack"),
        (held.id, ":esc 2"),
        (held.id, ":handoff bob"),
        (held.id, ":snooze 4h"),
        (held.id, ":resolve"),
        (held.id, ":resolve fixed it"),
        (resolved.id, ":reopen"),
        (held.id, ":note hello"),
        (held.id, ":comm"),
        (held.id, ":undo"),
        (triggered.id, "a"),
        (held.id, "r"),
        (held.id, "h"),
        (held.id, "n"),
    ]
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(read_only=True)
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            await pilot.press("5")  # the resolved view holds every incident asked about here
            await pilot.press("3")
            for number, (incident_id, keys) in enumerate(asks, start=1):
                await put_cursor_on(pilot, incident_id)
                await pilot.press(*([*keys, "enter"] if keys.startswith(":") else [keys]))
                await settle(pilot, lambda n=number: len(toasts.saying(READ_ONLY)) == n)  # type: ignore[misc]
                assert screen_name(app) == "QueueScreen", keys  # no dialog opened

    run(scenario)
    assert console.incidents() == incidents
    assert toasts.saying(READ_ONLY)[0] == (
        "This console is read-only (--read-only): it changes nothing."
    )


def test_colon_resolve_asks_like_r_with_the_note_filled_in(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press(":", *"resolve rolled back", "enter")
            await settle(pilot, lambda: screen_name(app) == "ConfirmResolve")
            assert app.screen.query_one("#note", Input).value == "rolled back"
            await pilot.press("escape")
            await settle(pilot, lambda: screen_name(app) == "QueueScreen")
            assert console.incidents()[target.id].status is Status.ACKNOWLEDGED
            await pilot.press(":", *"resolve rolled back", "enter")
            await settle(pilot, lambda: screen_name(app) == "ConfirmResolve")
            await pilot.press("enter")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.RESOLVED)

    run(scenario)
    event = console.history(target.id).timeline[-1]
    assert isinstance(event, e.Resolved) and event.note == "rolled back"


def test_a_key_that_does_not_apply_says_why(console: Console) -> None:
    incidents = console.incidents()
    theirs = next(
        i for i in incidents.values() if i.status is Status.ACKNOWLEDGED and i.assignee != ME
    )
    open_ = first(incidents, Status.TRIGGERED)
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, theirs.id)
            await pilot.press("a")
            await settle(pilot, lambda: bool(toasts.saying("already acknowledged")))
            await put_cursor_on(pilot, open_.id)
            await pilot.press("o")
            await settle(pilot, lambda: bool(toasts.saying("still open")))
            assert screen_name(app) == "QueueScreen"

    run(scenario)
    assert toasts.saying("already acknowledged")[0].startswith(
        f"{theirs.id} was already acknowledged by {theirs.acknowledged_by} "
    )
    assert toasts.saying("still open")[0] == (
        f"{open_.id} is still open (triggered); only a resolved incident can be reopened."
    )
    assert console.incidents() == incidents


def test_u_on_a_colleagues_sev1_asks_first(console: Console) -> None:
    target = next(
        i
        for i in console.incidents().values()
        if i.status is Status.ACKNOWLEDGED and i.severity == 1 and i.assignee != ME
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("u")
            await settle(pilot, lambda: screen_name(app) == "Confirm")
            assert f"{target.id} is a SEV1 held by {target.assignee}" in str(
                app.screen.query_one(".question").render()
            )
            await pilot.press("n")
            await settle(pilot, lambda: screen_name(app) == "QueueScreen")
            assert console.incidents()[target.id].status is Status.ACKNOWLEDGED
            await pilot.press("u")
            await settle(pilot, lambda: screen_name(app) == "Confirm")
            await pilot.press("y")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.TRIGGERED)

    run(scenario)
    assert isinstance(console.history(target.id).timeline[-1], e.Unacknowledged)


def test_a_bulk_action_does_what_applies_and_says_what_it_left(console: Console) -> None:
    incidents = console.incidents()
    triggered = first(incidents, Status.TRIGGERED)
    theirs = next(
        i for i in incidents.values() if i.status is Status.ACKNOWLEDGED and i.assignee != ME
    )
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            await select(pilot, [triggered, theirs])
            await pilot.press("a")
            await settle(
                pilot, lambda: app.model.incidents[triggered.id].status is Status.ACKNOWLEDGED
            )
            await settle(pilot, lambda: bool(toasts.saying(theirs.id)))

    run(scenario)
    assert "already acknowledged" in toasts.saying(theirs.id)[0]
    assert console.incidents()[theirs.id] == theirs
