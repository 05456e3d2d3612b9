"""A console on a real demo store in a temporary folder, with a clock that stands still so
what the screen shows can be compared from one run to the next."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from acting import execute
from esctui.backends.base import IncidentHistory
from esctui.backends.local import LocalBackend
from esctui.config import Config
from esctui.demo import build_demo
from esctui.domain.actions import EVERY_ACTION, Action
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Incident, Status
from esctui.stores.journal import JournalEvents, JournalStore, create_store
from esctui.theme_files import bundled_themes_folder
from esctui.tui import ConsoleApp, ConsoleOptions

NOW = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)
ME = "frank"


def still() -> datetime:
    return NOW


@dataclass
class Console:
    """A console under test and the store it runs on."""

    store: Path
    config_path: Path

    def app(
        self,
        *,
        config: Config | None = None,
        clock: Callable[[], datetime] = still,
        capabilities: frozenset[Action] = EVERY_ACTION,
        **options: object,
    ) -> ConsoleApp:
        """The console; `capabilities` makes its backend one that can do only those."""
        backend = LocalBackend(
            JournalEvents(self.store, clock=clock), clock=clock, capabilities=capabilities
        )
        settings = ConsoleOptions(
            me=str(options.pop("me", ME)),
            config=config or Config(),
            config_path=self.config_path,
            clock=clock,
            theme_folders=(bundled_themes_folder(), self.config_path.parent / "themes"),
            **{"escalation_interval": 3600.0, **options},  # type: ignore[arg-type]
        )
        return ConsoleApp(backend, settings)

    def elsewhere(self, command: AnyCommand, actor: str) -> None:
        """Another process (a CLI, another console) acting on the same store, at the same
        standing time as the console: on the wall clock the demo's escalations would fall due
        and page someone as a side effect."""
        store = JournalStore(self.store, still)
        store.load()
        execute(store, command, actor, None)

    def history(self, incident_id: str) -> IncidentHistory:
        store = JournalStore(self.store, still)
        store.load()
        return store.history(incident_id)

    def incidents(self) -> dict[str, Incident]:
        store = JournalStore(self.store, still)
        store.load()
        return store.queue().incidents


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Console:
    store = tmp_path / "store"
    directory, events = build_demo(40, seed=3, now=NOW)
    create_store(store, directory, events, now=NOW)
    config_path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("ESCTUI_CONFIG", str(config_path))
    monkeypatch.setenv("TZ", "UTC")  # times on screen do not depend on this machine's zone
    return Console(store, config_path)


async def settle(pilot: Pilot[None], until: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app work until `until()` holds (or fail after `timeout` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not until():
        if loop.time() > deadline:
            raise AssertionError("the console did not get there in time")
        await pilot.pause(0.02)
    await pilot.pause()


async def opened(pilot: Pilot[None]) -> ConsoleApp:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    await settle(pilot, lambda: bool(app.model.incidents) and app.table.current_id is not None)
    return app


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


async def put_cursor_on(pilot: Pilot[None], incident_id: str) -> None:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    app.go_to(incident_id)
    await settle(pilot, lambda: app.table.current_id == incident_id)


async def select(pilot: Pilot[None], incidents: list[Incident]) -> None:
    """Select these incidents for a bulk action, as a responder would: `space` on each."""
    for incident in incidents:
        await put_cursor_on(pilot, incident.id)
        await pilot.press("space")


def first(incidents: dict[str, Incident], status: Status, **where: object) -> Incident:
    return next(
        i
        for i in sorted(incidents.values(), key=lambda i: i.id)
        if i.status is status
        and not i.snoozed(NOW)
        and all(getattr(i, k) == v for k, v in where.items())
    )


@dataclass
class Toasts:
    """What the console said in toasts, caught as its `Notify` messages go by: pass `hook` as
    `run_test(message_hook=...)`."""

    said: list[str] = field(default_factory=list)

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.said.append(str(message.notification.message))

    def saying(self, text: str) -> list[str]:
        return [toast for toast in self.said if text in toast]
