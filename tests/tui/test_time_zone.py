"""The console shows times in the display time zone, and names it in the header."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from esctui.config import Config
from esctui.wording import clock

from .conftest import NOW, Console, opened, put_cursor_on, run, settle

TOKYO = ZoneInfo("Asia/Tokyo")


def test_the_header_and_the_detail_pane_speak_the_display_zone(console: Console) -> None:
    incident_id = min(i.id for i in console.incidents().values() if i.is_open)
    history = console.history(incident_id)

    async def scenario() -> None:
        app = console.app(config=Config(time_zone="Asia/Tokyo"))
        async with app.run_test(size=(200, 40)) as pilot:
            await opened(pilot)

            def header() -> str:
                return str(app.queue.header.shown())

            await settle(pilot, lambda: "JST" in header())  # once the queue has been read
            assert header().endswith(" · 12:12:00 JST"), header()  # 03:12 UTC
            await put_cursor_on(pilot, incident_id)
            await settle(pilot, lambda: app.queue.detail.incident_id == incident_id)
            timeline = str(app.query_one("#timeline-text").render())
            details = str(app.query_one("#details-text").render())
            first = history.timeline[0].at
            assert timeline.startswith(f"{clock(first, NOW, TOKYO):>11}  ")
            assert f"opened  {clock(history.incident.opened_at, NOW, TOKYO)}" in details

    run(scenario)
