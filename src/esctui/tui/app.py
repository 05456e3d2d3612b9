"""The console: the live queue, the selected incident, and one key per action.

The app talks to its incidents only through the `Backend` it is given. It folds the backend's
changes into a `QueueModel`, repaints the rows that changed, and sends actions in the order
they were asked for.

`ConsoleApp` is put together from mixins, one part of the console each: `IncidentActions`
(`incident_actions.py`), the incident keys; `LiveQueue` (`live.py`), opening and following the
queue; `Navigation` (`navigation.py`), the views, the sort, the filter and the panes;
`BottomLine` (`bottom_line.py`), the `/` filter and the `:` command line. This module keeps the
screen, the detail pane, the sending of actions, help and themes, and the one place for what
goes wrong in workers.
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
    IncidentHistory,
    Link,
    Queue,
    StoreError,
)
from esctui.config import Config, ConfigError, display_zone, save_setting
from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory, Incident
from esctui.domain.sla import sla_book
from esctui.tui.bottom_line import BottomLine
from esctui.tui.command_line import CommandLineError, parse
from esctui.tui.incident_actions import APPLIES, IncidentActions
from esctui.tui.live import LiveQueue
from esctui.tui.navigation import Navigation
from esctui.tui.palette import ActionCommands, GoToIncident
from esctui.tui.queue_model import QueueModel, View
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


class ConsoleApp(IncidentActions, LiveQueue, Navigation, BottomLine, App[None]):
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
        self.zone = display_zone(config)  # the zone times are shown in
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
        yield ConsoleHeader(zone=self.zone, id="header")
        yield ViewBar(id="views")
        yield QueueTable(self.model, redact=self.redact, id="queue")
        yield IncidentDetail(redact=self.redact, zone=self.zone, id="detail")
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

    # -- help and themes ---------------------------------------------------------------------

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

    # -- what is typed on the bottom line -----------------------------------------------------
    # Textual reads `@on` handlers only from the bodies of its own classes, not from mixins:
    # the bottom line's handlers are declared here; `BottomLine` opens and closes the line and
    # carries out the requests typed on it.

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
