"""A page sender at work over a real journal store, in the test's own event loop, with a clock
the test moves: acting on the store as responders would, and waiting for what the receivers
get."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from esctui.backends.local import LocalBackend, open_local
from esctui.domain import commands as c
from esctui.domain.events import AnyEvent
from esctui.domain.models import (
    ContactMethod,
    Directory,
    EscalationLevel,
    EscalationPolicy,
    PagingDefaults,
    QuietHours,
    Responder,
    Service,
    Target,
)
from esctui.notify.apprise_sender import AppriseSender
from esctui.service.paging import Pager, PagingSettings
from esctui.stores.journal import create_store
from esctui.stores.page_records import PageState

T = TypeVar("T")

# 03:00 UTC on a Monday: inside Berlin's quiet hours below (04:00 there).
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PATIENCE = 20.0
FAST = PagingSettings(
    look_every=0.05, follow_every=0.02, lead_every=0.2, first_retry=0.2, longest_retry=1.0,
    tries=4, send_timeout=1.0,
)  # fmt: skip


class Clock:
    """The time the store, the rules and the sender see: it runs from `start` as real time
    does (retries fall due), and the test moves it on (timeouts, delays, the morning)."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.began = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)

    def advance(self, **delta: float) -> None:
        self.start += timedelta(**delta)


def team(contact: dict[str, tuple[ContactMethod, ...]], **paging: Any) -> Directory:
    """`checkout` pages alice at level 1 and bob at level 2 (10 minutes each; an
    acknowledgement lasts 30), `search` pages carol; each responder has the contact methods
    `contact` gives them. Quiet hours 22:00 to 07:00 in Berlin."""
    people = ("alice", "bob", "carol")
    return Directory(
        responders=tuple(Responder(name, contact=contact.get(name, ())) for name in people),
        policies=(
            EscalationPolicy(
                name="web",
                levels=(
                    EscalationLevel(targets=(Target("responder", "alice"),), timeout_minutes=10),
                    EscalationLevel(targets=(Target("responder", "bob"),), timeout_minutes=10),
                ),
                acknowledge_timeout_minutes=30,
            ),
            EscalationPolicy(
                name="search",
                levels=(EscalationLevel(targets=(Target("responder", "carol"),)),),
            ),
        ),
        services=(Service(name="checkout", policy="web"), Service(name="search", policy="search")),
        paging=PagingDefaults(
            time_zone="Europe/Berlin", quiet_hours=QuietHours(start="22:00", end="07:00"), **paging
        ),
    )


class Sending:
    """A store at `path` and the sender over it."""

    def __init__(self, path: Path, clock: Clock, settings: PagingSettings = FAST) -> None:
        self.path = path
        self.clock = clock
        self.backend: LocalBackend = open_local(str(path), clock=clock)
        self.notifier = AppriseSender()
        self.pager: Pager = self.backend.paging.sender(self.notifier, settings)
        self.task: asyncio.Task[None] | None = None

    async def act(self, command: c.AnyCommand, actor: str | None = "carol") -> list[AnyEvent]:
        """`command` as `actor`, recorded by another backend on the store (as a CLI would)."""
        other = open_local(str(self.path), clock=self.clock)
        try:
            await other.admin.escalate_due()
            recorded = await other.execute(command, actor=actor)
            return [change.event for change in recorded.changes]
        finally:
            await other.close()

    async def trigger(
        self,
        severity: int = 1,
        title: str = "checkout down",
        service: str = "checkout",
        customer: str = "",
    ) -> str:
        """A new incident, from monitoring (nobody's own doing)."""
        command = c.Trigger(title=title, service=service, severity=severity, customer=customer)
        events = await self.act(command, None)
        return events[0].incident

    async def escalate_due(self) -> None:
        other = open_local(str(self.path), clock=self.clock)
        try:
            await other.admin.escalate_due()
        finally:
            await other.close()

    async def timeline(self, incident: str) -> list[AnyEvent]:
        """The incident's timeline as another process reads it now."""
        other = open_local(str(self.path), clock=self.clock)
        try:
            await other.open()
            return (await other.history(incident)).timeline
        finally:
            await other.close()

    async def pages(self) -> list[PageState]:
        return await self.backend.paging.pages(NOW - timedelta(days=1))


@contextlib.asynccontextmanager
async def sending(
    tmp_path: Path, directory: Directory, clock: Clock | None = None, **settings: Any
) -> AsyncIterator[Sending]:
    """A new store holding `directory`, and its sender running."""
    clock = clock or Clock()
    path = tmp_path / "store"
    create_store(path, directory, [], now=clock())
    chosen = PagingSettings(**{**FAST.__dict__, **settings}) if settings else FAST
    sender = Sending(path, clock, chosen)
    sender.task = asyncio.create_task(sender.pager.run())
    try:
        await until(lambda: sender.pager.ready.is_set(), "the sender ready")
        yield sender
    finally:
        sender.task.cancel()
        done, _ = await asyncio.wait([sender.task], timeout=10)
        assert done, "the sender did not stop when cancelled"
        await sender.notifier.close()
        await sender.backend.close()


async def until(check: Callable[[], Any], what: str, patience: float = PATIENCE) -> Any:
    """Wait (polling) until `check()` is truthy, and return it; fail naming `what`."""
    deadline = time.monotonic() + patience
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.02)


def run(scenario: Any) -> Any:
    return asyncio.run(asyncio.wait_for(scenario, PATIENCE * 3))
