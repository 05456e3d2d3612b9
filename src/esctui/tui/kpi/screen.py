"""The KPI screen (`m`, `:metrics`, the palette): for the last 24 hours, 7 days or 30 days, how
fast incidents were acknowledged and resolved (with the trend), SLA compliance, how often they
escalated (too often, too late), whether customers heard from us in time and how satisfied they
were, pages, and the sources that keep coming back; overall, per service and per responder.

The figures are `domain.metrics.summarize` over each incident's facts, the same functions and
numbers as `esctui metrics --json`. The console keeps the facts (`kept.py`: read ahead, then
brought up to date as incidents change), so the screen only adds them up for the period.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from esctui.backends.base import StoreError
from esctui.domain.incident_facts import Facts
from esctui.domain.metrics import Metrics, summarize
from esctui.tui.kpi.figures import (
    GROUP_HEADERS,
    RESPONDER_HEADERS,
    headline,
    responder_rows,
    service_rows,
    sources,
)
from esctui.tui.kpi.kept import KeptFacts
from esctui.tui.kpi.trend import Trend
from esctui.tui.widgets.key_bar import KeyBar

PERIODS: dict[str, tuple[timedelta, str]] = {
    "day": (timedelta(hours=24), "24 hours"),
    "week": (timedelta(days=7), "7 days"),
    "month": (timedelta(days=30), "30 days"),
}
KPI_BINDINGS: list[BindingType] = [
    Binding("1", "period('day')", "24h", id="kpi.day"),
    Binding("2", "period('week')", "7d", id="kpi.week"),
    Binding("3", "period('month')", "30d", id="kpi.month"),
    Binding("j,down", "scroll('down')", "Down", show=False, id="kpi.down"),
    Binding("k,up", "scroll('up')", "Up", show=False, id="kpi.up"),
    Binding("pagedown,ctrl+f", "scroll('page_down')", "Page down", show=False, id="kpi.page-down"),
    Binding("pageup,ctrl+b", "scroll('page_up')", "Page up", show=False, id="kpi.page-up"),
    Binding("escape,m", "back", "Back to the queue", id="kpi.back"),
]


class KpiScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("kpi.tcss")
    BINDINGS: ClassVar[list[BindingType]] = KPI_BINDINGS

    def __init__(
        self,
        kept: KeptFacts,
        clock: Callable[[], datetime],
        zone: tzinfo,
        period: str = "week",
    ) -> None:
        """`kept`: the console's facts of the last 30 days' incidents."""
        super().__init__()
        self.kept = kept
        self.clock = clock
        self.zone = zone
        self.period = period
        self.facts: list[Facts] | None = None
        self.read_at: datetime | None = None
        self.result: Metrics | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("KPIs · reading the history…"), id="kpi-title")
        with VerticalScroll(id="kpi-body", can_focus=False):
            yield Static("", id="kpi-headline")
            yield Trend(id="kpi-tta")
            yield Trend(id="kpi-ttr")
            yield Static("", id="kpi-services")
            yield Static("", id="kpi-responders")
            yield Static("", id="kpi-sources")
        yield KeyBar(id="kpi-keys")

    def on_mount(self) -> None:
        self.read_history()

    @work(exclusive=True, group="kpi", exit_on_error=False)
    async def read_history(self) -> None:
        now = self.clock()
        try:
            self.facts = await self.kept.current(now)
        except StoreError as error:
            self.query_one("#kpi-title", Static).update(
                Content.assemble(("KPIs", "bold"), f" · the history cannot be read: {error}")
            )
            return
        self.read_at = now
        await self.work_out()

    async def work_out(self) -> None:
        if self.facts is None or self.read_at is None:
            return
        length, _ = PERIODS[self.period]
        until = self.read_at
        # Added up off the event loop: the console keeps ticking meanwhile.
        self.result = await asyncio.to_thread(summarize, self.facts, until - length, until)
        self.show_figures()

    def action_period(self, period: str) -> None:
        if period != self.period:
            self.period = period
            self.run_worker(self.work_out(), group="kpi", exclusive=True, exit_on_error=False)

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one("#kpi-body", VerticalScroll), f"scroll_{how}")(animate=False)

    def action_back(self) -> None:
        self.dismiss(None)

    # -- drawing -------------------------------------------------------------------------------

    def show_figures(self) -> None:
        result = self.result
        if result is None:
            return
        _, words = PERIODS[self.period]
        overall = result.overall
        periods = "  ".join(
            f"{n} {'24h' if key == 'day' else '7d' if key == 'week' else '30d'}"
            for n, key in enumerate(PERIODS, start=1)
        )
        self.query_one("#kpi-title", Static).update(
            Content.assemble(
                ("KPIs", "bold"),
                f" · last {words} · {overall.incidents} incidents, {overall.resolved} resolved"
                f" · per {result.trend_every}   ",
                (periods, "$text-muted"),
            )
        )
        pairs = headline(overall, result.pages_recorded)
        width = max(len(label) for label, _ in pairs)
        parts: list[str | tuple[str, str]] = []
        for label, value in pairs:
            parts += [(f"{label:<{width}}  ", "$text-muted"), (value + "\n", "bold")]
        self.query_one("#kpi-headline", Static).update(Content.assemble(*parts).rstrip())
        trend = overall.trend
        first, last = self.stamp(trend[0].start), self.stamp(trend[-1].start)
        self.query_one("#kpi-tta", Trend).show(
            "time to acknowledge, p50", [p.time_to_acknowledge_p50 for p in trend], first, last
        )
        self.query_one("#kpi-ttr", Trend).show(
            "time to resolve, p50", [p.time_to_resolve_p50 for p in trend], first, last
        )
        self.query_one("#kpi-services", Static).update(
            table("per service", "SERVICE", service_rows(result))
        )
        self.query_one("#kpi-responders", Static).update(
            table(
                "per responder (the incidents they held last; pages, at night in their zone)",
                "RESPONDER",
                responder_rows(result),
                RESPONDER_HEADERS,
            )
        )
        recurring = sources(result) or ["nothing came back twice"]
        self.query_one("#kpi-sources", Static).update(
            Content.assemble(("recurring sources\n", "bold"), "\n".join(recurring))
        )

    def stamp(self, at: datetime) -> str:
        local = at.astimezone(self.zone)
        return f"{local:%H:%M}" if self.period == "day" else f"{local:%m-%d}"


def table(
    title: str, first: str, rows: list[tuple[str, ...]], headers: tuple[str, ...] = GROUP_HEADERS
) -> Content:
    """`rows` under `headers` (the first column headed `first`), in columns as wide as their
    widest cell."""
    everything = [(first, *headers[1:]), *rows]
    widths = [max(len(row[i]) for row in everything) for i in range(len(headers))]
    parts: list[str | tuple[str, str]] = [(title + "\n", "bold")]
    for number, row in enumerate(everything):
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        parts.append((line + "\n", "$text-muted" if number == 0 else ""))
    return Content.assemble(*parts).rstrip()
