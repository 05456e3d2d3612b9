"""The bottom line offers the keys that apply to the incident under the cursor, follows it as
the incident changes, and a click on a key presses it."""

from __future__ import annotations

from esctui.domain.models import Status
from esctui.tui.screens.forms import NoteEditor
from esctui.tui.widgets.key_bar import KeyBar

from .conftest import Console, first, opened, put_cursor_on, run, settle


def offered(bar: KeyBar) -> list[str]:
    return [key.description for key in bar.keys if key.enabled]


def test_the_keys_follow_the_incident_and_a_click_presses_one(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            bar = app.query_one(KeyBar)
            await put_cursor_on(pilot, target.id)
            await settle(pilot, lambda: "Ack" in offered(bar))
            assert " a Ack " in bar.render().plain
            assert "Palette" in bar.render().plain  # pinned on the right

            await pilot.press("a")  # acknowledged: nothing left to acknowledge
            await settle(pilot, lambda: "Ack" not in offered(bar))
            assert " a Ack " not in bar.render().plain and "Resolve" in offered(bar)

            start = next(s for s, _, key in bar.spans if key.description == "Note")
            assert await pilot.click(KeyBar, offset=(start + 1, 0))
            await settle(pilot, lambda: isinstance(app.screen, NoteEditor))

    run(scenario)


def test_keys_that_do_not_fit_are_left_out_whole(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(60, 24)) as pilot:
            await opened(pilot)
            bar = pilot.app.query_one(KeyBar)
            line = bar.render()
            assert line.cell_length <= 60
            drawn = [key.description for _, _, key in bar.spans]
            assert drawn[-1] == "Palette" and len(drawn) - 1 < len(bar.keys)
            for start, end, key in bar.spans:  # each key drawn whole where its span says
                assert line.plain[start:end].startswith(key.shown)
                assert line.plain[start:end].endswith(key.description)

    run(scenario)
