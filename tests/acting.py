"""Acting on a journal store from a test, as another process (a CLI) would: through the
incident service, straight through without an event loop."""

from __future__ import annotations

from pathlib import Path

from esctui.backends.local import LocalBackend
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Directory
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
