"""Acting on a journal store from a test, as another process (a CLI) would: through the
incident service, straight through without an event loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import msgspec

from esctui.backends.local import LocalBackend, open_local
from esctui.domain.alerts import Kind, Notification, Settings
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Directory
from esctui.service.intake import Received
from esctui.stores.inline import run_inline
from esctui.stores.journal import JournalEvents, JournalStore
from esctui.stores.records import Change


def local(store: JournalStore | Path) -> LocalBackend:
    """The incident service over `store` (a store object keeps its clock and its view)."""
    if isinstance(store, Path):
        store = JournalStore(store)
    return LocalBackend(JournalEvents(store.path, store=store), clock=store.clock)


def execute(
    store: JournalStore | Path,
    command: AnyCommand,
    actor: str | None,
    expected_version: int | None = None,
    key: str | None = None,
) -> list[Change]:
    """What `command` recorded, as `actor` (the changes of the command itself), after the
    escalations that fell due, as the CLI does. Straight through, even inside an event loop:
    the journal store's calls never suspend."""
    service = local(store).service
    run_inline(service.escalate_due())
    recorded = run_inline(
        service.execute(command, actor, expected_version=expected_version, request_key=key)
    )
    return recorded.changes


def escalate_due(store: JournalStore | Path) -> list[Change]:
    return run_inline(local(store).service.escalate_due())


def replace_directory(store: JournalStore | Path, directory: Directory) -> str:
    return run_inline(local(store).service.replace_directory(directory))


def integrate(path: Path, name: str, kind: str, service: str, **settings: object) -> str:
    """Make an integration on the store at `path`, as `esctui integration create` does; its key."""
    backend = open_local(str(path))
    assert backend.integrations is not None
    made = backend.integrations.service.create(
        name, Kind(kind), service, msgspec.convert(settings, Settings)
    )
    key, _ = run_inline(made)
    return key


def notify(
    path: Path, name: str, notification: Notification, clock: Callable[[], datetime] | None = None
) -> Received:
    """`notification` from the integration `name`, as the server takes it in (at `clock`'s
    time, or now)."""
    intake = open_local(str(path), clock=clock).intake()
    assert intake is not None
    found = [i for i in run_inline(intake.integrations.integrations()) if i.name == name]
    return run_inline(intake.service.receive(found[-1], notification))
