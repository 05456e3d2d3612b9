"""Getting about the console: the views on the number keys, the sort, the filter, the two
panes, escape to step back, going to one incident (from the palette or `:go`), and reading the
timelines that the SLA cells of resolved incidents need."""

from __future__ import annotations

from textual import work

from esctui.backends.base import Link
from esctui.listing import SORTS
from esctui.tui.command_line import view_named
from esctui.tui.console_part import ConsolePart
from esctui.tui.widgets.detail import IncidentDetail
from esctui.tui.widgets.queue_table import QueueTable


class Navigation(ConsolePart):
    """Mixed into `ConsoleApp`: what the queue shows, and where the keys go."""

    def action_view(self, view: str) -> None:
        self.model.view = view_named(view)
        self.model.arrange()
        self.table.reload()
        self.refresh_header()

    def action_cycle_sort(self) -> None:
        self.model.sort = SORTS[(SORTS.index(self.model.sort) + 1) % len(SORTS)]
        self.model.arrange()
        self.table.reload()
        self.refresh_header()

    def set_filter(self, text: str) -> None:
        self.model.filter_text = text
        self.model.arrange()
        self.table.reload()
        self.refresh_header()

    def action_step_back(self) -> None:
        """`esc`: out of the detail pane, else the bottom line, the filter, the selection."""
        if self.query_one(IncidentDetail).has_focus_within:
            self.table.focus()
        elif self.line_mode:
            if self.line_mode == "filter":
                self.set_filter("")
            self.close_line()
        elif self.model.filter_text:
            self.set_filter("")
        elif self.table.selected:
            self.table.clear_selection()
        else:
            self.table.focus()

    def action_open_detail(self) -> None:
        if self.line_mode:
            return
        self.query_one(IncidentDetail).focus()

    def action_switch_pane(self) -> None:
        """`tab`: from the queue into the detail pane; there, to its next tab."""
        if len(self.screen_stack) > 1:  # a dialog: tab moves between its fields as usual
            self.screen.focus_next()
            return
        if self.line_mode:
            return
        detail = self.query_one(IncidentDetail)
        if detail.has_focus_within:
            detail.action_next_tab()
        else:
            detail.focus()

    def on_queue_table_records_needed(self, _: QueueTable.RecordsNeeded) -> None:
        self.read_records()

    @work(exclusive=True, group="records", exit_on_error=False)
    async def read_records(self) -> None:
        """Read the timelines of the resolved incidents on screen, for what became of their
        SLA deadlines (their states alone cannot tell)."""
        if self.backend.link is Link.OFFLINE:
            return  # asked again when the queue is next drawn
        for incident_id in self.table.records_needed():
            self.model.remember(await self.backend.history(incident_id))
        self.table.records_read()

    def go_to(self, incident_id: str) -> None:
        if incident_id not in self.model.rows:
            self.model.view, self.model.filter_text = "open", ""
            if (
                incident_id in self.model.incidents
                and not self.model.incidents[incident_id].is_open
            ):
                self.model.view = "resolved"
            self.model.arrange()
        self.table.reload(keep=incident_id)
        self.refresh_header()
