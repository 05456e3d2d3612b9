"""Small words on the console: the sort named as it is, cells that fit, targets as a responder
writes them, labels in line."""

from __future__ import annotations

from datetime import timedelta

from esctui.domain.durations import format_duration
from esctui.domain.models import Status
from esctui.tui.columns import COLUMNS

from .conftest import Console, opened, put_cursor_on, run, settle


def test_every_time_since_fits_its_column_without_being_cut() -> None:
    longest = max(
        len(format_duration(timedelta(minutes=m)))
        for m in range(0, 100 * 24 * 60, 7)  # up to 99 days
    )
    widths = {c.key: c.width for c in COLUMNS}
    assert longest <= widths["customer_update"]
    assert longest <= widths["age"]


def test_the_resolved_view_names_the_order_it_shows(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            views = app.queue.views
            assert "sort: severity" in str(views.shown())
            await pilot.press("5")
            await settle(pilot, lambda: app.model.view == "resolved")
            assert "sort: most recently resolved first" in str(views.shown())
            assert "severity" not in str(views.shown())

    run(scenario)


def test_details_give_targets_in_days_and_hours_and_labels_in_line(console: Console) -> None:
    incidents = console.incidents()
    target = next(
        i
        for i in sorted(incidents.values(), key=lambda i: i.id)
        if i.status is Status.ACKNOWLEDGED and i.severity == 3 and i.labels
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await settle(pilot, lambda: app.queue.detail.incident_id == target.id)
            details = app.query_one("#details-text")
            text = str(details.render())
            assert "acknowledge 1h, resolve 3d" in text
            names = ["service", "customer", "opened", "SLA targets"]
            names += [f"label {key}" for key in target.labels]
            starts = set()
            for line in text.splitlines():
                name = next((n for n in names if line.strip().startswith(n + "  ")), None)
                if name is not None:
                    starts.add(line.index(name) + len(name) + 2)
            assert len(starts) == 1, text  # every value starts in the same column

    run(scenario)
