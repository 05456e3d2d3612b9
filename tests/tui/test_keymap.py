"""A keymap that gives one key to two bindings is refused with a sentence (exit code 2), before
the console can act on the wrong key."""

from __future__ import annotations

from textual.widgets import TabbedContent

from esctui.config import Config
from esctui.domain.models import Status
from esctui.tui import ConsoleApp

from .conftest import Console, first, opened, put_cursor_on, run, settle


def refused(console: Console, keymap: dict[str, str]) -> ConsoleApp:
    """Start a console with `keymap`, until it ends by itself."""
    app = console.app(config=Config(keymap=keymap))

    async def scenario() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot, lambda: app.return_code is not None)

    run(scenario)
    assert app.return_code == 2
    return app


def test_one_key_for_two_bindings_is_refused(console: Console) -> None:
    app = refused(console, {"incident.resolve": "a"})
    assert app.failure == (
        "The keymap gives a to both incident.acknowledge and incident.resolve: give each "
        "binding a key of its own in the [keymap] table of the config file."
    )


def test_a_key_the_queue_uses_is_taken_too(console: Console) -> None:
    app = refused(console, {"incident.note": "N,j"})
    assert "gives j to both incident.note and queue.down" in (app.failure or "")


def test_swapping_two_keys_is_fine(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)
    config = Config(keymap={"incident.resolve": "a", "incident.acknowledge": "r"})

    async def scenario() -> None:
        async with console.app(config=config).run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("a")
            await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmResolve")
            assert app.return_code is None

    run(scenario)


def test_the_detail_panes_keys_clash_only_with_keys_in_force_beside_them(
    console: Console,
) -> None:
    app = refused(console, {"detail.down": "a"})  # in the pane, a acknowledges
    assert "gives a to both detail.down and incident.acknowledge" in (app.failure or "")
    # The pane's j and the queue's j are never in force together; a pane key can be remapped.
    config = Config(keymap={"detail.next-tab": "t"})

    async def scenario() -> None:
        async with console.app(config=config).run_test(size=(120, 30)) as pilot:
            app = await opened(pilot)
            await pilot.press("enter", "t")
            tabs = app.query_one("#detail-tabs", TabbedContent)
            await settle(pilot, lambda: tabs.active == "communications")
            assert app.return_code is None

    run(scenario)
