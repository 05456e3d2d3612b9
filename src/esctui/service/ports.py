"""What the service needs from a store, and nothing more: the ports every store implements.

A store keeps events and state safely; it decides nothing. The incident service holds the rules
of handling a command (load the state, check the version, apply due escalations, `decide`,
remember the idempotency key, append) and calls only these methods. A second store is one
implementation of these protocols plus the shared contract tests (`tests/stores/`).

Every method may raise `StoreError` (the store cannot be read or written: a sentence naming
what and where). Stores may call pure domain functions to keep their own indexes (`apply` to
fold events into states, `escalation_due_at` for when an incident next escalates).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.domain.paging import Sent, Webhook
from esctui.stores.page_records import PageRecord, PageState, Paging
from esctui.stores.records import (
    Change,
    Followed,
    IncidentHistory,
    IntegrationRecord,
    MaintenanceWindow,
    Queue,
    RecordedRequest,
    TokenRecord,
)


class Transaction(Protocol):
    """One unit of work. Nothing it appends is seen by others until it ends without an error;
    an error in the block undoes everything it appended (where the store can: the journal's
    appends are each durable on their own, and each is a whole, valid step)."""

    @property
    def directory(self) -> Directory:
        """The directory in force for this transaction."""
        ...

    async def incident(self, incident_id: str) -> Incident | None:
        """The incident's current state (None if the store has no open or recently resolved
        incident by that id, nor one whose follow-up actions are open), held for the rest of
        the transaction: a concurrent transaction asking for the same incident waits until
        this one ends, then sees what it wrote."""
        ...

    async def archived(self, incident_id: str) -> bool:
        """Whether the incident exists but was archived (resolved long ago, changeable only
        through `unarchive`)."""
        ...

    async def unarchive(self, incident_id: str) -> Incident | None:
        """The archived incident `incident_id`, held as `incident` holds one, to be changed
        after all (a review written late); None if none is archived by that id. Followers
        hold no copy of it: the store has them read the whole queue again."""
        ...

    async def timeline(self, incident_id: str) -> list[AnyEvent]:
        """Every event of a held incident, oldest first (to know its state at an earlier
        version)."""
        ...

    async def recorded(self, key: str) -> RecordedRequest | None:
        """What the request with idempotency `key` recorded, if it was recorded. The key is
        held for the rest of the transaction, so a concurrent transaction with the same key
        waits, then sees this one's record."""
        ...

    async def next_id(self) -> str:
        """A new incident id, never given before (gaps are allowed)."""
        ...

    async def open_incidents(self) -> list[Incident]:
        """Every unresolved incident (for checks over the whole queue, such as a new
        directory that would strand one)."""
        ...

    async def append(
        self, events: list[AnyEvent], request: tuple[str, str] | None = None
    ) -> list[Change]:
        """Record `events` in order, each with the next revision (revisions are dense and
        grow by one per event, in the order transactions end). With `request` (key,
        fingerprint), they are what that request did: `recorded(key)` answers them from now
        on. An event that does not fold into its incident's state is a bug: refuse it
        (`ValueError`) before anything is written."""
        ...

    async def put_directory(self, directory: Directory) -> None:
        """Put `directory` in force (already checked by the service)."""
        ...


class EventStore(Protocol):
    """Where incidents live: a journal directory, a PostgreSQL database.

    A `blocking` store's coroutines never suspend: they block on files instead. Inside an
    event loop, call them in a worker thread, each call whole (`stores.inline`); `follow` is
    the exception, a true async iterator in every store."""

    @property
    def blocking(self) -> bool: ...

    @property
    def kind(self) -> str:
        """`journal`, `postgres`: shown in headers and `status`."""
        ...

    @property
    def location(self) -> str:
        """Where it is, as a responder would recognise it (never with a password)."""
        ...

    async def read(self) -> Queue:
        """The directory, every unresolved incident and those resolved recently, as of one
        revision."""
        ...

    async def history(self, incident_id: str) -> IncidentHistory | None:
        """One incident (open, resolved or archived) with its timeline; None if there is none."""
        ...

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        """Every incident created or resolved at or after `since`, archived ones included."""
        ...

    def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Followed]:
        """Changes recorded after revision `after` (by any process), in batches as they land,
        until closed. `interval` is how often to look where the store cannot push."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A unit of work (see `Transaction`)."""
        ...

    async def due(self, now: datetime) -> list[str]:
        """The unresolved incidents whose escalation (`escalation_due_at`) is at or before
        `now`."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class Compactable(Protocol):
    """A store whose history is folded now and then (the journal's snapshot and archive)."""

    async def compact(self, archive_after: timedelta) -> str:
        """Fold what is recorded into a new snapshot, archiving incidents resolved more than
        `archive_after` ago; a one-line summary."""
        ...


@runtime_checkable
class Leading(Protocol):
    """A store that names one process, among all that open it, to do a piece of work that
    must not be done twice at once (auto-escalation, sending pages)."""

    async def leads(self, work: str) -> bool:
        """Whether this process does `work` (`"escalation"`, `"paging"`) now: it takes the lead
        when nobody holds it and keeps it while it lives; False while another process holds
        it. A process that dies lets the lead go, and another takes it within seconds."""
        ...


class TokenStore(Protocol):
    """The server's access tokens: only their SHA-256 is kept. (`blocking` as for stores.)"""

    @property
    def blocking(self) -> bool: ...

    async def find(self, token: str) -> TokenRecord | None:
        """The record of `token`, revoked or not (`active` says); None if it was never made."""
        ...

    async def as_now(self, record: TokenRecord) -> TokenRecord | None:
        """`record` as kept now (revoked since, perhaps); None if it is gone."""
        ...

    async def create(
        self, responder: str, now: datetime, *, admin: bool = False
    ) -> tuple[str, TokenRecord]:
        """A new token for `responder`: the token (shown once) and what is kept of it."""
        ...

    async def revoke(self, which: str, now: datetime) -> list[TokenRecord]:
        """Revoke the token with id `which`, or every active token of responder `which`."""
        ...

    async def records(self) -> list[TokenRecord]:
        """Every token ever made, revoked ones included, oldest first."""
        ...


@runtime_checkable
class AlertIndex(Protocol):
    """A transaction that finds the incident monitoring's alerts map to (every store's does)."""

    async def alerted(self, integration: str, key: str) -> Incident | None:
        """The newest incident whose alerts came through `integration` under `key` (its
        `alerts` say so), open or recently resolved (not archived); None if there is none.
        Held for the rest of the transaction, as `incident` holds one, and so is the key: a
        concurrent transaction asking for the same integration and key waits until this one
        ends, then sees what it wrote (so two notifications of a new group open one
        incident)."""
        ...


@runtime_checkable
class AlertLookup(Protocol):
    """A store that tells which incident monitoring's alerts map to without a transaction
    (every store does): for a notification that turns out to change nothing, a storm's
    repeat, the cheap way."""

    async def alerted_now(self, integration: str, key: str) -> Incident | None:
        """As `AlertIndex.alerted` answers, as of now, holding nothing."""
        ...


class IntegrationStore(Protocol):
    """Monitoring's integrations (their keys kept only as SHA-256), the services' maintenance
    windows, and when each heartbeat last beat. (`blocking` as for stores.)"""

    @property
    def blocking(self) -> bool: ...

    async def integrations(self) -> list[IntegrationRecord]:
        """Every integration ever made, revoked ones included, oldest first."""
        ...

    async def find_integration(self, sha256: str) -> IntegrationRecord | None:
        """The integration whose key has this SHA-256, revoked or not; None if none has."""
        ...

    async def create_integration(self, record: IntegrationRecord) -> bool:
        """Keep `record`; False (and nothing kept) if an active integration has its name."""
        ...

    async def revoke_integration(self, name: str, now: datetime) -> IntegrationRecord | None:
        """Revoke the active integration `name`; what is kept of it now, or None if there is
        no active one by that name."""
        ...

    async def beat(self, name: str, at: datetime) -> None:
        """The heartbeat `name` beat at `at`."""
        ...

    async def beats(self) -> dict[str, datetime]:
        """When each heartbeat that ever beat last did."""
        ...

    async def maintenance(self) -> list[MaintenanceWindow]:
        """The maintenance windows kept, one per service at most (ended ones perhaps too)."""
        ...

    async def start_maintenance(self, window: MaintenanceWindow) -> None:
        """Put `window` in place of any the service had."""
        ...

    async def end_maintenance(self, service: str, at: datetime) -> MaintenanceWindow | None:
        """End the service's window in force at `at`; the window as it ends, or None if none
        was in force."""
        ...


class PageStore(Protocol):
    """Where a store keeps pages out (`stores/page_records.py`): records written in order,
    each durable before the call returns, and the outbound webhooks with their secrets (a
    webhook's secret is kept, not a hash of it: signing needs the secret itself). Several
    processes may read it; only the sender that leads writes pages. (`blocking` as for
    stores.)"""

    @property
    def blocking(self) -> bool: ...

    async def paging(self) -> Paging:
        """What a sender starts from: when paging began, its cursor, the pages pending."""
        ...

    async def record(self, records: list[PageRecord]) -> list[str]:
        """Keep `records`, in order, durably; the ids of the pages newly owed (an `Owed` for
        a page already kept is passed over)."""
        ...

    async def pages(self, since: datetime, incident: str | None = None) -> list[PageState]:
        """Pages owed at or after `since` (of one incident, if named), oldest first."""
        ...

    async def webhooks(self) -> list[Webhook]:
        """Every outbound webhook, oldest first."""
        ...

    async def add_webhook(self, webhook: Webhook) -> None: ...

    async def remove_webhook(self, which: str) -> Webhook | None:
        """Remove the webhook with id `which` (or URL); the one removed, None if none."""
        ...


class Notifier(Protocol):
    """What sends pages: a responder's notification URL (Apprise's formats), or a signed JSON
    request to a webhook. Never raises for a failure of the far end: it answers with it."""

    async def notify(self, url: str, title: str, body: str, timeout: float) -> Sent:
        """Send `title` and `body` to the notification URL `url`."""
        ...

    async def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Sent:
        """POST `body` (JSON) with `headers` to `url`; delivered on a 2xx answer."""
        ...
