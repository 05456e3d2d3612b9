"""What every backend does, asked through the `Backend` protocol only: the faces rely on
nothing else. The cases run over the incident service on each store, over the team server,
and over a backend that can do less than the rules allow (the console's and CLI's stand-in
for a platform that lacks an action)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from esctui.backends.base import Backend
from esctui.backends.http.backend import HttpBackend
from esctui.backends.local import LocalBackend, open_local
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain.actions import EVERY_ACTION, Action, allowed
from esctui.domain.errors import DomainError, NotFound, VersionConflict
from esctui.domain.models import Incident, Status
from esctui.server.app import ServerSettings
from esctui.stores.journal import create_store
from served_store import journal_store
from server.conftest import run_in_thread

NO_RESOLVE = EVERY_ACTION - {Action.RESOLVE}
KINDS = ["journal", "postgres", "server", "no-resolve"]


@pytest.fixture(params=KINDS)
def backend_kind(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A factory of backends of one kind over one demo store (a new backend per call, as
    another process would open one)."""
    path = tmp_path / "store"
    directory, events = build_demo(30, seed=4, now=datetime.now(UTC))
    create_store(path, directory, events)
    if request.param == "journal":
        yield lambda: open_local(str(path))
    elif request.param == "no-resolve":
        yield lambda: limited(open_local(str(path)), NO_RESOLVE)
    elif request.param == "postgres":
        from esctui.stores.transfer import import_journal

        url = request.getfixturevalue("database")
        asyncio.run(import_journal(path, url))
        yield lambda: open_local(url)
    else:
        settings = ServerSettings(poll_every=0.05, escalate_every=3600, heartbeat=0.5)
        running = next(iter_server := run_in_thread(journal_store(path), settings, tmp_path))
        yield lambda: HttpBackend(running.url, running.tokens["frank"], backoff=0.05,
                                  outbox=tmp_path / "outbox.jsonl")  # fmt: skip
        with contextlib.suppress(StopIteration):
            next(iter_server)


def limited(backend: LocalBackend, capabilities: frozenset[Action]) -> LocalBackend:
    return LocalBackend(backend.store, clock=backend.service.clock, capabilities=capabilities)


@contextlib.asynccontextmanager
async def opened(make: Any) -> AsyncIterator[Backend]:
    backend: Backend = make()
    try:
        yield backend
    finally:
        await backend.close()


def one(queue_incidents: dict[str, Incident], status: Status) -> Incident:
    return min(
        (i for i in queue_incidents.values() if i.status is status and i.assignee != "frank"),
        key=lambda i: i.id,
    )


def test_offered_is_what_the_rules_allow_and_the_backend_can_do(backend_kind: Any) -> None:
    async def scenario() -> list[tuple[frozenset[Action], frozenset[Action], frozenset[Action]]]:
        async with opened(backend_kind) as backend:
            queue = await backend.open()
            return [
                (backend.offered(i), allowed(i), backend.capabilities)
                for i in queue.incidents.values()
            ]

    seen = asyncio.run(scenario())
    assert seen
    for offered, rules, capabilities in seen:
        assert offered == rules & capabilities


def test_an_action_is_recorded_followed_and_answered_once_per_key(backend_kind: Any) -> None:
    async def scenario() -> Any:
        async with opened(backend_kind) as backend, opened(backend_kind) as watcher:
            queue = await watcher.open()
            updates = watcher.follow(queue.revision, interval=0.05)
            first = asyncio.ensure_future(anext(updates))
            await backend.open()
            target = one(queue.incidents, Status.TRIGGERED)
            command = c.AddNote(incident=target.id, text="looking")
            done = await backend.execute(
                command, actor="frank", expected_version=target.version, request_key="k-1"
            )
            again = await backend.execute(command, actor="frank", request_key="k-1")
            update = await asyncio.wait_for(first, 10)
            history = await backend.history(target.id)
            return target, done, again, update, history

    target, done, again, update, history = asyncio.run(scenario())
    assert done.incident.version == target.version + 1
    assert again.changes == done.changes
    assert [change.event for change in update.changes][-1:] == [done.changes[-1].event]
    assert [type(e).__name__ for e in history.timeline].count("NoteAdded") == target.notes + 1


def test_refusals_are_typed(backend_kind: Any) -> None:
    async def scenario() -> list[type[Exception] | str]:
        found: list[type[Exception] | str] = []
        async with opened(backend_kind) as backend:
            queue = await backend.open()
            target = one(queue.incidents, Status.TRIGGERED)
            for attempt in (
                backend.history("INC-9999999"),
                backend.execute(c.Acknowledge(incident="INC-9999999"), actor="frank"),
                backend.execute(
                    c.AddNote(incident=target.id, text="late"),
                    actor="frank",
                    expected_version=target.version - 1,
                ),
            ):
                try:
                    await attempt
                except (NotFound, VersionConflict, DomainError) as refused:
                    found.append(type(refused))
            held = one(queue.incidents, Status.ACKNOWLEDGED)
            expected = (
                "resolved"
                if Action.RESOLVE in backend.capabilities
                else backend.unavailable(Action.RESOLVE)
            )
            try:
                await backend.execute(c.Resolve(incident=held.id), actor="frank")
                found.append("resolved")
            except DomainError as refused:
                found.append(str(refused))
            found.append(expected)
            return found

    history, ack, stale, resolve, expected = asyncio.run(scenario())
    assert history is NotFound and ack is NotFound
    assert stale is VersionConflict
    assert resolve == expected
