"""The one protocol every face calls: open the queue, follow changes, execute a command; and,
beside it, the administration only some backends offer.

A backend answers in domain types. It declares what it can do (`capabilities`) and, for one
incident, what is offered now (`offered`: the rules and its capabilities together); faces ask
that and restate neither. It refuses with typed errors: `NotFound`, `DomainError` (the rules,
or a capability it lacks), `VersionConflict` (the incident moved on since the version the
caller saw), `RequestReused` (an idempotency key sent with another request), and `StoreError`
when the store or server cannot be read or written (exit code 3 in the CLI, 503 from the
server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import Future
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

import msgspec

from esctui.domain.actions import Action
from esctui.domain.commands import AnyCommand
from esctui.domain.errors import DomainError, VersionConflict
from esctui.domain.models import Directory, Incident
from esctui.stores.records import (
    Change,
    IncidentHistory,
    Queue,
    Recorded,
    StoreError,
    StoreExists,
)

__all__ = [
    "ActionQueued",
    "Admin",
    "Backend",
    "Bulk",
    "Change",
    "FullRefresh",
    "IncidentHistory",
    "Link",
    "OnCall",
    "Queue",
    "ReadAhead",
    "Recorded",
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

    LOCAL = "local"  # a store on this machine, or a database
    ONLINE = "online"  # a server, reachable
    OFFLINE = "offline"  # a server, unreachable: actions wait in the outbox
    LIMITED = "rate-limited"  # a platform asked to wait (HTTP 429): requests wait their turn


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
class Admin(Protocol):
    """Changes to a whole store, where a backend offers them (`Backend.admin`)."""

    async def compact(self, archive_after: timedelta) -> str:
        """Fold history into a new snapshot, archiving incidents resolved before
        `archive_after` ago; a one-line summary. `DomainError` where the store needs none."""
        ...

    async def replace_directory(self, directory: Directory) -> str:
        """Put a new directory in force; a one-line summary of what is now in it."""
        ...

    async def escalate_due(self) -> list[Change]:
        """Record the auto-escalations that are due now (idempotent; any process may run it).
        Where a server runs them on its own timer, none."""
        ...

    async def leads(self, work: str) -> bool:
        """Whether this process does `work` (`"escalation"`, `"paging"`) now, among all that
        serve the same store: True in the one that leads it (it takes the lead when nobody
        holds it, and another takes over within seconds of its end), and wherever the store
        names no leader; False where another process leads, or a server does the work."""
        ...


@runtime_checkable
class Bulk(Protocol):
    """A backend that does many actions in fewer requests than one each (PagerDuty)."""

    async def execute_many(
        self, commands: list[AnyCommand], *, actor: str | None
    ) -> list[Recorded | DomainError]:
        """Each command's answer, in order: what it did, or why it was refused."""
        ...


@runtime_checkable
class FullRefresh(Protocol):
    """A backend that follows a platform by polling it (PagerDuty: its log since the last
    look), and reads it again as a whole on demand: what the polls cannot see (a change that
    left no log entry, an incident resolved longer ago than the window) is then put right.

    A console offers it as "refresh": it calls `await backend.full_refresh()` in a worker;
    what changed reaches the console as any change does, through `follow` (changes, or a
    whole queue to redraw from); the queue returned is for callers that do not follow."""

    async def full_refresh(self) -> Queue:
        """Read everything again, now; tell followers what it changed; the queue as it now
        stands. `StoreError` where the platform cannot be read (the queue is kept)."""
        ...


@runtime_checkable
class OnCall(Protocol):
    """A backend whose platform keeps the schedules (PagerDuty): who is on call at a time is
    asked of it, not worked out from rotations in the directory."""

    async def on_call(self, at: datetime) -> Directory:
        """The directory as at `at`: each escalation policy's levels name who is on call."""
        ...


@runtime_checkable
class ReadAhead(Protocol):
    """A backend whose first read waits on a platform (Alertmanager takes a third of a second
    to list 5,000 alerts): the console has it start before the console itself starts."""

    def read_ahead(self) -> Future[None]:
        """Start the first read now, outside any event loop; `open` then takes what it read,
        or raises what went wrong. Done when the reading is."""
        ...


@runtime_checkable
class Backend(Protocol):
    """Where incidents live. The console, the CLI and the server call only this."""

    @property
    def kind(self) -> str:
        """`journal`, `postgres`, `http`, ...: shown in headers and `status`."""
        ...

    @property
    def location(self) -> str:
        """The store, database or server, as a responder would recognise it."""
        ...

    @property
    def link(self) -> Link:
        """The connection as of now (`follow` reports when it changes)."""
        ...

    @property
    def waiting(self) -> int:
        """Actions kept to be sent once the server can be reached (0 where none ever wait)."""
        ...

    @property
    def capabilities(self) -> frozenset[Action]:
        """The actions this backend can carry out at all."""
        ...

    @property
    def admin(self) -> Admin | None:
        """Compaction, a new directory and auto-escalation, where this backend offers them."""
        ...

    def offered(self, incident: Incident) -> frozenset[Action]:
        """The actions offered on `incident` now: what the rules allow on it as it stands,
        and this backend can do."""
        ...

    def unavailable(self, action: Action) -> str:
        """The sentence a responder reads when asking for an action this backend cannot do."""
        ...

    async def whoami(self) -> str | None:
        """Who this backend acts as where it decides (a server: the token's responder); None
        where the caller says (`--as`)."""
        ...

    def take_notices(self) -> list[str]:
        """Sentences no follower has been given yet (a CLI prints them)."""
        ...

    async def open(self) -> Queue:
        """Read the current queue. Call before anything else."""
        ...

    async def history(self, incident_id: str) -> IncidentHistory:
        """One incident (open, resolved or archived) with its timeline; `NotFound` if none."""
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
        request_key: str | None = None,
    ) -> Recorded:
        """Check and record `command` as `actor`; return what it did once it is durable.
        With `expected_version`, refuse with `VersionConflict` if the incident has moved on.
        With `request_key`, a request sent again is answered, not done twice. With
        `queue_offline`, a backend whose server is unreachable keeps the action in its outbox
        and raises `ActionQueued` instead of `StoreError`."""
        ...

    async def close(self) -> None: ...
