"""The queue screen: the header, the view bar, the queue, the incident under the cursor and the
bottom line, with the keys that act on incidents (they are the screen's: a screen pushed over it
has its own keys, and never acts on the cursor hidden under it).

The live queue (`live.py`) keeps the model true and tells this screen which incidents changed;
the screen puts them where the view lists them and repaints what changed. Incident actions go
through its one door (`door.py`); the bottom line (`bottom_line.py`) carries the filter and the
`:` command line, whose requests run the same actions as the keys.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from esctui.backends.base import Backend, FullRefresh, Link, StoreError
from esctui.domain.actions import Action
from esctui.domain.models import Incident
from esctui.listing import SORTS
from esctui.tui.actions import ACTIONS, Given
from esctui.tui.command_line import ACTION_LINES, CommandLineError, Request, parse, view_named
from esctui.tui.histories import ReadHistories
from esctui.tui.keys import QUEUE_BINDINGS
from esctui.tui.live import LiveQueue
from esctui.tui.messages import ClockTicked, IncidentsChanged, LinkChanged, QueueReplaced
from esctui.tui.queue.bottom_line import BottomLine
from esctui.tui.queue.door import IncidentDoor, Standing
from esctui.tui.widgets.detail import IncidentDetail
from esctui.tui.widgets.header import ConsoleHeader, ViewBar
from esctui.tui.widgets.key_bar import KeyBar
from esctui.tui.widgets.queue_table import QueueTable
from esctui.wording import scrub

CATCH_UP = 30.0  # seconds a row changed elsewhere stays in place at most


class QueueScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("queue.tcss")
    BINDINGS: ClassVar[list[BindingType]] = QUEUE_BINDINGS

    def __init__(self, backend: Backend, live: LiveQueue, standing: Standing) -> None:
        super().__init__()
        self.backend = backend
        self.live = live
        self.model = live.model
        self.standing = standing
        self.read = ReadHistories()
        self.table = QueueTable(self.model, redact=standing.redact, id="queue")
        self.detail = IncidentDetail(
            redact=standing.redact,
            zone=standing.zone,
            opening=f"Opening {scrub(backend.location)}…",
            id="detail",
        )
        self.line = BottomLine(id="line")
        # Held here, not looked up: the last tick can reach the screen while it is torn down,
        # part by part, and must find nothing missing.
        self.header = ConsoleHeader(zone=standing.zone, id="header")
        self.views = ViewBar(id="views")
        self.stale = Static("", id="stale")
        self.door = IncidentDoor(self, self.table, backend, live, standing)
        self.held: set[str] = set()  # changed elsewhere, drawn in place, not yet in order
        self.catch_up_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.views
        yield self.table
        yield self.stale
        yield self.detail
        yield self.line
        yield KeyBar(id="keys", left_out=self.keys_left_out)

    def on_mount(self) -> None:
        self.table.focus()

    def keys_left_out(self) -> set[str]:
        """The incident keys the bottom line leaves out: those not offered now."""
        offered = self.door.offered_now()
        return {a.binding for a in ACTIONS.values() if a.id not in offered}

    # -- what the live queue says --------------------------------------------------------------

    @on(QueueReplaced)
    def queue_replaced(self) -> None:
        self.held.clear()
        self.table.reload()
        self.show_selected()
        self.refresh_header()
        self.refresh_bindings()

    @on(IncidentsChanged)
    def incidents_changed(self, message: IncidentsChanged) -> None:
        """Others' changes to rows on screen are drawn where the rows are, and the queue is
        put in order once the responder moves the cursor, or `CATCH_UP` seconds later: a row
        never moves under the responder's eyes (and a change costs one line over SSH, not
        every line between where the row was and where it goes). A new incident in the view
        is never held back, and my own actions put the queue in order at once."""
        ids = sorted(message.incident_ids)
        if ids:
            rows = set(self.model.rows)
            others = set(ids) <= message.flashed
            entering = [i for i in ids if i not in rows and self.model.listed_now(i)]
            if others and not entering:
                self.held.update(ids)
                if self.catch_up_timer is None:
                    self.catch_up_timer = self.set_timer(CATCH_UP, self.catch_up)
            else:
                self.put_in_order(ids)
            self.table.incidents_changed(ids, flashed=message.flashed)
            if self.table.current_id in message.incident_ids:
                self.show_selected()
                self.refresh_bindings()  # what applies to it may have changed
        self.door.forget_sent()
        self.refresh_header()

    def put_in_order(self, ids: list[str] | None = None) -> None:
        """Move the changed rows (and those held in place) to where the view lists them."""
        changed = sorted(self.held.union(ids or ()))
        self.held.clear()
        if self.catch_up_timer is not None:
            self.catch_up_timer.stop()
            self.catch_up_timer = None
        if not changed:
            return
        before = list(self.model.rows)
        if self.model.rearrange(changed):
            self.table.reordered(before)

    def catch_up(self) -> None:
        self.catch_up_timer = None
        self.put_in_order()

    @on(LinkChanged)
    def link_changed(self, message: LinkChanged) -> None:
        if message.link is Link.ONLINE:
            self.show_selected()
        self.refresh_header()

    @on(ClockTicked)
    def clock_ticked(self) -> None:
        model = self.model
        before = model.rows
        if model.tick(model.now):  # the view's list moves with the clock: in order at once
            self.held.clear()
            if model.arrange() != before:
                self.table.reordered(before)
        self.table.tick()
        self.door.forget_sent()
        self.refresh_header()

    def refresh_header(self) -> None:
        live = self.live
        self.header.show(
            self.model,
            me=self.standing.me,
            kind=self.backend.kind,
            location=self.backend.location,
            link=live.link,
            updated=live.updated,
            read_only=self.standing.read_only,
            queued=self.backend.waiting,
            maintenance=self.model.in_maintenance(),
        )
        self.views.show(self.model)

    # -- the detail pane -----------------------------------------------------------------------

    @on(QueueTable.CursorMoved)
    def cursor_moved(self) -> None:
        if self.held:  # the responder moved: the queue may be put in order now
            self.put_in_order()
        self.show_selected()
        self.refresh_bindings()

    def show_selected(self) -> None:
        incident_id = self.table.current_id
        if incident_id is None:
            self.detail.clear("No incident here.")
            self.show_stale(None)
        else:
            self.load_detail(incident_id)

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def load_detail(self, incident_id: str) -> None:
        await asyncio.sleep(0.05)  # a held-down j must not read every history on the way
        incident = self.model.incidents.get(incident_id)
        if self.backend.link is Link.OFFLINE and incident is not None:
            # What the queue knows and the timeline last read, without a request that can
            # only fail; the pane is read again when the link returns.
            if self.table.current_id == incident_id:
                self.show_offline(incident)
            return
        history = await self.backend.history(incident_id)
        self.read.keep(history, self.standing.clock())
        if self.table.current_id == incident_id:
            model = self.model
            self.detail.show(history, model.directory, model.book, self.standing.clock())
            self.show_stale(None)

    def show_offline(self, incident: Incident) -> None:
        now = self.standing.clock()
        history, unavailable, notice = self.read.offline(incident, now, self.standing.zone)
        model = self.model
        self.detail.show(history, model.directory, model.book, now, unavailable=unavailable)
        self.show_stale(notice)

    def show_stale(self, notice: str | None) -> None:
        """Say, above the pane, that what it shows may be out of date (or stop saying so)."""
        self.stale.update(notice or "")
        self.stale.set_class(notice is not None, "shown")

    @on(QueueTable.RecordsNeeded)
    def records_needed(self) -> None:
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

    # -- the incident keys: one door -----------------------------------------------------------

    def action_incident(self, action_id: str) -> None:
        """The keys' action: `incident('acknowledge')`."""
        self.door.request(Action(action_id))

    def action_undo(self) -> None:
        self.door.undo()

    def action_toggle_select(self) -> None:
        self.table.toggle_selected()
        self.table.action_cursor_down()
        self.refresh_bindings()  # the bulk actions offered follow the selection

    def action_copy_runbook(self) -> None:
        """`Y`: the runbook URL of the incident's service, copied (OSC 52, like `y`)."""
        incident = self.model.incidents.get(self.table.current_id or "")
        if incident is None:
            return
        service = self.model.directory.service(incident.service)
        if service is None or not service.runbook_url:
            self.notify(f"{scrub(incident.service)} has no runbook URL in the directory.")
            return
        self.app.copy_to_clipboard(service.runbook_url)
        self.notify(f"Copied {scrub(service.runbook_url)} to the clipboard.", timeout=3)

    def action_metrics(self) -> None:
        """`m`: the KPI screen, over the queue (esc comes back); loaded at the first `m`."""
        from esctui.tui.kpi.screen import KpiScreen

        self.app.push_screen(
            KpiScreen(self.live.kept, clock=self.standing.clock, zone=self.standing.zone)
        )

    def action_refresh(self) -> None:
        """`ctrl+r` (`:refresh`): a platform read again as a whole, now, for what its polls
        cannot see. A store's queue is followed change by change: nothing to read again."""
        backend = self.backend
        if not isinstance(backend, FullRefresh):
            self.notify(
                f"This console follows its {backend.kind} as it changes: there is nothing to "
                "read again."
            )
            return
        self.refreshing(backend)

    @work(exclusive=True, group="refresh")
    async def refreshing(self, backend: FullRefresh) -> None:
        self.notify(f"Reading {scrub(self.backend.location)} again.", timeout=3)
        try:
            await backend.full_refresh()  # what changed arrives as any change does
        except StoreError as error:
            self.notify(str(error), severity="error")

    def show_team(self, team: str) -> None:
        """`:team NAME`: the team view, of that team."""
        if not self.model.directory.team_members(team):
            teams = ", ".join(self.model.directory.teams()) or "none"
            self.notify(f"There is no team {scrub(team)!r}; teams: {teams}.", severity="error")
            return
        self.model.team = team
        self.action_view("team")

    def action_copy_id(self) -> None:
        incident_id = self.table.current_id
        if incident_id is None:
            return
        self.app.copy_to_clipboard(incident_id)
        self.notify(f"Copied {incident_id} to the clipboard.", timeout=2)

    # -- what the queue shows ------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.model.view = view_named(view)
        self.rearranged()

    def action_cycle_sort(self) -> None:
        self.model.sort = SORTS[(SORTS.index(self.model.sort) + 1) % len(SORTS)]
        self.rearranged()

    def set_filter(self, text: str) -> None:
        self.model.filter_text = text
        self.rearranged()

    def rearranged(self) -> None:
        self.held.clear()
        self.model.arrange()
        self.table.reload()
        self.refresh_header()

    def go_to(self, incident_id: str) -> None:
        """Put the cursor on `incident_id`, in a view that lists it."""
        model = self.model
        if incident_id not in model.rows:
            model.view, model.filter_text = "open", ""
            incident = model.incidents.get(incident_id)
            if incident is not None and not incident.is_open:
                model.view = "resolved"
            model.arrange()
        self.table.reload(keep=incident_id)
        self.refresh_header()

    # -- panes and the bottom line -------------------------------------------------------------

    def action_step_back(self) -> None:
        """`esc`: out of the detail pane, else the bottom line, the filter, the selection."""
        if self.detail.has_focus_within:
            self.table.focus()
        elif self.line.mode:
            if self.line.mode == "filter":
                self.set_filter("")
            self.line.close()
        elif self.model.filter_text:
            self.set_filter("")
        elif self.table.selected:
            self.table.clear_selection()
        else:
            self.table.focus()

    def action_open_detail(self) -> None:
        if not self.line.mode:
            self.detail.focus()

    def action_switch_pane(self) -> None:
        """`tab`: from the queue into the detail pane; there, to its next tab."""
        if self.line.mode:
            return
        if self.detail.has_focus_within:
            self.detail.action_next_tab()
        else:
            self.detail.focus()

    def action_open_filter(self) -> None:
        self.line.open("filter", self.model.filter_text)

    def action_open_command_line(self) -> None:
        self.line.open("command")

    @on(BottomLine.FilterTyped)
    def filter_typed(self, message: BottomLine.FilterTyped) -> None:
        self.set_filter(message.text)

    @on(BottomLine.Closed)
    def line_closed(self) -> None:
        self.table.focus()

    @on(BottomLine.CommandEntered)
    def command_entered(self, message: BottomLine.CommandEntered) -> None:
        try:
            self.run_request(parse(message.text))
        except CommandLineError as error:
            self.notify(str(error), severity="error")

    def run_request(self, request: Request) -> None:
        """What was typed on the `:` line: an incident action through the same door as its
        key, else what the console's own keys do."""
        name = request.name
        if name in ACTION_LINES:
            given = Given(text=request.text, level=request.level, duration=request.duration)
            self.door.request(ACTION_LINES[name].id, given)
        elif name == "undo":
            self.door.undo()
        elif name in ("help", "quit"):
            self.app.call_later(self.app.run_action, name)
        elif name == "theme":
            self.app.call_later(self.app.run_action, f"use_theme({request.text!r})")
        elif name == "view":
            assert request.view is not None
            self.action_view(request.view)
        elif name == "sort":
            self.model.sort = request.text  # type: ignore[assignment]
            self.rearranged()
        elif name == "filter":
            self.set_filter(request.text)
        elif name == "team":
            self.show_team(request.text)
        elif name == "metrics":
            self.action_metrics()
        elif name == "refresh":
            self.action_refresh()
        elif name == "go":
            wanted = self.incident_named(request.text.strip())
            if wanted not in self.model.incidents:
                self.notify(
                    f"There is no incident {scrub(wanted)} in this queue.", severity="error"
                )
            else:
                self.go_to(wanted)

    def incident_named(self, typed: str) -> str:
        """The id `typed` names: itself where an incident has it (a platform's ids are
        case-sensitive), else the one id it matches in any case (`inc-12`)."""
        if typed in self.model.incidents:
            return typed
        alike = [i for i in self.model.incidents if i.casefold() == typed.casefold()]
        return alike[0] if len(alike) == 1 else typed

    def run_palette_action(self, action: str) -> bool:
        """Run `action` (a binding's) here if it is one of this screen's; whether it was."""
        name = action.partition("(")[0]
        if not hasattr(self, f"action_{name}"):
            return False
        self.call_later(self.run_action, action)
        return True
