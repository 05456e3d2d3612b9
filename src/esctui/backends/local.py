"""The incident service over a store this process opens itself: a journal directory or a
PostgreSQL database (`--store DIR`, `--store postgresql://...`).

A journal store blocks on files, so inside an event loop each call runs whole in a worker
thread (writes in threads of their own, so a writer waiting for another process's lock never
leaves readers without one); outside one (a CLI command) the same calls run straight through
without asyncio. A database store's calls wait on the network and run on the loop.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from esctui.backends.base import Link, Update
from esctui.backends.integrations import Integrations
from esctui.backends.local_intake import LocalIntake, LocalIntegrations
from esctui.domain.actions import EVERY_ACTION, Action, action_of, allowed
from esctui.domain.commands import AnyCommand, IncidentCommand
from esctui.domain.errors import DomainError, NotFound
from esctui.domain.models import Directory, Incident
from esctui.service.incidents import Clock, IncidentService
from esctui.service.intake import REPEATS_EVERY, IntakeService
from esctui.service.integrations import IntegrationService
from esctui.service.ports import (
    Compactable,
    EventStore,
    IntegrationStore,
    Leading,
    Notifier,
    PageStore,
    TokenStore,
)
from esctui.stores.inline import offload, run_inline
from esctui.stores.records import (
    Change,
    IncidentHistory,
    MaintenanceWindow,
    Queue,
    Recorded,
    TokenRecord,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor  # not imported by one-shot commands

    from esctui.domain.paging import Webhook
    from esctui.service.paging import Pager, PagingSettings
    from esctui.stores.page_records import PageState

T = TypeVar("T")

# Writes at once inside one process (the server's requests): a journal's lock lets one through
# at a time, the others wait their bounded time for it in a thread each.
WRITER_THREADS = 16
# How often a follower looks whether a service's maintenance started or ended (neither is an
# event: the queue is read again, with the windows kept now).
MAINTENANCE_EVERY = 1.0
# The ids these stores make: `inc-12` (as typed in a hurry) names INC-12.
OWN_ID = re.compile(r"inc-\d+", re.IGNORECASE)


def own_id(incident_id: str) -> str:
    """`incident_id` as the store spells its own ids; any other id as given."""
    return incident_id.upper() if OWN_ID.fullmatch(incident_id) else incident_id


def is_database(where: str) -> bool:
    return where.startswith(("postgresql://", "postgres://"))


def open_store(where: str, *, clock: Clock | None = None, lock_wait: float | None = None) -> Any:
    """The store at `where`: a PostgreSQL URL, else a journal directory. (A database driver is
    imported only for a database.)"""
    if is_database(where):
        from esctui.stores.postgres import PostgresStore

        return PostgresStore(where, clock=clock)
    from esctui.stores.journal import JournalEvents
    from esctui.stores.journal.files import LOCK_WAIT

    return JournalEvents(
        Path(where).expanduser(),
        clock=clock,
        lock_wait=LOCK_WAIT if lock_wait is None else lock_wait,
    )


def open_local(
    where: str, *, clock: Clock | None = None, lock_wait: float | None = None
) -> LocalBackend:
    """The incident service over the store at `where` (see `open_store`), with its tokens and
    its integrations and its pages."""
    store = open_store(where, clock=clock, lock_wait=lock_wait)
    if is_database(where):
        tokens: TokenStore = store.tokens
        integrations: IntegrationStore = store.integrations
        pages: PageStore = store.pages
    else:
        from esctui.stores.journal import JournalTokens
        from esctui.stores.journal.integrations import JournalIntegrations
        from esctui.stores.journal.pages import JournalPages

        tokens = JournalTokens(Path(where).expanduser())
        integrations = JournalIntegrations(Path(where).expanduser())
        pages = JournalPages(Path(where).expanduser(), lock_wait=store.store.lock_wait)
    return LocalBackend(store, tokens=tokens, integrations=integrations, pages=pages, clock=clock)


class LocalBackend:
    """The incident service over `store`. `capabilities` may leave actions out (a console
    that shows what a lesser backend would offer; tests)."""

    link = Link.LOCAL
    waiting = 0  # a store this process opens is never out of reach

    def __init__(
        self,
        store: EventStore,
        *,
        tokens: TokenStore | None = None,
        integrations: IntegrationStore | None = None,
        pages: PageStore | None = None,
        clock: Clock | None = None,
        capabilities: frozenset[Action] = EVERY_ACTION,
    ) -> None:
        self.store = store
        self.clock = clock
        self.service = IncidentService(store, clock)
        self.capabilities = capabilities
        self.writers: Executor | None = None
        self.admin = LocalAdmin(self)
        self.tokens = LocalTokens(self, tokens)
        self.kept_integrations = integrations
        self.integrations = (
            None
            if integrations is None
            else LocalIntegrations(self, IntegrationService(store, integrations, clock))
        )
        self.paging = LocalPaging(self, pages)

    @property
    def kind(self) -> str:
        return self.store.kind

    @property
    def location(self) -> str:
        return self.store.location

    @property
    def runs_inline(self) -> bool:
        """Whether a one-shot command may call it without an event loop."""
        return self.store.blocking

    def offered(self, incident: Incident) -> frozenset[Action]:
        return allowed(incident) & self.capabilities

    def unavailable(self, action: Action) -> str:
        return f"This {self.kind} store is opened without the {action} action."

    async def whoami(self) -> str | None:
        return None  # the face says who acts (`--as`)

    def take_notices(self) -> list[str]:
        return []

    # -- running the store's calls -------------------------------------------------------

    def writer_threads(self) -> Executor:
        """The threads a blocking store's writes run in, made on the first write inside an
        event loop. Each may wait for another process's lock; reads meanwhile take the loop's
        own threads, never these."""
        if self.writers is None:
            from concurrent.futures import ThreadPoolExecutor

            self.writers = ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="esctui-write")
        return self.writers

    async def call(self, work: Callable[[], Coroutine[Any, Any, T]], *, write: bool = False) -> T:
        """Await `work()` (a call to the store or the service); a blocking store's whole, in a
        worker thread when a loop runs (made there, so a caller that gives up before the
        thread starts leaves no coroutine behind)."""
        if not self.store.blocking:
            return await work()
        threads = self.writer_threads if write else None
        return await offload(lambda: run_inline(work()), threads=threads)

    def intake(self, *, repeats_every: timedelta = REPEATS_EVERY) -> LocalIntake | None:
        """Alerts in, for a server over this store (None where it keeps no integrations)."""
        if self.kept_integrations is None:
            return None
        kept = self.kept_integrations
        return LocalIntake(
            self,
            IntegrationService(self.store, kept, self.clock),
            IntakeService(self.store, kept, self.clock, repeats_every=repeats_every),
        )

    async def windows(self) -> dict[str, MaintenanceWindow]:
        """The maintenance windows kept, by service."""
        if self.integrations is None:
            return {}
        kept = await self.call(self.integrations.service.kept.maintenance)
        return {window.service: window for window in kept}

    # -- the protocol --------------------------------------------------------------------

    async def open(self) -> Queue:
        queue = await self.call(self.store.read)
        queue.maintenance = await self.windows()
        return queue

    async def history(self, incident_id: str) -> IncidentHistory:
        incident_id = own_id(incident_id)
        found = await self.call(lambda: self.store.history(incident_id))
        if found is None:
            raise NotFound(f"There is no incident {incident_id}.")
        return found

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        return await self.call(lambda: self.store.histories(since))

    async def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Update]:
        """The store's changes; and, when a service's maintenance started or ended (which is
        no event), a whole new queue with the windows now kept."""
        import asyncio

        changes = aiter(self.store.follow(after, interval))
        windows = await self.windows()
        looked = asyncio.get_running_loop().time()
        waiting: asyncio.Future[Any] = asyncio.ensure_future(anext(changes))
        try:
            while True:
                done, _ = await asyncio.wait({waiting}, timeout=MAINTENANCE_EVERY)
                if waiting in done:
                    try:
                        followed = waiting.result()
                    except StopAsyncIteration:
                        return
                    yield Update(changes=followed.changes, queue=followed.queue)
                    waiting = asyncio.ensure_future(anext(changes))
                if asyncio.get_running_loop().time() - looked < MAINTENANCE_EVERY:
                    continue
                looked = asyncio.get_running_loop().time()
                now = await self.windows()
                if now != windows:
                    windows = now
                    yield Update(changes=[], queue=await self.open())
        finally:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await waiting  # the store's follower stops there
            await changes.aclose()  # type: ignore[attr-defined]

    async def execute(
        self,
        command: AnyCommand,
        *,
        actor: str | None,
        expected_version: int | None = None,
        queue_offline: bool = False,  # never offline
        request_key: str | None = None,
    ) -> Recorded:
        action = action_of(command)
        if action is not None and action not in self.capabilities:
            raise DomainError(self.unavailable(action))
        if isinstance(command, IncidentCommand):
            command = msgspec.structs.replace(command, incident=own_id(command.incident))
        return await self.call(
            lambda: self.service.execute(
                command, actor, expected_version=expected_version, request_key=request_key
            ),
            write=True,
        )

    async def close(self) -> None:
        await self.store.close()
        if self.writers is not None:
            self.writers.shutdown(wait=False)


class LocalAdmin:
    """Compaction (a journal's), a new directory, auto-escalation and who leads it, over the
    service."""

    def __init__(self, backend: LocalBackend) -> None:
        self.backend = backend

    async def compact(self, archive_after: timedelta) -> str:
        store = self.backend.store
        if not isinstance(store, Compactable):
            raise DomainError(
                f"A {store.kind} store needs no compaction: it keeps every event where it "
                "can be found, and the queue reads only what is open or recently resolved."
            )
        return await self.backend.call(lambda: store.compact(archive_after), write=True)

    async def replace_directory(self, directory: Directory) -> str:
        service = self.backend.service
        return await self.backend.call(lambda: service.replace_directory(directory), write=True)

    async def escalate_due(self) -> list[Change]:
        return await self.backend.call(self.backend.service.escalate_due, write=True)

    @property
    def integrations(self) -> Integrations:
        if self.backend.integrations is None:
            raise DomainError(f"This {self.backend.kind} store keeps no integrations.")
        return self.backend.integrations

    async def leads(self, work: str) -> bool:
        store = self.backend.store
        if not isinstance(store, Leading):
            return True  # a store that names no leader leaves the work to every process
        return await self.backend.call(lambda: store.leads(work))


class LocalTokens:
    """The server's tokens kept with the store, called as the store's calls are."""

    def __init__(self, backend: LocalBackend, tokens: TokenStore | None) -> None:
        self.backend = backend
        self.kept = tokens

    def store(self) -> TokenStore:
        if self.kept is None:
            raise DomainError(f"This {self.backend.kind} store keeps no tokens.")
        return self.kept

    async def find(self, token: str) -> TokenRecord | None:
        return await self.backend.call(lambda: self.store().find(token))

    async def as_now(self, record: TokenRecord) -> TokenRecord | None:
        return await self.backend.call(lambda: self.store().as_now(record))

    async def create(
        self, responder: str, now: datetime, *, admin: bool = False
    ) -> tuple[str, TokenRecord]:
        return await self.backend.call(
            lambda: self.store().create(responder, now, admin=admin), write=True
        )

    async def revoke(self, which: str, now: datetime) -> list[TokenRecord]:
        return await self.backend.call(lambda: self.store().revoke(which, now), write=True)

    async def records(self) -> list[TokenRecord]:
        return await self.backend.call(self.store().records)


class LocalPaging:
    """Pages out of the store: the sender, the pages sent, the outbound webhooks; called as
    the store's calls are."""

    def __init__(self, backend: LocalBackend, pages: PageStore | None) -> None:
        self.backend = backend
        self.kept = pages

    def store(self) -> PageStore:
        if self.kept is None:
            raise DomainError(f"This {self.backend.kind} store keeps no pages.")
        return self.kept

    def sender(
        self,
        notifier: Notifier,
        settings: PagingSettings | None = None,
        say: Callable[[str], None] | None = None,
        leading: set[str] | None = None,
    ) -> Pager:
        """The page sender over this store: it sends while this process leads paging (and
        holds "paging" in `leading` meanwhile), and tells `say` when it starts or stops."""
        from esctui.service.paging import Pager

        backend = self.backend
        return Pager(
            backend.store,
            self.store(),
            backend.service,
            notifier,
            call=backend.call,
            lead=functools.partial(backend.admin.leads, "paging"),
            settings=settings,
            clock=backend.service.clock,
            leading=leading,
            **({"say": say} if say is not None else {}),
        )

    async def pages(self, since: datetime, incident: str | None = None) -> list[PageState]:
        return await self.backend.call(lambda: self.store().pages(since, incident))

    async def webhooks(self) -> list[Webhook]:
        return await self.backend.call(self.store().webhooks)

    async def add_webhook(self, webhook: Webhook) -> None:
        await self.backend.call(lambda: self.store().add_webhook(webhook), write=True)

    async def remove_webhook(self, which: str) -> Webhook | None:
        return await self.backend.call(lambda: self.store().remove_webhook(which), write=True)
