"""The stores the contract tests run against, and a few steps written with the domain's own
rules (`lifecycle.decide`) so every event a test appends is a real one.

Each store is a `Place`: it creates a store holding a directory, opens store objects on it
(each with files or connections of its own, as another process would), and gives its tokens.
A second store joins the contract tests by adding a Place to `STORES`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from esctui.domain import commands as c
from esctui.domain import lifecycle
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory
from esctui.service.ports import EventStore, TokenStore, Transaction
from esctui.stores.inline import run_inline
from esctui.stores.records import Change
from store.conftest import NOW, team

__all__ = ["NOW", "Place", "act", "alongside", "team", "trigger"]

T = TypeVar("T")


class Place(Protocol):
    now: datetime

    @property
    def where(self) -> str:
        """What `--store` takes to open it."""
        ...

    async def create(self, directory: Directory, events: list[AnyEvent]) -> None: ...

    async def open(self) -> EventStore: ...

    def tokens(self, store: EventStore) -> TokenStore: ...


@dataclass
class PostgresPlace:
    url: str
    now: datetime = NOW

    @property
    def where(self) -> str:
        return self.url

    async def create(self, directory: Directory, events: list[AnyEvent]) -> None:
        from esctui.stores.postgres import create

        await create(self.url, directory, events)

    async def open(self) -> EventStore:
        from esctui.stores.postgres import PostgresStore

        return await PostgresStore.open(self.url, clock=lambda: self.now)

    def tokens(self, store: Any) -> TokenStore:
        tokens: TokenStore = store.tokens
        return tokens


@dataclass
class JournalPlace:
    path: Path
    now: datetime = NOW

    @property
    def where(self) -> str:
        return str(self.path)

    async def create(self, directory: Directory, events: list[AnyEvent]) -> None:
        from esctui.stores.journal import create_store

        create_store(self.path, directory, events, now=self.now)

    async def open(self) -> EventStore:
        from esctui.stores.journal import JournalEvents

        return JournalEvents(self.path, clock=lambda: self.now)

    def tokens(self, store: Any) -> TokenStore:
        from esctui.stores.journal import JournalTokens

        return JournalTokens(self.path)


STORES = ["journal", "postgres"]


@pytest.fixture(params=STORES)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Place:
    """Where a new store goes, one kind per parameter."""
    if request.param == "journal":
        return JournalPlace(tmp_path / "store")
    if request.param == "postgres":
        return PostgresPlace(request.getfixturevalue("database"))
    raise AssertionError(request.param)


async def alongside(store: EventStore, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`work()` as another process would run it beside this one: a blocking store's in a
    thread of its own (its calls never suspend: they wait on files, and on other processes'
    locks)."""
    if store.blocking:
        return await asyncio.to_thread(lambda: run_inline(work()))
    return await work()


async def trigger(
    tx: Transaction,
    title: str = "disk full",
    *,
    actor: str = "alice",
    at: datetime = NOW,
    request: tuple[str, str] | None = None,
) -> list[Change]:
    """Open an incident (SEV2 on `api`), as the service does."""
    context = lifecycle.Context(tx.directory, at, actor, new_id=await tx.next_id())
    command = c.Trigger(title=title, service="api", severity=2)
    return await tx.append(lifecycle.decide(None, command, context), request)


async def act(
    tx: Transaction,
    command: Any,
    *,
    actor: str = "alice",
    at: datetime = NOW,
    request: tuple[str, str] | None = None,
) -> list[Change]:
    """`command` on its incident, held in `tx`; `DomainError` if the rules refuse it."""
    incident = await tx.incident(command.incident)
    context = lifecycle.Context(tx.directory, at, actor)
    events = lifecycle.decide(incident, command, context)
    return await tx.append(events, request)
