"""The team server's ASGI application: the routes, the token check, the error format, and the
two timers it owns (taking in what other processes wrote to the store, and auto-escalation)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from esctui import __version__
from esctui.backends.base import StoreError
from esctui.backends.journal import JournalBackend
from esctui.backends.journal.backend import offload
from esctui.backends.journal.tokens import TokenBook
from esctui.server import admin, directory, events, incidents
from esctui.server.auth import TokenAuthentication
from esctui.server.context import ServerContext
from esctui.server.hub import DEFAULT_BUFFER
from esctui.server.problems import EXCEPTION_HANDLERS

log = logging.getLogger("esctui.server")

# Request bodies beyond this are refused (413): the longest note fits with room to spare.
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """How often the server looks for what others wrote, escalates, and says it is alive."""

    poll_every: float = 0.25
    escalate_every: float = 15.0
    # How long a write waits for another process's lock on the store before it is refused
    # (503): well inside a client's timeout, so it hears why instead of giving up.
    lock_wait: float = 5.0
    heartbeat: float = 15.0
    buffer: int = DEFAULT_BUFFER
    max_body: int = MAX_BODY


def create_app(store_path: Path, settings: ServerSettings | None = None) -> Litestar:
    """The server over the journal store at `store_path`."""
    settings = settings or ServerSettings()
    backend = JournalBackend(store_path, lock_wait=settings.lock_wait)
    tokens = TokenBook(store_path)
    # The store is read here, so a missing or damaged store stops `serve` before it listens.
    backend.store.load()
    context = ServerContext(backend, tokens, buffer=settings.buffer, heartbeat=settings.heartbeat)

    @contextlib.asynccontextmanager
    async def timers(app: Litestar) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(repeat(settings.poll_every, take_in_others, context)),
            asyncio.create_task(repeat(settings.escalate_every, escalate, context)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await backend.close()

    return Litestar(
        route_handlers=[*directory.ROUTES, *incidents.ROUTES, *events.ROUTES, *admin.ROUTES],
        # For the uvicorn server: event streams never end on their own, so shutting down
        # ends them first (see `running.Server`).
        state=State({"end_streams": context.hub.close}),
        dependencies={"server": Provide(lambda: context, sync_to_thread=False)},
        middleware=[DefineMiddleware(TokenAuthentication, tokens=tokens)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[timers],
        request_max_body_size=settings.max_body,
        openapi_config=OpenAPIConfig(
            title="esctui team server",
            version=__version__,
            description="One esctui store shared by many responders. Every request needs "
            "`Authorization: Bearer TOKEN`; every action on an incident needs `If-Match`.",
            security=[{"bearer": []}],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
    )


async def repeat(
    every: float, work: Callable[[ServerContext], Awaitable[None]], context: ServerContext
) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await work(context)
        except StoreError as error:
            log.error("%s", error)
        except Exception:
            log.exception("a server timer failed; it will run again")


async def take_in_others(context: ServerContext) -> None:
    """What CLIs and consoles on the server's host wrote straight to the store, and the
    tokens revoked there."""
    context.end_revoked_streams()
    await offload(context.store.poll)
    context.hub.catch_up()


async def escalate(context: ServerContext) -> None:
    await context.backend.escalate_due()
    context.hub.catch_up()
