"""The console: the live queue, the selected incident, and one key per action.

The app talks to its incidents only through the `Backend` it is given. It folds the backend's
changes into a `QueueModel`, repaints the rows that changed, and sends actions in the order
they were asked for.

`ConsoleApp` is put together from mixins, one part of the console each: `IncidentActions`
(`incident_actions.py`), the one door for incident actions (their table is `actions.py`, their
keys `keys.py`); `LiveQueue` (`live.py`), opening and following the queue; `Navigation`
(`navigation.py`), the views, the sort, the filter and the panes; `BottomLine`
(`bottom_line.py`), the `/` filter and the `:` command line. This module keeps the screen, the
detail pane, the sending of actions (and what waits in the outbox), quitting, help and themes,
and the one place for what goes wrong in workers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from esctui.backends.base import (
    ActionQueued,
    Backend,
    Link,
    Queue,
    StoreError,
)
from esctui.config import Config, ConfigError, display_zone, save_setting
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.actions import Action
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory, Incident
from esctui.domain.sla import sla_book
from esctui.tui.actions import ACTIONS
from esctui.tui.bottom_line import BottomLine
from esctui.tui.command_line import CommandLineError, parse
from esctui.tui.histories import ReadHistories
from esctui.tui.incident_actions import IncidentActions
from esctui.tui.keys import CONSOLE_BINDINGS, clash_anywhere, every_binding, unknown
from esctui.tui.live import LiveQueue
from esctui.tui.navigation import Navigation
from esctui.tui.palette import ActionCommands, GoToIncident
from esctui.tui.queue_model import QueueModel, View
from esctui.tui.queued import Queued
from esctui.tui.screens.confirm import Confirm, steady
from esctui.tui.screens.help import HelpScreen
from esctui.tui.themes import BADGE_FALLBACK, DEFAULT_THEME, load_themes, without_colour
from esctui.tui.undo import Done, undone
from esctui.tui.widgets.detail import IncidentDetail
from esctui.tui.widgets.header import ConsoleHeader, ViewBar
from esctui.tui.widgets.key_bar import KeyBar
from esctui.tui.widgets.queue_table import QueueTable
from esctui.wording import scrub


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
    #stale { display: none; height: 1; padding: 0 1; color: $warning; }
    #stale.shown { display: block; }
    """
    # esctui's own actions and themes, not Textual's generic entries.
    COMMANDS = {ActionCommands, GoToIncident}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = CONSOLE_BINDINGS

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
        self.queued = Queued()  # what this console put in the outbox, until it is sent
        self.read = ReadHistories()
        self.own_themes: list[str] = []
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
        yield Static("", id="stale")
        yield IncidentDetail(redact=self.redact, zone=self.zone, id="detail")
        yield steady(Input(id="line", compact=True))
        yield KeyBar(id="keys", left_out=self.keys_left_out)

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue", QueueTable)

    @property
    def detail(self) -> IncidentDetail:
        return self.query_one("#detail", IncidentDetail)

    async def on_mount(self) -> None:
        if not self.apply_keymap():
            return
        self.load_themes()
        for warning in self.options.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.table.focus()
        self.detail.clear(f"Opening {scrub(self.backend.location)}…")
        self.open_queue()

    def load_themes(self) -> None:
        themes, problems = load_themes(*self.options.theme_folders)
        for theme in themes:
            self.register_theme(theme)
            self.own_themes.append(theme.name)
        for problem in problems:
            self.notify(problem, title="Theme not loaded", severity="warning", timeout=10)
        wanted = self.options.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.notify(f"There is no theme {wanted!r}; using {DEFAULT_THEME}.", severity="warning")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else self.theme
        self.theme_ready = True

    def apply_keymap(self) -> bool:
        """Put the config's keymap in force; False (and the console ends, exit code 2) if it
        gives one key to two bindings."""
        keymap = self.options.config.keymap
        refused = clash_anywhere(keymap)
        if refused is not None:
            self.failure = refused
            self.exit(return_code=2)
            return False
        warning = unknown(keymap)
        if warning is not None:
            self.notify(warning, severity="warning", timeout=10)
        known = {b.id for b in self.all_bindings()}
        self.set_keymap({k: v for k, v in keymap.items() if k in known})
        return True

    def all_bindings(self) -> list[Binding]:
        return every_binding()

    def keys_of(self, binding: Binding) -> str:
        """The keys a binding is on, as the responder reads them (the keymap's, if it says)."""
        keys = self.options.config.keymap.get(binding.id or "", binding.key)
        return ", ".join(self.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))

    def keys_left_out(self) -> set[str]:
        """The incident keys the bottom line leaves out: those not offered now."""
        offered = self.offered_now()
        return {a.binding for a in ACTIONS.values() if a.id not in offered}

    # -- the detail pane -----------------------------------------------------------------------

    @on(QueueTable.CursorMoved)
    def cursor_moved(self) -> None:
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
        self.read.keep(history, self.clock())
        if self.table.current_id == incident_id:
            self.detail.show(history, self.model.directory, self.model.book, self.clock())
            self.show_stale(None)

    def show_offline(self, incident: Incident) -> None:
        now = self.clock()
        history, unavailable, notice = self.read.offline(incident, now, self.zone)
        self.detail.show(
            history, self.model.directory, self.model.book, now, unavailable=unavailable
        )
        self.show_stale(notice)

    def show_stale(self, notice: str | None) -> None:
        """Say, above the pane, that what it shows may be out of date (or stop saying so)."""
        stale = self.query_one("#stale", Static)
        stale.update(notice or "")
        stale.set_class(notice is not None, "shown")

    # -- acting --------------------------------------------------------------------------------

    def send(
        self,
        action: Action,
        commands: list[c.AnyCommand],
        incidents: list[Incident],
        *,
        undoing: Done | None = None,
    ) -> None:
        """Send `commands` in order. Each expects the incident as I saw it, and as my actions
        still waiting in the outbox will have made it; an undo names its own version."""
        if commands:
            seen = {} if undoing else {i.id: self.queued.expected(i) for i in incidents}
            self.act(action, commands, seen, undoing)

    @work(group="act", exit_on_error=False)
    async def act(
        self,
        action: Action,
        commands: list[c.AnyCommand],
        seen: dict[str, int],
        undoing: Done | None,
    ) -> None:
        changed: dict[str, e.AnyEvent] = {}
        async with self.acting:  # one at a time, in the order they were asked for
            for command in commands:
                assert isinstance(command, c.IncidentCommand)
                event = await self.execute(action, command, seen.get(command.incident))
                if event is not None:
                    changed[command.incident] = event
        if len(commands) > 1:
            self.table.clear_selection()
        if undoing is None:
            self.last_done = Done(changed, time.monotonic())
        elif changed:
            said = undone(undoing, changed, self.zone)
            self.notify(said, title="Undone", timeout=8, markup=False)

    async def execute(
        self, action: Action, command: c.AnyCommand, version: int | None
    ) -> e.AnyEvent | None:
        """Send one command; the event it made, or None (queued, refused, not saved)."""
        try:
            recorded = await self.backend.execute(
                command, actor=self.me, expected_version=version, queue_offline=True
            )
        except ActionQueued as queued:
            assert isinstance(command, c.IncidentCommand)
            self.queued.add(command.incident, action)
            self.table.mark_waiting(self.queued.incidents)
            self.notify(str(queued), severity="warning")
            self.refresh_header()
            return None
        except DomainError as refused:
            self.notify(str(refused), title="Refused", severity="error", timeout=8)
            self.resync()  # whoever was faster: show what is true now, not what was
            return None
        except StoreError as failed:
            self.notify(str(failed), title="Not saved", severity="error", timeout=15)
            return None
        changes = recorded.changes
        if self.model.bridges(changes):
            self.model.fold(changes)
            self.after_changes(changes, flash=False)
        return changes[-1].event if changes else None

    def forget_sent(self) -> None:
        """Once nothing waits in the outbox any more, the marks of what waited there go."""
        if self.queued.incidents and not self.backend.waiting:
            self.queued.sent()
            self.table.mark_waiting(set())

    async def action_quit(self) -> None:
        """Quit; with actions still in the outbox, only once the responder says so."""
        waiting = self.backend.waiting
        if not waiting:
            self.exit()
            return
        actions = "1 action waits" if waiting == 1 else f"{waiting} actions wait"
        question = (
            f"{actions} in the outbox: kept, and sent by the next esctui (command or console) "
            "that reaches the server. Quit now?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(Confirm(question, "Quit", "Stay"), answered)

    def run_from_palette(self, action: str) -> None:
        """The palette (and the command line) run the same action a key runs."""
        self.call_later(self.run_action, action)

    # -- help and themes ---------------------------------------------------------------------

    def action_help(self) -> None:
        rows = [
            (self.keys_of(binding), binding.description or binding.action, binding.id)
            for binding in self.all_bindings()
            if binding.id is not None
        ]
        self.push_screen(HelpScreen(rows))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **BADGE_FALLBACK}

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return without_colour(filters) if self.no_color else filters

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
