"""The team server's ASGI application over a backend: the routes, the token check, the error
format, and what it runs beside the requests (following the backend into the event streams,
auto-escalation where this process leads it, ending revoked tokens' streams)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from esctui import __version__
from esctui.backends.base import Backend, Queue, StoreError
from esctui.backends.integrations import Intake, quiet_after_maintenance
from esctui.domain.models import Directory
from esctui.server import admin, directory, events, incidents, integration_admin, monitoring
from esctui.server.auth import TokenAuthentication, Tokens
from esctui.server.context import ServerContext
from esctui.server.hub import DEFAULT_BUFFER
from esctui.server.leading import Led
from esctui.server.mirror import Mirror
from esctui.server.problems import EXCEPTION_HANDLERS

log = logging.getLogger("esctui.server")

# Request bodies beyond this are refused (413): the longest note fits with room to spare.
MAX_BODY = 64 * 1024
RECALL_WAIT = 5.0  # seconds the store may take to give back its newest changes at start-up


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
    # How often the tokens of open event streams are checked (a revoked one's stream ends).
    token_check_every: float = 1.0
    # How often heartbeats are checked for a missed beat, and a storm's repeats recorded.
    intake_every: float = 5.0
    # How long the repeats of an alert (a storm) are counted before they make a line.
    repeats_every: float = 60.0


# Big answers go gzipped to clients that take it (httpx, curl --compressed, browsers): the
# whole queue of 10,000 incidents is 7.1 MB of JSON, 0.94 MB at level 1, compressed in 26 ms
# (9 would take several times as long for a little less); a month of timelines is 18.4 MB,
# 2.5 MB in 65 ms. Answers smaller than a few KB gain nothing. The event stream is left as it
# is: each event is small, and goes out the moment it happens.
COMPRESSION = CompressionConfig(
    backend="gzip", gzip_compress_level=1, minimum_size=4096, exclude="^/v1/events"
)


def create_app(
    backend: Backend,
    tokens: Tokens,
    settings: ServerSettings | None = None,
    intake: Intake | None = None,
    *,
    also: Sequence[Callable[[set[str]], Coroutine[Any, Any, None]]] = (),
) -> Litestar:
    """The server over `backend`, letting in `tokens`, and monitoring's notifications through
    `intake` (none without it). The backend is opened as the server starts, in the server's
    own event loop; the work in `also` (the page sender) runs in it for as long as the server
    does, given the set of work this process leads to note its own in (`/healthz`)."""
    settings = settings or ServerSettings()
    mirror = Mirror(Queue(directory=Directory(), incidents={}, revision=0))
    context = ServerContext(
        backend,
        tokens,
        mirror,
        buffer=settings.buffer,
        heartbeat=settings.heartbeat,
        intake=intake,
    )

    @contextlib.asynccontextmanager
    async def beside(app: Litestar) -> AsyncIterator[None]:
        mirror.replace(await backend.open())
        await recall(context)
        tasks = [
            asyncio.create_task(follow(context, settings.poll_every)),
            asyncio.create_task(repeat(settings.token_check_every, context.end_revoked_streams)),
        ]
        if context.admin is not None:
            escalation = Led("escalation", settings.escalate_every, context.admin.escalate_due)
            tick = functools.partial(escalation.tick, context.admin, context.leading)
            tasks.append(asyncio.create_task(repeat(escalation.ask_every, tick)))
        if context.intake is not None:
            take = functools.partial(take_in, context)
            tasks.append(asyncio.create_task(repeat(settings.intake_every, take)))
        tasks += [asyncio.create_task(work(context.leading)) for work in also]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await backend.close()

    return Litestar(
        route_handlers=[
            *directory.ROUTES,
            *incidents.ROUTE_HANDLERS,
            *events.ROUTES,
            *admin.ROUTES,
            *monitoring.ROUTES,
            *integration_admin.ROUTES,
        ],
        # For the uvicorn server: event streams never end on their own, so shutting down
        # ends them first (see `running.Server`).
        state=State({"end_streams": context.hub.close}),
        dependencies={"server": Provide(lambda: context, sync_to_thread=False)},
        middleware=[DefineMiddleware(TokenAuthentication, tokens=tokens)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[beside],
        request_max_body_size=settings.max_body,
        compression_config=COMPRESSION,
        openapi_config=OpenAPIConfig(
            title="esctui team server",
            version=__version__,
            description="One esctui store shared by many responders. Every request needs "
            "`Authorization: Bearer TOKEN`; every action on an incident needs `If-Match`.",
            security=[{"bearer": []}],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                    "integration": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An integration's key (`esctui integration create`): "
                        "Alertmanager's as a bearer token, the Events API's as `routing_key`, "
                        "a heartbeat's in its path.",
                    ),
                }
            ),
        ),
    )


async def follow(context: ServerContext, interval: float) -> None:
    """Everything the backend records (by this server, other servers over the same database,
    CLIs and consoles on the store) into the mirror and out to every stream. A backend that
    fails is followed again a moment later, from where the mirror is."""
    pause = 0.1
    while True:
        try:
            async for update in context.backend.follow(context.mirror.revision, interval):
                context.take(update)
                pause = 0.1
        except StoreError as error:
            log.error("following the store: %s", error)
        except Exception:
            log.exception("following the store failed; it will be followed again")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 5.0)


async def recall(context: ServerContext) -> None:
    """The newest changes the queue already holds, read back from the store into the mirror
    (see `Mirror.remember`); a store that cannot give them (it was compacted since) or is slow
    to leaves streams that resume from before this server started to resync, as before."""
    mirror = context.mirror
    upto = mirror.revision
    after = max(0, upto - (mirror.recent.maxlen or 0))
    if after >= upto:
        return
    stream = context.backend.follow(after, 0.05)
    try:
        async with asyncio.timeout(RECALL_WAIT):
            async for update in stream:
                if update.queue is not None:
                    break
                mirror.remember(update.changes)
                if mirror.recent and mirror.recent[-1].revision >= upto:
                    break
    except (TimeoutError, StoreError) as error:
        log.info("streams resuming from before this server started will resync: %s", error)
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


async def repeat(every: float, work: Callable[[], Awaitable[object]]) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await work()
        except StoreError as error:
            log.error("%s", error)
        except Exception:
            log.exception("a server timer failed; it will run again")


async def take_in(context: ServerContext) -> None:
    """A storm's repeats into their incidents' timelines, in every process (each counts its
    own); missed heartbeats into incidents, and quiet incidents whose maintenance is over
    woken, by the process that leads escalation."""
    assert context.intake is not None
    received = await context.intake.flush_repeats()
    if await context.intake.leads():
        received += await context.intake.check_heartbeats()
        over = quiet_after_maintenance(context.mirror.queue, context.clock())
        if over:
            received += await context.intake.wake(over)
    for done in received:
        if done.recorded is not None:
            context.took(done.recorded)
