"""The detail pane from the keyboard: into it, between its tabs, scrolling, and back; the
timeline follows its newest entry."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from esctui.domain.commands import AddNote
from esctui.domain.models import Status
from esctui.tui import ConsoleApp

from .conftest import Console, first, opened, put_cursor_on, run, settle


def longest_open_timeline(console: Console) -> str:
    """The open incident with the most events: its timeline overflows a small pane."""
    incidents = [i for i in console.incidents().values() if i.is_open]
    return max(incidents, key=lambda i: len(console.history(i.id).timeline)).id


def in_pane(app: ConsoleApp) -> bool:
    focused = app.focused
    return focused is not None and app.queue.detail in focused.ancestors_with_self


def active_tab(app: ConsoleApp) -> str:
    return app.query_one("#detail-tabs", TabbedContent).active


def scroller(app: ConsoleApp, tab: str) -> VerticalScroll:
    return app.query_one(f"#{tab}-scroll", VerticalScroll)


async def showing(pilot: Pilot[None], incident_id: str) -> ConsoleApp:
    """The console with the cursor on `incident_id` and its detail shown."""
    app = await opened(pilot)
    await put_cursor_on(pilot, incident_id)
    await settle(pilot, lambda: app.queue.detail.incident_id == incident_id)
    return app


def test_enter_and_tab_go_into_the_pane_and_its_keys_move_about(console: Console) -> None:
    target = longest_open_timeline(console)

    async def scenario() -> None:
        async with console.app().run_test(size=(80, 24)) as pilot:
            app = await showing(pilot, target)
            await pilot.press("enter")
            assert in_pane(app)
            await pilot.press("right_square_bracket")
            assert active_tab(app) == "communications"
            await pilot.press("right_square_bracket", "right_square_bracket")
            assert active_tab(app) == "timeline"  # round again
            await pilot.press("left_square_bracket")
            assert active_tab(app) == "details"
            await pilot.press("tab")
            assert active_tab(app) == "timeline" and in_pane(app)

            timeline = scroller(app, "timeline")
            await settle(pilot, lambda: timeline.max_scroll_y > 0)
            await pilot.press("g")
            await settle(pilot, lambda: timeline.scroll_y == 0)
            await pilot.press("j", "j")
            await settle(pilot, lambda: timeline.scroll_y == 2)
            await pilot.press("k")
            await settle(pilot, lambda: timeline.scroll_y == 1)
            assert app.queue.table.current_id == target  # j and k scrolled, the cursor stayed

            await pilot.press("escape")
            assert app.queue.table.has_focus
            await pilot.press("tab")
            assert in_pane(app)
            await pilot.press("escape", "j")
            assert app.queue.table.current_id != target  # j moves the queue again

    run(scenario)


def test_incident_keys_work_again_after_escape(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(80, 24)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("enter", "right_square_bracket", "escape", "a")
            await settle(
                pilot, lambda: app.model.incidents[target.id].status is Status.ACKNOWLEDGED
            )

    run(scenario)


def test_the_timeline_follows_its_newest_entry(console: Console) -> None:
    target = longest_open_timeline(console)

    async def scenario() -> None:
        async with console.app().run_test(size=(80, 24)) as pilot:
            app = await showing(pilot, target)
            timeline = scroller(app, "timeline")
            await settle(pilot, lambda: timeline.max_scroll_y > 0)
            await settle(pilot, lambda: timeline.scroll_y == timeline.max_scroll_y)

            await pilot.press("n", *"the newest words", "ctrl+s")
            text = timeline.query_one(Static)
            await settle(pilot, lambda: "the newest words" in str(text.render()))
            # The note is the last entry, and the pane is scrolled to its end.
            assert "the newest words" in str(text.render()).rstrip().splitlines()[-1]
            await settle(pilot, lambda: timeline.scroll_y == timeline.max_scroll_y)

    run(scenario)


def test_help_lists_the_pane_keys_with_their_ids(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(120, 40)) as pilot:
            app = await opened(pilot)
            await pilot.press("question_mark")
            await settle(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
            text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
            for binding_id in ("detail.next-tab", "detail.previous-tab", "detail.down",
                               "detail.up", "view.back"):  # fmt: skip
                assert f"[{binding_id}]" in text

    run(scenario)


def test_a_timeline_scrolled_back_stays_where_the_responder_left_it(console: Console) -> None:
    target = longest_open_timeline(console)

    async def scenario() -> None:
        async with console.app().run_test(size=(80, 24)) as pilot:
            app = await showing(pilot, target)
            timeline = scroller(app, "timeline")
            await settle(pilot, lambda: 0 < timeline.max_scroll_y == timeline.scroll_y)
            await pilot.press("enter", "g")
            await settle(pilot, lambda: timeline.scroll_y == 0)
            console.elsewhere(AddNote(incident=target, text="said elsewhere"), "alice")
            text = timeline.query_one(Static)
            await settle(pilot, lambda: "said elsewhere" in str(text.render()))
            await pilot.pause()
            assert timeline.scroll_y == 0

    run(scenario)
