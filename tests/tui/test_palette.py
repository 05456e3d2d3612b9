"""Ctrl+P offers esctui's own actions (those that apply now) and its own themes: none of
Textual's generic entries, none of Textual's themes."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from textual.worker import WorkerState

from esctui.domain.models import Status
from esctui.tui import ConsoleApp

from .conftest import Console, first, opened, put_cursor_on, run, settle


def searched(app: App[None], query: str) -> bool:
    """Whether the palette has finished searching for `query`: it holds that text, and no
    search (each one a worker of the palette's screen) is still going."""
    screen = app.screen
    return screen.query_one(Input).value == query and not any(
        worker.node is screen
        and worker.description.startswith("_gather_commands(")
        and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for worker in app.workers
    )


async def palette(pilot: Pilot[None], query: str = "") -> list[str]:
    """Open the palette, type `query`, and read what it offers."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await settle(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
    await pilot.press(*query)
    await settle(pilot, lambda: searched(app, query))
    # Each entry reads "title\nhelp": the titles are what is offered.
    shown = [
        str(option.prompt).split("\n")[0] for option in app.screen.query_one(OptionList).options
    ]
    await pilot.press("escape")
    assert shown, "the palette offered nothing"
    return shown


def test_the_palette_holds_esctuis_actions_and_themes_only(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            everything = await palette(pilot)
            themes = await palette(pilot, "theme")
            assert isinstance(app, ConsoleApp)
            assert "Acknowledge" in everything
            assert "Reopen" not in everything  # not for an open incident
            for generic in ("Screenshot", "Keys", "Maximize", "Change theme", "textual-dark"):
                assert not any(generic in entry for entry in everything + themes), generic
            assert any("esctui-ansi" in entry for entry in themes)
            assert all("esctui-" in entry for entry in themes if "Theme" in entry)

    run(scenario)


def test_a_read_only_palette_offers_no_incident_action(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app(read_only=True).run_test(size=(160, 40)) as pilot:
            await opened(pilot)
            await put_cursor_on(pilot, target.id)
            everything = await palette(pilot)
            for action in ("Acknowledge", "Resolve", "Hand off", "Escalate", "Snooze", "Note"):
                assert action not in everything
            assert "Help" in everything

    run(scenario)
