"""The live queue: opened from the backend, then followed. Others' changes are folded in and
repainted as they come, a new SEV1/SEV2 or anything paged or handed to me raises a toast and
rings the bell, the SLA countdown ticks each second, and escalations are recorded as they fall
due."""

from __future__ import annotations

from textual import work

from esctui.backends.base import Change, Link, Queue, StoreError, Update
from esctui.domain import events as e
from esctui.domain.sla import sla_book
from esctui.tui.console_part import ConsolePart
from esctui.tui.widgets.header import ConsoleHeader, ViewBar
from esctui.wording import scrub


class LiveQueue(ConsolePart):
    """Mixed into `ConsoleApp`: opening the queue and following it."""

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_queue(self) -> None:
        try:
            queue = await self.backend.open()
        except StoreError as error:
            self.failure = str(error)
            self.exit(return_code=3)
            return
        self.model.now = self.clock()
        self.show_queue(queue)
        self.updated = self.clock()
        if self.model.me is not None and queue.directory.responder(self.me) is None:
            known = ", ".join(queue.directory.responder_names()) or "none"
            self.notify(
                f"{self.me!r} is not a responder in this store, so actions will be refused. "
                f"Start with --as NAME (known: {known}).",
                severity="warning",
                timeout=15,
            )
        self.set_interval(1.0, self.tick)
        self.follow()
        if not self.options.read_only:
            self.set_interval(self.options.escalation_interval, self.escalate_due)

    @work(exclusive=True, group="resync", exit_on_error=False)
    async def resync(self) -> None:
        queue = await self.backend.open()
        if self.model.is_older_than(queue):
            self.show_queue(queue)

    def show_queue(self, queue: Queue) -> None:
        """Draw a whole queue afresh, with the SLA targets of its directory."""
        book = sla_book(queue.directory, self.options.config.sla_overrides())
        self.model.replace(queue, book)
        self.table.reload()
        self.show_selected()
        self.refresh_header()
        self.refresh_bindings()

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def follow(self) -> None:
        updates = self.backend.follow(self.model.revision, self.options.follow_interval)
        async for update in updates:
            self.take(update)

    def take(self, update: Update) -> None:
        if not self.query("#queue"):  # quitting: the screen is already gone
            return
        if update.link is not None and update.link != self.link:
            self.link = update.link
            if update.link is Link.OFFLINE:
                self.notify("The server cannot be reached; actions will wait.", severity="error")
            elif update.link is Link.ONLINE:
                self.notify("Back online.")
                self.show_selected()
        for notice in update.notices:
            self.notify(notice, severity="error", timeout=20)
        if update.queue is not None:
            self.show_queue(update.queue)
        else:
            new = self.model.fold(update.changes)
            if new:
                self.after_changes(new, flash=True)
                self.alert(new)
        self.updated = self.clock()
        self.forget_sent()
        self.refresh_header()

    def after_changes(self, changes: list[Change], *, flash: bool) -> None:
        ids = list(dict.fromkeys(change.event.incident for change in changes))
        before = list(self.model.rows)
        if self.model.rearrange(ids):
            self.table.reordered(before)
        self.table.incidents_changed(ids, flash=flash)
        if self.table.current_id in ids:
            self.show_selected()
            self.refresh_bindings()  # what applies to it may have changed
        self.refresh_header()

    def alert(self, changes: list[Change]) -> None:
        """A toast and the bell for a new SEV1/SEV2, or anything escalated or handed to me."""
        ring = False
        for change in changes:
            event = change.event
            if event.by is not None and event.by == self.me:
                continue
            incident = self.model.incidents.get(event.incident)
            title = "(title hidden)" if self.redact or incident is None else scrub(incident.title)
            if isinstance(event, e.Triggered) and event.severity <= 2:
                self.notify(
                    f"{event.incident} {title}",
                    title=f"New SEV{event.severity}",
                    severity="error",
                    timeout=10,
                )
                ring = True
            elif isinstance(event, e.Escalated | e.Reopened) and event.assignee == self.me:
                self.notify(f"{event.incident} {title}", title="Paged to you", severity="warning")
                ring = True
            elif isinstance(event, e.HandedOff) and event.to == self.me:
                self.notify(
                    f"{event.incident} {title}",
                    title=f"Handed to you by {event.by}",
                    severity="warning",
                )
                ring = True
        if ring and self.options.config.bell:
            self.bells_rung += 1
            self.bell()

    def tick(self) -> None:
        if not self.query("#queue") or not self.query("#header"):
            return  # the last tick can fire while the screen is torn down, part by part
        self.model.now = self.clock()
        before = self.model.rows
        if self.model.tick(self.model.now) and self.model.arrange() != before:
            self.table.reordered(before)
        self.table.tick()
        self.forget_sent()
        self.refresh_header()

    async def escalate_due(self) -> None:
        admin = self.backend.admin
        if admin is None:
            return
        try:
            await admin.escalate_due()
        except StoreError as error:
            self.notify(str(error), severity="error")

    def refresh_header(self) -> None:
        self.query_one("#header", ConsoleHeader).show(
            self.model,
            me=self.me,
            kind=self.backend.kind,
            location=self.backend.location,
            link=self.link,
            updated=self.updated,
            read_only=self.options.read_only,
            queued=self.backend.waiting,
        )
        self.query_one("#views", ViewBar).show(self.model)
