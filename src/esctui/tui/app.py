"""The console: the live queue, the selected incident, and one key per action.

The app talks to its incidents only through the `Backend` it is given. It folds the backend's
changes into a `QueueModel`, repaints the rows that changed, and sends actions in the order
they were asked for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from esctui.backends.base import (
    ActionQueued,
    Backend,
    Change,
    IncidentHistory,
    Link,
    Queue,
    StoreError,
    Update,
)
from esctui.config import Config, ConfigError, save_setting
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory, Incident
from esctui.domain.sla import sla_book
from esctui.tui.command_line import CommandLineError, Request, parse, view_named
from esctui.tui.incident_actions import APPLIES, IncidentActions
from esctui.tui.palette import ActionCommands, GoToIncident
from esctui.tui.queue_model import SORTS, QueueModel, View
from esctui.tui.screens.confirm import steady
from esctui.tui.screens.help import HelpScreen
from esctui.tui.themes import DEFAULT_THEME, load_themes
from esctui.tui.undo import Done
from esctui.tui.widgets.detail import IncidentDetail
from esctui.tui.widgets.header import ConsoleHeader, ViewBar
from esctui.tui.widgets.key_bar import KeyBar
from esctui.tui.widgets.queue_table import QueueTable
from esctui.wording import scrub

OFFLINE_TIMELINE = "The timeline cannot be read while the server is unreachable."


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConsoleOptions:
    """How the console was started: who, with which settings, and which clock."""

    me: str
    config: Config = field(default_factory=Config)
    config_path: Path | None = None  # where `:theme` saves the choice
    read_only: bool = False
    redact: bool = False
    view: View | None = None
    clock: Callable[[], datetime] = utc_now
    theme_folders: tuple[Path, ...] = ()
    follow_interval: float = 0.1
    escalation_interval: float = 5.0
    warnings: list[str] = field(default_factory=list)


class ConsoleApp(IncidentActions, App[None]):
    TITLE = "esctui"
    CSS = """
    Screen { layout: vertical; }
    #queue { height: 1fr; }
    #line { display: none; border: none; height: 1; padding: 0 1; }
    #line.open { display: block; }
    """
    COMMANDS = App.COMMANDS | {ActionCommands, GoToIncident}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "acknowledge", "Ack", id="incident.acknowledge"),
        Binding("u", "unacknowledge", "Unack", show=False, id="incident.unacknowledge"),
        Binding("h", "hand_off", "Hand off", id="incident.hand-off"),
        Binding("e", "escalate", "Escalate", id="incident.escalate"),
        Binding("E", "escalate_to", "Escalate to…", show=False, id="incident.escalate-to"),
        Binding("s", "snooze", "Snooze", id="incident.snooze"),
        Binding("r", "resolve", "Resolve", id="incident.resolve"),
        Binding("o", "reopen", "Reopen", id="incident.reopen"),
        Binding("n", "add_note", "Note", id="incident.note"),
        Binding("c", "log_communication", "Comm", id="incident.communication"),
        Binding("space", "toggle_select", "Select", show=False, id="incident.select"),
        Binding("z", "undo", "Undo", show=False, id="incident.undo"),
        Binding("y", "copy_id", "Copy id", show=False, id="incident.copy-id"),
        Binding("1", "view('mine')", "Mine", show=False, id="view.mine"),
        Binding("2", "view('unacknowledged')", "Unacked", show=False, id="view.unacknowledged"),
        Binding("3", "view('open')", "Open", show=False, id="view.open"),
        Binding("4", "view('breaching')", "Breaching", show=False, id="view.breaching"),
        Binding("5", "view('resolved')", "Resolved", show=False, id="view.resolved"),
        Binding("S", "cycle_sort", "Sort", show=False, id="view.sort"),
        Binding("slash", "open_filter", "Filter", id="view.filter"),
        Binding("escape", "step_back", "Back", show=False, id="view.back"),
        Binding("enter", "open_detail", "Detail", show=False, id="pane.detail"),
        Binding("tab", "switch_pane", "Pane", show=False, id="pane.switch", priority=True),
        Binding("colon", "open_command_line", "Cmd", show=False, id="app.command-line"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, backend: Backend, options: ConsoleOptions) -> None:
        super().__init__()
        self.backend = backend
        self.options = options
        self.me = options.me
        self.redact = options.redact
        self.clock = options.clock
        config = options.config
        self.model = QueueModel.from_queue(
            Queue(directory=Directory(), incidents={}, revision=0),
            sla_book(Directory(), config.sla_overrides()),
            self.me,
            self.clock(),
            options.view or config.default_view,
        )
        self.link = backend.link
        self.updated: datetime | None = None
        self.last_done: Done | None = None
        self.acting = asyncio.Lock()
        self.line_mode = ""  # "filter" or "command" while the bottom line is open
        self.theme_ready = False
        self.failure: str | None = None  # why the console could not start, for the CLI
        self.bells_rung = 0

    # -- building the screen -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ConsoleHeader(id="header")
        yield ViewBar(id="views")
        yield QueueTable(self.model, redact=self.redact, id="queue")
        yield IncidentDetail(redact=self.redact, id="detail")
        yield steady(Input(id="line", compact=True))
        yield KeyBar(id="keys")

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue", QueueTable)

    @property
    def detail(self) -> IncidentDetail:
        return self.query_one("#detail", IncidentDetail)

    async def on_mount(self) -> None:
        self.load_themes()
        self.apply_keymap()
        for warning in self.options.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.table.focus()
        self.detail.clear(f"Opening {scrub(self.backend.location)}…")
        self.open_queue()

    def load_themes(self) -> None:
        themes, problems = load_themes(*self.options.theme_folders)
        for theme in themes:
            self.register_theme(theme)
        for problem in problems:
            self.notify(problem, title="Theme not loaded", severity="warning", timeout=10)
        wanted = self.options.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.notify(f"There is no theme {wanted!r}; using {DEFAULT_THEME}.", severity="warning")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else self.theme
        self.theme_ready = True

    def apply_keymap(self) -> None:
        keymap = self.options.config.keymap
        known = {b.id for b in self.all_bindings()}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self.notify(
                f"The keymap names bindings that do not exist: {', '.join(unknown)}.",
                severity="warning",
                timeout=10,
            )
        self.set_keymap({k: v for k, v in keymap.items() if k in known})

    def all_bindings(self) -> list[Binding]:
        return [b for b in [*self.BINDINGS, *QueueTable.BINDINGS] if isinstance(b, Binding)]

    # -- opening and following the queue -----------------------------------------------------

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_queue(self) -> None:
        try:
            queue = await self.backend.open()
        except StoreError as error:
            self.failure = str(error)
            self.exit(return_code=3)
            return
        self.model.now = self.clock()
        self.show_queue(queue)
        self.updated = self.clock()
        if self.model.me is not None and queue.directory.responder(self.me) is None:
            known = ", ".join(queue.directory.responder_names()) or "none"
            self.notify(
                f"{self.me!r} is not a responder in this store, so actions will be refused. "
                f"Start with --as NAME (known: {known}).",
                severity="warning",
                timeout=15,
            )
        self.set_interval(1.0, self.tick)
        self.follow()
        if not self.options.read_only:
            self.set_interval(self.options.escalation_interval, self.escalate_due)

    @work(exclusive=True, group="resync", exit_on_error=False)
    async def resync(self) -> None:
        queue = await self.backend.open()
        if self.model.is_older_than(queue):
            self.show_queue(queue)

    def show_queue(self, queue: Queue) -> None:
        """Draw a whole queue afresh, with the SLA targets of its directory."""
        book = sla_book(queue.directory, self.options.config.sla_overrides())
        self.model.replace(queue, book)
        self.table.reload()
        self.show_selected()
        self.refresh_header()
        self.refresh_bindings()

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def follow(self) -> None:
        updates = self.backend.follow(self.model.revision, self.options.follow_interval)
        async for update in updates:
            self.take(update)

    def take(self, update: Update) -> None:
        if not self.query("#queue"):  # quitting: the screen is already gone
            return
        if update.link is not None and update.link != self.link:
            self.link = update.link
            if update.link is Link.OFFLINE:
                self.notify("The server cannot be reached; actions will wait.", severity="error")
            elif update.link is Link.ONLINE:
                self.notify("Back online.")
                self.show_selected()
        for notice in update.notices:
            self.notify(notice, severity="error", timeout=20)
        if update.queue is not None:
            self.show_queue(update.queue)
        else:
            new = self.model.fold(update.changes)
            if new:
                self.after_changes(new, flash=True)
                self.alert(new)
        self.updated = self.clock()
        self.refresh_header()

    def after_changes(self, changes: list[Change], *, flash: bool) -> None:
        ids = list(dict.fromkeys(change.event.incident for change in changes))
        before = list(self.model.rows)
        if self.model.rearrange(ids):
            self.table.reordered(before)
        self.table.incidents_changed(ids, flash=flash)
        if self.table.current_id in ids:
            self.show_selected()
            self.refresh_bindings()  # what applies to it may have changed
        self.refresh_header()

    def alert(self, changes: list[Change]) -> None:
        """A toast and the bell for a new SEV1/SEV2, or anything escalated or handed to me."""
        ring = False
        for change in changes:
            event = change.event
            if event.by is not None and event.by == self.me:
                continue
            incident = self.model.incidents.get(event.incident)
            title = "(title hidden)" if self.redact or incident is None else scrub(incident.title)
            if isinstance(event, e.Triggered) and event.severity <= 2:
                self.notify(
                    f"{event.incident} {title}",
                    title=f"New SEV{event.severity}",
                    severity="error",
                    timeout=10,
                )
                ring = True
            elif isinstance(event, e.Escalated | e.Reopened) and event.assignee == self.me:
                self.notify(f"{event.incident} {title}", title="Paged to you", severity="warning")
                ring = True
            elif isinstance(event, e.HandedOff) and event.to == self.me:
                self.notify(
                    f"{event.incident} {title}",
                    title=f"Handed to you by {event.by}",
                    severity="warning",
                )
                ring = True
        if ring and self.options.config.bell:
            self.bells_rung += 1
            self.bell()

    def tick(self) -> None:
        if not self.query("#queue"):  # the last tick can fire while the screen is torn down
            return
        self.model.now = self.clock()
        before = self.model.rows
        if self.model.tick(self.model.now) and self.model.arrange() != before:
            self.table.reordered(before)
        self.table.tick()
        self.refresh_header()

    async def escalate_due(self) -> None:
        try:
            await self.backend.escalate_due()
        except StoreError as error:
            self.notify(str(error), severity="error")

    def refresh_header(self) -> None:
        self.query_one("#header", ConsoleHeader).show(
            self.model,
            me=self.me,
            kind=self.backend.kind,
            location=self.backend.location,
            link=self.link,
            updated=self.updated,
            read_only=self.options.read_only,
            queued=self.backend.waiting,
        )
        self.query_one("#views", ViewBar).show(self.model, compact=self.size.width < 100)

    # -- the detail pane -----------------------------------------------------------------------

    @on(QueueTable.CursorMoved)
    def cursor_moved(self) -> None:
        self.show_selected()
        self.refresh_bindings()

    def show_selected(self) -> None:
        incident_id = self.table.current_id
        if incident_id is None:
            self.detail.clear("No incident here.")
        else:
            self.load_detail(incident_id)

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def load_detail(self, incident_id: str) -> None:
        await asyncio.sleep(0.05)  # a held-down j must not read every history on the way
        incident = self.model.incidents.get(incident_id)
        if self.backend.link is Link.OFFLINE and incident is not None:
            # What the queue knows, without a request that can only fail; the pane is read
            # again when the link returns.
            if self.table.current_id == incident_id:
                self.detail.show(
                    IncidentHistory(incident=incident, timeline=[]),
                    self.model.directory,
                    self.model.book,
                    self.clock(),
                    unavailable=OFFLINE_TIMELINE,
                )
            return
        history = await self.backend.history(incident_id)
        if self.table.current_id == incident_id:
            self.detail.show(history, self.model.directory, self.model.book, self.clock())

    # -- acting --------------------------------------------------------------------------------

    def send(
        self, commands: list[c.AnyCommand], incidents: list[Incident], *, undoing: bool = False
    ) -> None:
        if commands:
            seen = {i.id: i.version for i in incidents}
            self.act(commands, seen, undoing)

    @work(group="act", exit_on_error=False)
    async def act(self, commands: list[c.AnyCommand], seen: dict[str, int], undoing: bool) -> None:
        async with self.acting:  # one at a time, in the order they were asked for
            for command in commands:
                await self.execute(command, seen.get(getattr(command, "incident", "")), undoing)
        if len(commands) > 1:
            self.table.clear_selection()

    async def execute(self, command: c.AnyCommand, version: int | None, undoing: bool) -> None:
        try:
            changes = await self.backend.execute(
                command, actor=self.me, expected_version=version, queue_offline=True
            )
        except ActionQueued as queued:
            self.notify(str(queued), severity="warning")
            self.refresh_header()
            return
        except DomainError as refused:
            self.notify(str(refused), title="Refused", severity="error", timeout=8)
            self.resync()  # whoever was faster: show what is true now, not what was
            return
        except StoreError as failed:
            self.notify(str(failed), title="Not saved", severity="error", timeout=15)
            return
        if not undoing:
            self.last_done = Done(command, tuple(ch.event for ch in changes), time.monotonic())
        if self.model.bridges(changes):
            self.model.fold(changes)
            self.after_changes(changes, flash=False)
        if undoing:
            self.notify("Undone.", timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the incident keys that cannot apply to the incident under the cursor."""
        if action not in APPLIES:
            return True
        if self.options.read_only:
            return False
        tables = self.query(QueueTable)
        incident_id = tables.first().current_id if tables else None
        incident = self.model.incidents.get(incident_id) if incident_id else None
        if incident is None:
            return False
        if self.table.selected and action in ("acknowledge", "resolve", "hand_off"):
            return True
        return incident.status in APPLIES[action]

    def active_bindings_shown(self) -> list[Binding]:
        """The bindings the footer offers now."""
        return [
            active.binding
            for active in self.screen.active_bindings.values()
            if active.binding.show
            and active.enabled
            and self.check_action(active.binding.action.split("(")[0], ()) is not False
        ]

    def run_from_palette(self, action: str) -> None:
        """The palette (and the command line) run the same action a key runs."""
        self.call_later(self.run_action, action)

    def palette_entries(self) -> list[tuple[str, str, str]]:
        entries = [
            (b.description, f"key {b.key}", b.action)
            for b in self.all_bindings()
            if b.action not in ("command_palette",) and not (b.id or "").startswith("queue.")
        ]
        return entries + [
            (f"Theme: {name}", "switch theme", f"use_theme('{name}')")
            for name in sorted(self.available_themes)
        ]

    # -- views, filter, command line -------------------------------------------------------

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

    def open_line(self, mode: str, value: str = "") -> None:
        line = self.query_one("#line", Input)
        self.line_mode = mode
        line.placeholder = (
            "filter: id, title, service, assignee, customer, label"
            if mode == ("filter")
            else "command: ack, esc 2, handoff bob, snooze 30m, note …, theme NAME"
        )
        line.value = value
        line.add_class("open")
        # Now, not later: keys typed right after `/` (a paste, a fast typist over SSH) must go
        # to the line, not to the queue, where `a` would acknowledge.
        self.screen.set_focus(line)

    def close_line(self) -> None:
        line = self.query_one("#line", Input)
        line.remove_class("open")
        self.line_mode = ""
        self.table.focus()

    def action_open_filter(self) -> None:
        self.open_line("filter", self.model.filter_text)

    def action_open_command_line(self) -> None:
        self.open_line("command")

    @on(Input.Changed, "#line")
    def line_changed(self, event: Input.Changed) -> None:
        if self.line_mode == "filter":
            self.set_filter(event.value.strip())

    @on(Input.Submitted, "#line")
    def line_submitted(self, event: Input.Submitted) -> None:
        mode = self.line_mode
        self.close_line()
        if mode == "command" and event.value.strip():
            try:
                self.run_request(parse(event.value))
            except CommandLineError as error:
                self.notify(str(error), severity="error")

    def action_step_back(self) -> None:
        if self.line_mode:
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
        self.query_one("#detail-tabs").focus()

    def action_switch_pane(self) -> None:
        if len(self.screen_stack) > 1:  # a dialog: tab moves between its fields as usual
            self.screen.focus_next()
            return
        if self.line_mode:
            return
        if self.table.has_focus:
            self.query_one("#detail-tabs").focus()
        else:
            self.table.focus()

    def action_help(self) -> None:
        keymap = self._keymap
        rows = []
        for binding in self.all_bindings():
            if binding.id is None:
                continue
            keys = keymap.get(binding.id, binding.key)
            shown = ", ".join(self.get_key_display(Binding(k, "")) for k in keys.split(","))
            rows.append((shown, binding.description or binding.action, binding.id))
        self.push_screen(HelpScreen(rows))

    def action_use_theme(self, name: str) -> None:
        if name not in self.available_themes:
            self.notify(f"There is no theme {name!r}.", severity="error")
            return
        self.theme = name

    def watch_theme(self, name: str) -> None:
        if not self.theme_ready or name == self.options.config.theme:
            return
        try:
            path = save_setting("theme", name, self.options.config_path)
        except (ConfigError, OSError) as error:
            self.notify(f"Theme {name} is on, but could not be saved: {error}", severity="warning")
            return
        self.notify(f"Theme {name}, saved to {path}.", timeout=3)

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

    def run_request(self, request: Request) -> None:
        name = request.name
        simple = {
            "ack": "acknowledge",
            "comm": "log_communication",
            "undo": "undo",
            "help": "help",
            "quit": "quit",
        }
        if name in simple:
            self.run_from_palette(simple[name])
        elif name == "esc":
            incidents = self.targets("escalate")
            self.send(
                [c.Escalate(incident=i.id, level=request.level) for i in incidents], incidents
            )
        elif name == "unack":
            incidents = self.targets("unacknowledge")
            self.send(
                [c.Unacknowledge(incident=i.id, reason=request.text) for i in incidents], incidents
            )
        elif name == "handoff":
            to, _, note = request.text.partition(" ")
            incidents = self.targets("hand_off")
            self.send(
                [c.HandOff(incident=i.id, to=to, note=note.strip()) for i in incidents], incidents
            )
        elif name == "snooze":
            assert request.duration is not None
            until = self.clock() + request.duration
            incidents = self.targets("snooze")
            self.send([c.Snooze(incident=i.id, until=until) for i in incidents], incidents)
        elif name == "resolve":
            incidents = self.targets("resolve")
            self.send([c.Resolve(incident=i.id, note=request.text) for i in incidents], incidents)
        elif name == "reopen":
            incidents = self.targets("reopen")
            self.send([c.Reopen(incident=i.id, reason=request.text) for i in incidents], incidents)
        elif name == "note":
            incidents = self.targets("add_note")
            self.send([c.AddNote(incident=i.id, text=request.text) for i in incidents], incidents)
        elif name == "theme":
            self.action_use_theme(request.text)
        elif name == "view":
            assert request.view is not None
            self.action_view(request.view)
        elif name == "sort":
            self.model.sort = request.text  # type: ignore[assignment]
            self.action_view(self.model.view)
        elif name == "filter":
            self.set_filter(request.text)
        elif name == "go":
            wanted = request.text.upper()
            if wanted not in self.model.incidents:
                self.notify(
                    f"There is no incident {scrub(wanted)} in this queue.", severity="error"
                )
            else:
                self.go_to(wanted)

    # -- one place for what goes wrong in the background -----------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error: Any = event.worker.error
        if isinstance(error, DomainError | StoreError):
            self.notify(str(error), severity="error", timeout=15)
        else:
            self.log.error(f"{event.worker.name} failed", error)
            self.notify(f"Something went wrong: {error!r}", severity="error", timeout=15)
