"""The console: the live queue, the selected incident, and one key per action.

The app talks to its incidents only through the `Backend` it is given. It is put together from
parts that are objects or widgets with their own state: the live queue (`live.py`), which folds
the backend's changes into the one `QueueModel` and tells the screens what changed
(`messages.py`); the queue screen (`queue/`), which holds the incident keys, their one door and
the bottom line; the KPI screen (`kpi/`). This module keeps what is the console's as a whole:
themes, the keymap, help, the palette, quitting, and the one place for what goes wrong in
workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.filter import LineFilter
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from esctui.backends.base import Backend, Queue, StoreError
from esctui.config import Config, ConfigError, display_zone, save_setting
from esctui.domain.actions import Action
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory
from esctui.domain.sla import sla_book
from esctui.tui.keys import APP_BINDINGS, clash_anywhere, every_binding, unknown
from esctui.tui.live import LiveQueue
from esctui.tui.palette import ActionCommands, GoToIncident
from esctui.tui.queue.door import Standing
from esctui.tui.queue.screen import QueueScreen
from esctui.tui.queue_model import QueueModel, View
from esctui.tui.themes import BADGE_FALLBACK, DEFAULT_THEME, load_themes, without_colour


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
    # The queue, when it was read before the console started (a store on this machine): the
    # first frame shows it. Otherwise the console reads it from the backend as it starts.
    opened: Queue | None = None
    escalation_interval: float = 5.0
    warnings: list[str] = field(default_factory=list)


class ConsoleApp(App[None]):
    TITLE = "esctui"
    # esctui's own actions and themes, not Textual's generic entries.
    COMMANDS = {ActionCommands, GoToIncident}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(self, backend: Backend, options: ConsoleOptions) -> None:
        super().__init__()
        self.backend = backend
        self.options = options
        self.redact = options.redact
        config = options.config
        self.zone = display_zone(config)  # the zone times are shown in
        self.model = QueueModel.from_queue(
            Queue(directory=Directory(), incidents={}, revision=0),
            sla_book(Directory(), config.sla_overrides()),
            options.me,
            options.clock(),
            options.view or config.default_view,
        )
        self.own_themes: list[str] = []
        self.theme_ready = False
        self.failure: str | None = None  # why the console could not start, for the CLI
        self.live = LiveQueue(
            self,
            backend,
            self.model,
            config=config,
            clock=options.clock,
            redact=options.redact,
            read_only=options.read_only,
            follow_interval=options.follow_interval,
            escalation_interval=options.escalation_interval,
            tell=self.tell_screens,
            failed=self.could_not_open,
        )
        standing = Standing(
            me=options.me,
            read_only=options.read_only,
            redact=options.redact,
            zone=self.zone,
            clock=options.clock,
        )
        self.queue = QueueScreen(backend, self.live, standing)

    def get_default_screen(self) -> Screen[Any]:
        return self.queue

    async def on_mount(self) -> None:
        if not self.apply_keymap():
            return
        self.load_themes()
        for warning in self.options.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.live.open(self.options.opened)

    def tell_screens(self, message: Any) -> None:
        """What the live queue says goes to every screen that shows the queue."""
        self.queue.post_message(message)

    def could_not_open(self, failure: str) -> None:
        self.failure = failure
        self.exit(return_code=3)

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

    @property
    def in_front(self) -> Screen[Any]:
        """The screen the responder works on: the top one, the palette aside."""
        screens = [s for s in self.screen_stack if not isinstance(s, CommandPalette)]
        return screens[-1] if screens else self.screen

    def offered_now(self) -> set[Action]:
        """The incident actions the palette offers: the queue's, while it is in front."""
        return self.queue.door.offered_now() if self.in_front is self.queue else set()

    def run_from_palette(self, action: str) -> None:
        """The palette runs the same action a key runs: the screen's, else the app's."""
        screen = self.in_front
        if isinstance(screen, QueueScreen) and screen.run_palette_action(action):
            return
        self.call_later(self.run_action, action)

    def go_to(self, incident_id: str) -> None:
        self.queue.go_to(incident_id)

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

        from esctui.tui.screens.confirm import Confirm  # dialogs load when first asked

        self.push_screen(Confirm(question, "Quit", "Stay"), answered)

    # -- help and themes ---------------------------------------------------------------------

    def action_help(self) -> None:
        from esctui.tui.screens.help import HelpScreen

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
