"""A backend that cannot do something: the console offers it nowhere, and says why when asked
anyway. (A store opened with fewer capabilities stands in for a platform that lacks them.)"""

from __future__ import annotations

from esctui.domain.actions import EVERY_ACTION, Action
from esctui.domain.models import Status
from esctui.tui.widgets.key_bar import KeyBar

from .conftest import Console, Toasts, first, opened, put_cursor_on, run, settle
from .test_palette import palette

NO_RESOLVE = EVERY_ACTION - {Action.RESOLVE}
SAID = "opened without the resolve action"


def test_an_action_the_backend_cannot_do_is_offered_nowhere_and_says_why(
    console: Console,
) -> None:
    held = first(console.incidents(), Status.ACKNOWLEDGED)
    before = console.incidents()
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(capabilities=NO_RESOLVE)
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            await put_cursor_on(pilot, held.id)
            keys = app.query_one(KeyBar)
            await settle(pilot, lambda: bool(keys.keys))
            shown = [key.description for key in keys.keys]
            assert "Resolve" not in shown and "Ack" not in shown
            assert "Hand off" in shown
            assert "Resolve" not in await palette(pilot)
            await pilot.press("r")
            await settle(pilot, lambda: len(toasts.saying(SAID)) == 1)
            await pilot.press(":", *"resolve fixed", "enter")
            await settle(pilot, lambda: len(toasts.saying(SAID)) == 2)
            assert type(app.screen).__name__ == "Screen"  # nothing was asked

    run(scenario)
    assert console.incidents() == before


def test_the_same_backend_with_every_capability_offers_resolve(console: Console) -> None:
    held = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        app = console.app()
        async with app.run_test(size=(160, 40)) as pilot:
            await opened(pilot)
            await put_cursor_on(pilot, held.id)
            keys = app.query_one(KeyBar)
            await settle(pilot, lambda: "Resolve" in [key.description for key in keys.keys])

    run(scenario)
