"""The console shows, for the selected incident, whom it paged, how, when, and whether it was
delivered (the Details tab: each page's latest try), and every try in its timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from esctui.domain import commands as c
from esctui.domain.events import PageOutcome
from esctui.domain.models import Status
from esctui.tui import ConsoleApp

from .conftest import NOW, Console, first, opened, put_cursor_on, run, settle


def paged(
    incident: str,
    method: str,
    outcome: PageOutcome,
    *,
    attempt: int = 1,
    detail: str = "",
    next_at: datetime | None = None,
) -> c.RecordPage:
    """The sender's record of one try of a page to alice."""
    return c.RecordPage(
        incident=incident, page=f"{incident}/alice/{method}", to="alice", method=method,
        outcome=outcome, attempt=attempt, detail=detail, next_at=next_at,
    )  # fmt: skip


def shown(app: ConsoleApp, tab: str) -> list[str]:
    """The lines a tab's text is laid out in, as the pane draws them (scrolled into view)."""
    text = app.query_one(f"#{tab}-text", Static)
    return [text.render_line(y).text.rstrip() for y in range(text.size.height)]


async def on_details(pilot: Pilot[None], incident_id: str) -> ConsoleApp:
    """The console with the cursor on `incident_id`, in its pane, on the Details tab."""
    app = await opened(pilot)
    await put_cursor_on(pilot, incident_id)
    await settle(pilot, lambda: app.queue.detail.incident_id == incident_id)
    await pilot.press("enter", "left_square_bracket")  # into the pane; back round to Details
    await settle(pilot, lambda: app.query_one("#detail-tabs", TabbedContent).active == "details")
    return app


def pages_part(lines: list[str]) -> list[str]:
    """The lines under the Details tab's `pages` heading."""
    assert "pages" in lines, lines
    return lines[lines.index("pages") + 1 :]


def test_the_details_say_whom_the_incident_paged_how_when_and_how_it_went(
    console: Console,
) -> None:
    target = first(console.incidents(), Status.TRIGGERED).id
    later = NOW + timedelta(hours=4)
    console.elsewhere(paged(target, "phone", "failed", detail="503 busy", next_at=NOW), None)
    console.elsewhere(paged(target, "phone", "delivered", attempt=2), None)
    console.elsewhere(paged(target, "mail", "held", next_at=later), None)
    console.elsewhere(paged(target, "chat", "gave-up", attempt=5, detail="refused"), None)

    async def scenario() -> None:
        async with console.app().run_test(size=(100, 60)) as pilot:
            app = await on_details(pilot, target)
            await settle(pilot, lambda: "pages" in shown(app, "details"))
            # One line per page, its latest try, in the order they were first paged.
            assert pages_part(shown(app, "details")) == [
                "      03:12  paged alice by phone: delivered",
                "      03:12  paged alice by mail: held until 11-23 07:12",
                "      03:12  paged alice by chat: gave up after 5 tries (refused)",
            ]
            # The timeline keeps every try, the failure and its reason too.
            await pilot.press("right_square_bracket")  # round to the Timeline
            await settle(pilot, lambda: bool(shown(app, "timeline")))
            timeline = "\n".join(shown(app, "timeline"))
            assert "paged alice by phone: failed (503 busy); retrying at 11-23 03:12 (try 2)" in (
                timeline
            )
            assert "paged alice by phone: delivered" in timeline

    run(scenario)


def test_a_page_recorded_while_the_incident_is_shown_appears_in_its_details(
    console: Console,
) -> None:
    target = first(console.incidents(), Status.TRIGGERED).id

    async def scenario() -> None:
        async with console.app().run_test(size=(100, 60)) as pilot:
            app = await on_details(pilot, target)
            assert "pages" not in shown(app, "details")  # nothing paged yet: no heading
            console.elsewhere(paged(target, "phone", "delivered"), None)
            await settle(pilot, lambda: "pages" in shown(app, "details"))
            assert pages_part(shown(app, "details")) == [
                "      03:12  paged alice by phone: delivered"
            ]

    run(scenario)
