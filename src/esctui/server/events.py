"""`GET /v1/events`: every change to the store as Server-Sent Events.

Each event's id is the store's revision, so a client that reconnects with `Last-Event-ID` gets
exactly what it missed. A compaction or a new directory makes no revision: a client that names
the snapshot its queue came from (`?snapshot=`) and missed one is told to resync at once.

A comment line goes out as a heartbeat when nothing else does, so proxies keep the connection
and clients can tell a dead link from a quiet one. A subscriber that fell too far behind gets
one `resync` event (with the revision to reload from) and the stream ends: it reads the queue
again and reconnects from there. A stream whose token is revoked gets one `revoked` event (with
a `detail` sentence) within a second or so, and ends: the token lets nobody in any more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import Stream

from esctui.server.auth import token_of
from esctui.server.context import ServerContext, plain_number
from esctui.server.hub import HEARTBEAT, resync_frame, revoked_frame
from esctui.server.problems import Problem
from esctui.stores.records import TokenRecord


async def frames(
    server: NamedDependency[ServerContext],
    after: int,
    snapshot: str | None,
    token: TokenRecord,
) -> AsyncIterator[bytes]:
    # Subscribed once the response starts, so a client gone before that leaves nothing behind.
    subscriber = server.hub.subscribe(after, token)
    if snapshot is not None and snapshot != server.mirror.snapshot:
        subscriber.fall_behind()
    try:
        yield HEARTBEAT  # headers and a first byte at once: the client knows it is connected
        while True:
            taken = await subscriber.take(server.heartbeat)
            if subscriber.revoked:
                yield revoked_frame(subscriber.revoked)
                return
            if subscriber.closed:
                return
            if taken is None:
                yield resync_frame(server.mirror.revision)
                return
            yield b"".join(taken) if taken else HEARTBEAT
    finally:
        server.hub.unsubscribe(subscriber)


@get(
    "/v1/events",
    summary="Every change as Server-Sent Events, resumable with Last-Event-ID",
    media_type="text/event-stream",
    responses={
        200: ResponseSpec(
            data_container=str,
            media_type="text/event-stream",
            description="`event: change` frames (`id` = revision, `data` = the change as "
            "JSON), heartbeat comments, `event: resync` when the client must reload, and "
            '`event: revoked` (`data` = `{"detail": sentence}`) when the token was revoked.',
        )
    },
)
async def events(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    last_event_id: Annotated[
        str | None,
        HeaderParameter(name="Last-Event-ID", description="The last revision received."),
    ] = None,
    snapshot: Annotated[
        str | None,
        QueryParameter(
            max_length=200,
            description="The `snapshot` of the queue the client holds (from `/v1/queue`).",
        ),
    ] = None,
) -> Stream:
    if last_event_id is None or not last_event_id.strip():
        after = server.mirror.revision
    elif (given := plain_number(last_event_id.strip())) is not None:
        after = given
    else:
        raise Problem(400, f"Last-Event-ID {last_event_id[:40]!r} is not a revision.")
    return Stream(
        frames(server, after, snapshot, token_of(request)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ROUTES = [events]
