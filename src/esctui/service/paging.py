"""The page sender: follows the store, records each page owed before it sends it, sends it (with
retries and backoff), and records how every try went, on the page and on the incident's
timeline.

What pages whom is `domain/paging.py`; here is the work of doing it without losing a page:

- Pages owed are found two ways: from the events as they land (the fast way, which also
  knows who caused what, and feeds the outbound webhooks), and by looking at every open
  incident every `look_every` seconds (deadlines about to breach; anything the events did not
  tell). Both give the same ids for the same page, and the page store keeps a page once.
- A page is recorded (`Owed`, durable) before it is sent. A try's outcome goes on the
  incident's timeline, then on the page (`Attempted`); once a delivery is recorded the page is
  never sent again. A sender killed between sending and recording sends that page again when
  it starts: at least once, never zero times. Receivers deduplicate by the page's id (in the
  message) or the event's id (in a webhook's body).
- Each page goes out in a task of its own: a receiver that answers slowly (or not at all)
  holds up no other page, and nobody's actions wait on the sender.
- One sender at a time per store: this one sends only while the store says this process
  leads "paging" (`lead`), and stops within `lead_every` seconds of losing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain import lifecycle
from esctui.domain.cadence import CadenceBook, cadence_book
from esctui.domain.models import Directory, Incident, Responder
from esctui.domain.paging import (
    Page,
    Sent,
    Webhook,
    cancellation,
    own_doing,
    pages_owed,
    webhook_pages,
)
from esctui.domain.sla import SlaBook, sla_book
from esctui.service.incidents import Clock, IncidentService, utc_now
from esctui.service.ports import EventStore, Notifier, PageStore
from esctui.stores.inline import woken_or_waited
from esctui.stores.page_records import (
    Attempted,
    Cancelled,
    Cursor,
    Owed,
    PageRecord,
    PageState,
    Started,
)
from esctui.stores.records import Change, Queue, StoreError

log = logging.getLogger("esctui.paging")

T = TypeVar("T")

# The events that give an incident to someone: the one that gave it, when known, words the page.
GIVING = (e.Triggered, e.Escalated, e.HandedOff, e.Unacknowledged, e.Reopened, e.Woken, e.Rerouted)


class Calls(Protocol):
    """Runs one store call whole (a blocking store's in a worker thread; `write` for writes)."""

    def __call__(
        self, work: Callable[[], Coroutine[Any, Any, T]], *, write: bool = False
    ) -> Awaitable[T]: ...


async def directly(work: Callable[[], Coroutine[Any, Any, T]], *, write: bool = False) -> T:
    return await work()


async def always() -> bool:
    return True


@dataclass(frozen=True)
class PagingSettings:
    """How the sender works: how often it looks, how it retries, how long it waits."""

    look_every: float = 1.0  # deadlines, and pages whose time came
    follow_every: float = 0.05  # another process's events (a journal store is polled)
    lead_every: float = 2.0  # whether this process still leads
    first_retry: float = 30.0  # the wait after a first failed try; it doubles each time
    longest_retry: float = 900.0
    tries: int = 8  # then the page is given up on
    send_timeout: float = 15.0  # the longest one try waits for its receiver
    in_flight: int = 256  # pages being sent at once
    # Events a sender that could not follow the store (compacted while no sender ran) still
    # sends to webhooks: those this long before the last event it had seen.
    overlap: timedelta = timedelta(minutes=1)


class LostLead(Exception):
    """Another process leads paging now."""


def signature(secret: str, body: bytes) -> str:
    """`sha256=` and the HMAC-SHA256 of `body` under `secret`, as `X-Esctui-Signature` says."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_headers(page: Page, secret: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "esctui",
        "X-Esctui-Event": page.title,
        "X-Esctui-Delivery": page.id,
        "X-Esctui-Signature": signature(secret, body),
    }


def new_webhook(url: str, events: tuple[str, ...], now: datetime) -> Webhook:
    """A new outbound webhook for `events` to `url`, with a new secret to sign with."""
    return Webhook(
        id=f"wh-{secrets.token_hex(3)}",
        url=url,
        events=events,
        secret=secrets.token_urlsafe(32),
        created_at=now,
    )


async def test_pages(
    responder: Responder, notifier: Notifier, timeout: float
) -> list[tuple[str, Sent]]:
    """Send a test page through each of `responder`'s contact methods, all at once: each
    method's name and how it went. Nothing is recorded."""
    title = f"esctui test page for {responder.name}"

    async def one(method_name: str, url: str) -> tuple[str, Sent]:
        body = f"A test page to {responder.name} by {method_name}: nothing is wrong."
        return method_name, await notifier.notify(url, title, body, timeout)

    return list(await asyncio.gather(*(one(m.name, m.url) for m in responder.contact)))


class Pager:
    """Sends the pages of `store` (kept in `pages`) through `notifier`, while `lead()` says
    this process leads paging. `call` runs each store call (see `Calls`)."""

    def __init__(
        self,
        store: EventStore,
        pages: PageStore,
        service: IncidentService,
        notifier: Notifier,
        *,
        call: Calls = directly,
        lead: Callable[[], Awaitable[bool]] = always,
        settings: PagingSettings | None = None,
        clock: Clock | None = None,
        say: Callable[[str], None] = log.debug,
        leading: set[str] | None = None,
    ) -> None:
        """`say` is told when this process starts or stops sending (a sentence); `leading`
        holds "paging" while it sends (a server's `/healthz` lists it)."""
        self.store = store
        self.pages = pages
        self.service = service
        self.notifier = notifier
        self.call = call
        self.lead = lead
        self.settings = settings or PagingSettings()
        self.clock = clock or utc_now
        self.say = say
        self.leading = leading if leading is not None else set()
        self.reset()

    def reset(self) -> None:
        self.incidents: dict[str, Incident] = {}
        self.directory = Directory()
        self.book: SlaBook = sla_book(self.directory)
        self.cadence: CadenceBook = cadence_book(self.directory)
        self.webhooks: list[Webhook] = []
        self.started = self.clock()
        self.cursor = Cursor(revision=0)
        self.pending: dict[str, PageState] = {}
        self.known: set[str] = set()
        self.flying: dict[str, asyncio.Task[None]] = {}
        self.to_tell: list[tuple[PageState, Attempted]] = []  # not yet on the timeline
        self.to_keep: list[tuple[PageState, Attempted]] = []  # not yet on the page
        self.held: list[c.RecordPage] = []  # pages held by quiet hours, for the timeline
        self.writing = asyncio.Lock()
        self.woken = asyncio.Event()  # look for pages to send now
        self.finished = asyncio.Event()  # tries to record
        self.last_full_look = 0.0
        self.ready = asyncio.Event()  # set once the sender has read where paging stands

    # -- leading ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Send pages whenever this process leads paging, until cancelled."""
        where = self.store.location
        waiting = False
        while True:
            try:
                if await self.lead():
                    self.say(f"This process sends the pages of {where}.")
                    waiting = False
                    await self.send_while_leading()
                elif not waiting:
                    self.say(
                        f"Another process sends the pages of {where}; this one takes over if "
                        "it stops."
                    )
                    waiting = True
            except LostLead:
                self.say(f"Another process sends the pages of {where} now.")
            except StoreError as error:
                log.error("%s Sending pages again in %g s.", error, self.settings.lead_every)
            await asyncio.sleep(self.settings.lead_every)

    async def send_while_leading(self) -> None:
        self.reset()
        self.leading.add("paging")
        try:
            await self.sending()
        finally:
            self.leading.discard("paging")

    async def sending(self) -> None:
        await self.start()
        tasks = [
            asyncio.create_task(self.follow(), name="esctui-paging-follow"),
            asyncio.create_task(self.look_again_and_again(), name="esctui-paging-look"),
            asyncio.create_task(self.record_again_and_again(), name="esctui-paging-record"),
            asyncio.create_task(self.keep_the_lead(), name="esctui-paging-lead"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # the reason it stopped
        finally:
            for task in [*tasks, *self.flying.values()]:
                task.cancel()
            await asyncio.gather(*tasks, *self.flying.values(), return_exceptions=True)
            with contextlib.suppress(StoreError):
                await self.record_tries()  # what was sent and not yet said: said now

    async def keep_the_lead(self) -> None:
        while True:
            await asyncio.sleep(self.settings.lead_every)
            if not await self.lead():
                raise LostLead

    async def start(self) -> None:
        """Where the page store says paging stands, and the queue as it is now."""
        paging = await self.call(self.pages.paging)
        queue = await self.call(self.store.read)
        self.take_queue(queue)
        self.webhooks = await self.call(self.pages.webhooks)
        first: list[PageRecord] = []
        if paging.started is None:
            first.append(Started(at=self.started))
        else:
            self.started = paging.started
        self.cursor = paging.cursor or Cursor(revision=queue.revision)
        if paging.cursor is None:
            first.append(self.cursor)
        if first:
            await self.call(lambda: self.pages.record(first), write=True)
        for state in paging.pending:
            self.pending[state.page.id] = state
            self.known.add(state.page.id)
        self.ready.set()
        log.debug(
            "Paging %s from revision %d; %d pages pending.",
            self.store.location,
            self.cursor.revision,
            len(self.pending),
        )

    def take_queue(self, queue: Queue) -> None:
        self.incidents = dict(queue.incidents)
        self.directory = queue.directory
        self.book = sla_book(queue.directory)
        self.cadence = cadence_book(queue.directory)

    # -- what is owed ----------------------------------------------------------------------

    async def follow(self) -> None:
        async for followed in self.store.follow(self.cursor.revision, self.settings.follow_every):
            if followed.queue is not None:
                await self.take_new_queue(followed.queue)
            elif followed.changes:
                await self.take_changes(followed.changes)

    async def take_changes(self, changes: list[Change]) -> None:
        """The pages `changes` owe: to webhooks, and to the holders of the incidents they
        touched; recorded before any is sent."""
        records: list[PageRecord] = []
        causes: dict[str, e.AnyEvent] = {}
        histories: dict[str, list[e.AnyEvent]] = {}
        for change in changes:
            event = change.event
            incident = await self.after(event, histories)
            if isinstance(event, GIVING):
                causes[event.incident] = event
            if incident is None:
                continue
            for page in webhook_pages(event, incident, self.webhooks):
                records.append(Owed(page=page, at=self.clock()))
        records += self.owed({change.event.incident for change in changes}, causes)
        last = changes[-1]
        records.append(Cursor(revision=last.revision, at=last.event.at))
        await self.keep(records)

    async def after(
        self, event: e.AnyEvent, histories: dict[str, list[e.AnyEvent]]
    ) -> Incident | None:
        """The incident just after `event`, kept in the sender's copy of the queue. When that
        copy is not just before the event (it was read after it, when the sender started),
        the incident's timeline says what it was then."""
        known = self.incidents.get(event.incident)
        if (known is None and isinstance(event, e.Triggered)) or (
            known is not None and event.version == known.version + 1
        ):
            state = lifecycle.apply(known, event)
            self.incidents[event.incident] = state
            return state
        timeline = histories.get(event.incident)
        if timeline is None:
            history = await self.call(lambda: self.store.history(event.incident))
            timeline = histories[event.incident] = history.timeline if history else []
        then = lifecycle.replay(t for t in timeline if t.version <= event.version) or known
        if then is None:  # gone from the store meanwhile (archived)
            return None
        if known is None or then.version > known.version:
            self.incidents[event.incident] = then
        return then

    async def take_new_queue(self, queue: Queue) -> None:
        """A whole new queue (a new directory, or a store compacted where the sender could not
        follow): the holders' pages as it stands, and the webhooks' events the sender did not
        see, read from the timelines."""
        before = self.incidents
        self.take_queue(queue)
        self.webhooks = await self.call(self.pages.webhooks)
        records: list[PageRecord] = []
        since = None if self.cursor.at is None else self.cursor.at - self.settings.overlap
        for incident_id, incident in queue.incidents.items():
            seen = before.get(incident_id)
            if not self.webhooks or (seen is not None and seen.version >= incident.version):
                continue
            if seen is None and since is None:
                continue
            history = await self.call(functools.partial(self.store.history, incident_id))
            state: Incident | None = None
            for event in history.timeline if history else []:
                state = lifecycle.apply(state, event)
                unseen = event.version > seen.version if seen else since and event.at >= since
                if unseen:
                    for page in webhook_pages(event, state, self.webhooks):
                        records.append(Owed(page=page, at=self.clock()))
        records += self.owed(set(self.incidents), {})
        records.append(Cursor(revision=queue.revision, at=self.cursor.at))
        await self.keep(records)

    def owed(self, incident_ids: set[str], causes: dict[str, e.AnyEvent]) -> list[PageRecord]:
        """What the incidents `incident_ids` owe their holders now that is not recorded yet,
        and the pending pages of theirs that are no longer owed."""
        now = self.clock()
        records: list[PageRecord] = []
        for state in self.pending.values():
            page = state.page
            if page.incident in incident_ids and page.id not in self.flying:
                incident = self.incidents.get(page.incident)
                why = cancellation(page, incident, self.book, self.cadence)
                if why is not None:
                    records.append(Cancelled(page=page.id, at=now, why=why))
        for incident_id in incident_ids:
            incident = self.incidents.get(incident_id)
            if incident is None or not incident.is_open:
                continue
            cause = causes.get(incident_id)
            for page in pages_owed(
                incident, self.directory, self.book, now, self.started, cause, cadence=self.cadence
            ):
                if page.id in self.known:
                    continue
                records.append(Owed(page=page, at=now))
                why = own_doing(page, cause)
                if why is not None:
                    records.append(Cancelled(page=page.id, at=now, why=why))
        return records

    async def keep(self, records: list[PageRecord]) -> None:
        """Record `records` durably, then take them in: pages newly owed are sent when due."""
        async with self.writing:
            new = set(await self.call(lambda: self.pages.record(records), write=True))
        for record in records:
            if isinstance(record, Owed):
                page = record.page
                self.known.add(page.id)
                if page.id in new:
                    self.pending[page.id] = PageState(page=page, owed_at=record.at)
                    if page.held_until is not None and page.kind == "responder":
                        self.held.append(held(page))
            elif isinstance(record, Cancelled):
                self.pending.pop(record.page, None)
            elif isinstance(record, Cursor):
                self.cursor = record
        if self.held:
            self.finished.set()
        self.woken.set()

    # -- sending ---------------------------------------------------------------------------

    async def look_again_and_again(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if loop.time() - self.last_full_look >= self.settings.look_every:
                self.last_full_look = loop.time()
                await self.look_at_everything()
            self.send_what_is_due()
            await woken_or_waited(self.woken, self.settings.look_every)
            self.woken.clear()

    async def look_at_everything(self) -> None:
        """Deadlines about to breach, pages no event told of, pages no longer owed; and the
        webhooks as they are now (one added is sent the events from its next look on)."""
        self.webhooks = await self.call(self.pages.webhooks)
        watched = {i for i, incident in self.incidents.items() if incident.is_open}
        watched |= {state.page.incident for state in self.pending.values()}
        records = self.owed(watched, {})
        if records:
            await self.keep(records)

    def send_what_is_due(self) -> None:
        now = self.clock()
        room = self.settings.in_flight - len(self.flying)
        due = sorted(
            (s for s in self.pending.values() if s.next_at <= now and s.page.id not in self.flying),
            key=lambda s: s.next_at,
        )
        for state in due[: max(room, 0)]:
            del self.pending[state.page.id]
            self.flying[state.page.id] = asyncio.create_task(
                self.deliver(state), name=f"esctui-page-{state.page.id}"
            )

    async def deliver(self, state: PageState) -> None:
        """One try of one page; its outcome is recorded by `record_again_and_again`."""
        page = state.page
        attempt = len(state.attempts) + 1
        sent, final = await self.send(page)
        now = self.clock()
        if sent.delivered:
            tried = Attempted(page=page.id, attempt=attempt, at=now, outcome="delivered")
        elif final or attempt >= self.settings.tries:
            tried = Attempted(
                page=page.id, attempt=attempt, at=now, outcome="gave-up", detail=sent.detail
            )
        else:
            wait = min(self.settings.first_retry * 2 ** (attempt - 1), self.settings.longest_retry)
            tried = Attempted(
                page=page.id,
                attempt=attempt,
                at=now,
                outcome="failed",
                detail=sent.detail,
                next_at=now + timedelta(seconds=wait),
            )
        self.to_tell.append((state, tried))
        self.finished.set()

    async def send(self, page: Page) -> tuple[Sent, bool]:
        """Send `page` once: how it went, and whether trying again is pointless (its
        recipient or method is gone)."""
        timeout = self.settings.send_timeout
        if page.kind == "webhook":
            hook = next((h for h in self.webhooks if h.id == page.to), None)
            if hook is None:
                return Sent(False, f"the webhook {page.to} was removed"), True
            body = page.body.encode()
            headers = webhook_headers(page, hook.secret, body)
            return await self.notifier.post(hook.url, body, headers, timeout), False
        responder = self.directory.responder(page.to)
        methods = responder.contact if responder is not None else ()
        method = next((m for m in methods if m.name == page.method), None)
        if method is None:
            return Sent(False, f"{page.to} has no contact method {page.method!r} any more"), True
        return await self.notifier.notify(method.url, page.title, page.body, timeout), False

    # -- recording what was done -----------------------------------------------------------

    async def record_again_and_again(self) -> None:
        while True:
            await self.finished.wait()
            self.finished.clear()
            try:
                await self.record_tries()
            except StoreError as error:
                log.error("%s Recording the pages' tries again in 1 s.", error)
                await asyncio.sleep(1.0)
                self.finished.set()

    async def record_tries(self) -> None:
        """On the incidents' timelines first, then on the pages: a try whose page says it was
        delivered is never made again. (What is added while a write waits stays for the
        next.)"""
        telling, held_pages = list(self.to_tell), list(self.held)
        if telling or held_pages:
            commands = held_pages + [
                told(state.page, tried)
                for state, tried in telling
                if state.page.kind == "responder"
            ]
            if commands:
                await self.call(lambda: self.service.record(commands), write=True)
            del self.to_tell[: len(telling)], self.held[: len(held_pages)]
            self.to_keep += telling
        keeping = list(self.to_keep)
        if not keeping:
            return
        async with self.writing:
            await self.call(lambda: self.pages.record([t for _, t in keeping]), write=True)
        del self.to_keep[: len(keeping)]
        for state, tried in keeping:
            self.flying.pop(state.page.id, None)
            after = state.after(tried)
            if after.status == "pending":
                self.pending[after.page.id] = after
            if tried.outcome != "delivered":
                log.warning("Page %s: %s (try %d).", tried.page, tried.detail, tried.attempt)
        self.woken.set()


def told(page: Page, tried: Attempted) -> c.RecordPage:
    return c.RecordPage(
        incident=page.incident,
        page=page.id,
        to=page.to,
        method=page.method,
        outcome=tried.outcome,
        attempt=tried.attempt,
        detail=tried.detail[:1000],
        next_at=tried.next_at,
    )


def held(page: Page) -> c.RecordPage:
    return c.RecordPage(
        incident=page.incident,
        page=page.id,
        to=page.to,
        method=page.method,
        outcome="held",
        detail="quiet hours",
        next_at=page.held_until,
    )
