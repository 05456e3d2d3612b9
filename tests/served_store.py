"""The store a test's team server serves, of either kind (a journal directory, a PostgreSQL
database), and what a test does to it as another process would: make tokens, read it afresh,
act on it, revoke a token. All of it goes through the incident service and the store's own
TokenStore, so one test says the same of both kinds.

A database gets the journal demo store moved in as `esctui db import` moves it, so the two
kinds hold the same incidents, ids, versions and revisions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from esctui.backends.local import LocalBackend, open_local
from esctui.domain.commands import AnyCommand
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.service.incidents import Clock
from esctui.stores.journal import create_store
from esctui.stores.records import Change, Queue, TokenRecord

T = TypeVar("T")

STORES = ["journal", "postgres"]


def apart(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`work()` run to its end in an event loop of its own: here, or in a thread of its own
    when a loop runs here already (a scenario that looks at the store midway)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work()).result()


@dataclass(frozen=True)
class ServedStore:
    kind: str  # "journal" or "postgres"
    where: str  # what `--store` takes: the directory, or the database's URL

    @property
    def path(self) -> Path:
        """The journal store's directory, for the tests of its files."""
        assert self.kind == "journal", "only a journal store has files to look at"
        return Path(self.where)

    def serve_command(self) -> list[str]:
        """`esctui serve` over this store (the arguments after `-m esctui`)."""
        if self.kind == "postgres":
            return ["serve", "--database", self.where]
        return ["--store", self.where, "serve"]

    def using(
        self, work: Callable[[LocalBackend], Awaitable[T]], *, clock: Clock | None = None
    ) -> T:
        """`work` on the incident service over this store, opened (and closed) as another
        process would."""

        async def body() -> T:
            backend = open_local(self.where, clock=clock)
            try:
                return await work(backend)
            finally:
                await backend.close()

        return apart(body)

    def look(self) -> Look:
        """What the store holds now."""
        return Look(self, self.using(lambda backend: backend.open()))

    def timeline(self, incident_id: str) -> list[AnyEvent]:
        async def read(backend: LocalBackend) -> list[AnyEvent]:
            await backend.open()  # before anything else, as every backend asks
            return (await backend.history(incident_id)).timeline

        return self.using(read)

    def execute(
        self,
        command: AnyCommand,
        actor: str | None,
        *,
        key: str | None = None,
        clock: Clock | None = None,
    ) -> list[Change]:
        """What `command` recorded as `actor`, after recording the escalations due, as a CLI
        on the store does."""

        async def act(backend: LocalBackend) -> list[Change]:
            await backend.open()
            await backend.admin.escalate_due()
            recorded = await backend.execute(command, actor=actor, request_key=key)
            return recorded.changes

        return self.using(act, clock=clock)

    def make_tokens(self) -> dict[str, str]:
        """Tokens for frank and alice, and an administrator's token (ivan's) under "admin"."""

        async def make(backend: LocalBackend) -> dict[str, str]:
            await backend.open()
            now = datetime.now(UTC)
            tokens = {
                name: (await backend.tokens.create(name, now))[0] for name in ("frank", "alice")
            }
            tokens["admin"] = (await backend.tokens.create("ivan", now, admin=True))[0]
            return tokens

        return self.using(make)

    def revoke(self, who: str) -> list[TokenRecord]:
        async def revoke(backend: LocalBackend) -> list[TokenRecord]:
            await backend.open()
            return await backend.tokens.revoke(who, datetime.now(UTC))

        return self.using(revoke)


class Look:
    """The store as read at one revision: its directory and incidents, and timelines."""

    def __init__(self, store: ServedStore, queue: Queue) -> None:
        self.store = store
        self.queue = queue
        self.directory = queue.directory
        self.incidents: dict[str, Incident] = queue.incidents
        self.revision = queue.revision

    def timeline(self, incident_id: str) -> list[AnyEvent]:
        return self.store.timeline(incident_id)


def journal_store(path: Path) -> ServedStore:
    return ServedStore("journal", str(path))


def new_store(kind: str, directory: Directory, *, path: Path, url: str | None) -> ServedStore:
    """A new store of `kind` holding `directory` and no incident: a journal store at `path`,
    or the empty database at `url`."""
    if kind == "postgres":
        from esctui.stores.postgres import create

        assert url is not None
        apart(lambda: create(url, directory, []))
        return ServedStore("postgres", url)
    create_store(path, directory, [])
    return journal_store(path)


def database_holding(journal: Path, url: str) -> ServedStore:
    """The empty database at `url`, holding the journal store at `journal` as `db import`
    moves it."""
    from esctui.stores.transfer import import_journal

    apart(lambda: import_journal(journal, url))
    return ServedStore("postgres", url)
