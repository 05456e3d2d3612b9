"""The live queue: opened from the backend, then followed, whichever screen is in front.

Every change, others' and my own, is folded into the one `QueueModel` here, and the screens are
told which incidents changed (`messages.py`); a new SEV1/SEV2, or anything paged or handed to
me, raises a toast and rings the bell; the clock ticks each second; escalations are recorded as
they fall due.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import App
from textual.message import Message

from esctui.backends.base import Backend, Change, Link, Queue, StoreError, Update
from esctui.config import Config
from esctui.domain import events as e
from esctui.domain.cadence import Owed, cadence_book
from esctui.domain.sla import sla_book
from esctui.tui.kpi.kept import KeptFacts
from esctui.tui.messages import ClockTicked, IncidentsChanged, LinkChanged, QueueReplaced
from esctui.tui.queue_model import QueueModel
from esctui.wording import scrub

# Seconds after the queue is on screen before the KPI screen's facts are read ahead: the first
# paint and the first looks come first.
READ_AHEAD_AFTER = 2.0


class LiveQueue:
    """Keeps `model` true to the backend and tells `tell` (the screens) what changed."""

    def __init__(
        self,
        app: App[Any],
        backend: Backend,
        model: QueueModel,
        *,
        config: Config,
        clock: Callable[[], datetime],
        redact: bool,
        read_only: bool,
        follow_interval: float,
        escalation_interval: float,
        tell: Callable[[Message], object],
        failed: Callable[[str], None],
    ) -> None:
        self.app = app
        self.backend = backend
        self.model = model
        self.config = config
        self.clock = clock
        self.redact = redact
        self.read_only = read_only
        self.follow_interval = follow_interval
        self.escalation_interval = escalation_interval
        self.tell = tell
        self.failed = failed
        self.link = backend.link
        self.updated: datetime | None = None  # when the queue was last brought up to date
        self.bells_rung = 0
        self.opened = False
        # The KPI screen's facts, read ahead once the queue is on screen (see kpi/kept.py).
        self.kept = KeptFacts(backend, lambda: (model.book, model.cadence, model.directory))

    @property
    def me(self) -> str | None:
        return self.model.me

    # -- opening and following -----------------------------------------------------------------

    def open(self, opened: Queue | None = None) -> None:
        """Start with `opened`, a queue already read, or else read it from the backend."""
        if opened is not None:
            self.opened_with(opened)
            return
        self.app.run_worker(self.open_queue(), group="open", exclusive=True, exit_on_error=False)

    async def open_queue(self) -> None:
        try:
            queue = await self.backend.open()
        except StoreError as error:
            self.failed(str(error))
            return
        self.opened_with(queue)

    def opened_with(self, queue: Queue) -> None:
        self.replace(queue)
        self.opened = True
        me = self.me
        if me is not None and queue.directory.responder(me) is None:
            known = ", ".join(queue.directory.responder_names()) or "none"
            self.app.notify(
                f"{me!r} is not a responder in this store, so actions will be refused. "
                f"Start with --as NAME (known: {known}).",
                severity="warning",
                timeout=15,
            )
        self.app.set_interval(1.0, self.tick)
        self.app.run_worker(self.follow(), group="follow", exclusive=True, exit_on_error=False)
        if self.kept.reads_ahead:
            self.app.set_timer(READ_AHEAD_AFTER, self.read_ahead)
        if not self.read_only:
            self.app.set_interval(self.escalation_interval, self.escalate_due)

    def read_ahead(self) -> None:
        self.app.run_worker(self.keep_facts(), group="kpi-ahead", exit_on_error=False)

    async def keep_facts(self) -> None:
        # What goes wrong here, the KPI screen says when it opens (it asks again).
        with contextlib.suppress(StoreError):
            await self.kept.current(self.clock())

    def resync(self) -> None:
        """Read the whole queue again (someone else was faster): show what is true now."""
        self.app.run_worker(self.read_again(), group="resync", exclusive=True, exit_on_error=False)

    async def read_again(self) -> None:
        queue = await self.backend.open()
        if self.model.is_older_than(queue):
            self.replace(queue)

    def replace(self, queue: Queue) -> None:
        """Take a whole queue afresh, with the SLA targets of its directory."""
        self.model.now = self.clock()
        book = sla_book(queue.directory, self.config.sla_overrides())
        cadence = cadence_book(queue.directory, self.config.update_overrides())
        self.model.replace(queue, book, cadence)
        self.updated = self.clock()
        self.tell(QueueReplaced())

    async def follow(self) -> None:
        updates = self.backend.follow(self.model.revision, self.follow_interval)
        async for update in updates:
            self.take(update)

    def take(self, update: Update) -> None:
        if update.link is not None and update.link != self.link:
            self.link = update.link
            if update.link is Link.OFFLINE:
                self.app.notify(
                    "The server cannot be reached; actions will wait.", severity="error"
                )
            elif update.link is Link.ONLINE:
                self.app.notify("Back online.")
            self.tell(LinkChanged(update.link))
        for notice in update.notices:
            self.app.notify(notice, severity="error", timeout=20)
        self.updated = self.clock()
        if update.queue is not None:
            self.replace(update.queue)
            return
        new = self.model.fold(update.changes)
        if new:
            self.changed(new, flash=True)
            self.alert(new)
        else:
            self.tell(IncidentsChanged())  # nothing new: the header's time and outbox still move

    def fold(self, changes: list[Change]) -> None:
        """My own action's changes, as the backend recorded them: shown at once, unflashed
        (the follower skips them later, having seen their revisions)."""
        if self.model.bridges(changes):
            self.model.fold(changes)
            self.changed(changes, flash=False)

    def tell_outbox(self) -> None:
        """An action went to the outbox: the header's count of what waits there moves."""
        self.tell(IncidentsChanged())

    def changed(self, changes: list[Change], *, flash: bool) -> None:
        ids = {change.event.incident for change in changes}
        self.kept.changed(ids)
        self.tell(IncidentsChanged(ids, set(ids) if flash else set()))

    def alert(self, changes: list[Change]) -> None:
        """A toast and the bell for a new SEV1/SEV2 (unless quiet: its service is in
        maintenance), or anything escalated, woken or handed to me."""
        ring = False
        for change in changes:
            event = change.event
            if event.by is not None and event.by == self.me:
                continue
            incident = self.model.incidents.get(event.incident)
            title = "(title hidden)" if self.redact or incident is None else scrub(incident.title)
            if isinstance(event, e.Triggered) and event.severity <= 2 and not event.quiet:
                self.app.notify(
                    f"{event.incident} {title}",
                    title=f"New SEV{event.severity}",
                    severity="error",
                    timeout=10,
                )
                ring = True
            elif (
                isinstance(event, e.Escalated | e.Reopened | e.Woken) and event.assignee == self.me
            ):
                self.app.notify(
                    f"{event.incident} {title}", title="Paged to you", severity="warning"
                )
                ring = True
            elif isinstance(event, e.HandedOff) and event.to == self.me:
                self.app.notify(
                    f"{event.incident} {title}",
                    title=f"Handed to you by {event.by}",
                    severity="warning",
                )
                ring = True
        if ring:
            self.ring()

    def ring(self) -> None:
        if self.config.bell:
            self.bells_rung += 1
            self.app.bell()

    # -- the clock -----------------------------------------------------------------------------

    def tick(self) -> None:
        before, now = self.model.now, self.clock()
        self.model.now = now
        self.updates_fell_due(before, now)
        self.tell(ClockTicked())

    def updates_fell_due(self, before: datetime, now: datetime) -> None:
        """A toast and the bell for each of my incidents whose customer update fell due since
        the last tick."""
        model, rang = self.model, False
        for incident_id, owed in model.customers.items():
            if owed is None or owed.owed is not Owed.UPDATE or not before < owed.due_at <= now:
                continue
            incident = model.incidents[incident_id]
            if incident.assignee != self.me or not incident.is_open:
                continue
            customer = "(hidden)" if self.redact else scrub(incident.customer)
            self.app.notify(
                f"{incident_id}: {customer} is owed an update now.",
                title="Customer update due",
                severity="warning",
                markup=False,
            )
            rang = True
        if rang:
            self.ring()

    async def escalate_due(self) -> None:
        admin = self.backend.admin
        if admin is None:
            return
        try:
            await admin.escalate_due()
        except StoreError as error:
            self.app.notify(str(error), severity="error")
