"""The one protocol every face calls: open the queue, follow changes, execute a command.

A backend answers in domain types. It raises `DomainError` when the rules refuse a command,
`VersionConflict` when the incident changed since the version the caller saw, and
`StoreError` when the store itself cannot be read or written (exit code 3 in the CLI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

import msgspec

from esctui.domain.commands import AnyCommand
from esctui.domain.errors import VersionConflict
from esctui.domain.models import Directory
from esctui.stores.records import (
    Change,
    IncidentHistory,
    Queue,
    StoreError,
    StoreExists,
)

__all__ = [
    "ActionQueued",
    "Backend",
    "Change",
    "IncidentHistory",
    "Link",
    "Queue",
    "StoreError",
    "StoreExists",
    "Update",
    "VersionConflict",
]


class ActionQueued(Exception):
    """The server is unreachable and the caller allowed queueing: the action waits in the local
    outbox and is sent, in order, when the link returns. `str(error)` says so in one sentence."""


class Link(StrEnum):
    """How a face is connected to its incidents, for the header."""

    LOCAL = "local"  # a store on this machine
    ONLINE = "online"  # a server, reachable
    OFFLINE = "offline"  # a server, unreachable: actions wait in the outbox


class Update(msgspec.Struct, frozen=True):
    """What `follow` yields: new changes, in revision order; or, when the backend could not
    bridge the gap (the store was compacted underneath, a subscriber fell too far behind), a
    whole new `queue` to redraw from, with `changes` empty.

    `link` is set when the connection changed (a remote backend went offline or came back);
    `notices` are sentences the responder must see, such as an action from the outbox that the
    server refused once the link returned (someone else was faster)."""

    changes: list[Change]
    queue: Queue | None = None
    link: Link | None = None
    notices: list[str] = []


@runtime_checkable
class Backend(Protocol):
    """Where incidents live. The TUI, the CLI and the server call only this."""

    @property
    def kind(self) -> str:
        """`journal`, `http`, ...: shown in headers and `status`."""
        ...

    @property
    def location(self) -> str:
        """The store directory or server URL, as a responder would recognise it."""
        ...

    @property
    def link(self) -> Link:
        """The connection as of now (`follow` reports when it changes)."""
        ...

    @property
    def waiting(self) -> int:
        """Actions kept to be sent once the server can be reached (0 where none ever wait)."""
        ...

    async def open(self) -> Queue:
        """Read the current queue. Call before anything else."""
        ...

    async def history(self, incident_id: str) -> IncidentHistory:
        """One incident (open, resolved or archived) with its timeline; `DomainError` if none."""
        ...

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        """Every incident created or resolved at or after `since`, archived ones included."""
        ...

    def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Update]:
        """Changes recorded after revision `after`, in batches as they land, until closed."""
        ...

    async def execute(
        self,
        command: AnyCommand,
        *,
        actor: str | None,
        expected_version: int | None = None,
        queue_offline: bool = False,
    ) -> list[Change]:
        """Check and record `command` as `actor`; return the events it produced once they are
        durable. With `expected_version`, refuse with `VersionConflict` if the incident has
        moved on. With `queue_offline`, a backend whose server is unreachable keeps the action
        in its outbox and raises `ActionQueued` instead of `StoreError`."""
        ...

    async def escalate_due(self) -> list[Change]:
        """Record the auto-escalations that are due now (idempotent; any process may run it).
        A backend whose server runs them on its own timer returns no changes."""
        ...

    async def compact(self, archive_after: timedelta) -> str:
        """Fold history into a new snapshot, archiving incidents resolved before
        `archive_after` ago; a one-line summary."""
        ...

    async def replace_directory(self, directory: Directory) -> str:
        """Put a new directory in force; a one-line summary of what is now in it."""
        ...

    async def close(self) -> None: ...
