"""Who and what the incidents refer to: responders, rotations, policies, services, and who is
on call now."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from esctui.backends.base import StoreError
from esctui.backends.http.wire import Health, LevelOnCall, Me, OnCall, PolicyOnCall
from esctui.domain.models import (
    Directory,
    EscalationPolicy,
    Responder,
    Rotation,
    Service,
    check_year,
)
from esctui.domain.oncall import policy_on_call
from esctui.server.auth import caller, token_of
from esctui.server.context import ServerContext
from esctui.server.problems import Problem, problems


@get(
    "/healthz",
    summary="Whether the server is up and can let anyone in, the store's revision, and the "
    "work this process leads",
    responses=problems(503),
)
async def health(server: NamedDependency[ServerContext]) -> Health:
    """503 when no token can be checked (the tokens file is damaged or cannot be read)."""
    try:
        await server.tokens.records()
    except StoreError as broken:
        raise Problem(503, f"The server lets nobody in: {broken}") from None
    return Health(status="ok", revision=server.mirror.revision, leads=sorted(server.leading))


@get("/v1/me", summary="The responder the token belongs to")
async def me(server: NamedDependency[ServerContext], request: Request[Any, Any, Any]) -> Me:
    name = caller(request)
    responder = server.mirror.directory.responder(name)
    return Me(
        responder=name,
        token=token_of(request).id,
        full_name=responder.full_name if responder else "",
        admin=token_of(request).admin,
    )


@get("/v1/directory", summary="The whole directory in force")
async def directory(server: NamedDependency[ServerContext]) -> Directory:
    return server.mirror.directory


@get("/v1/responders", summary="The responders")
async def responders(server: NamedDependency[ServerContext]) -> list[Responder]:
    return list(server.mirror.directory.responders)


@get("/v1/rotations", summary="The on-call rotations")
async def rotations(server: NamedDependency[ServerContext]) -> list[Rotation]:
    return list(server.mirror.directory.rotations)


@get("/v1/policies", summary="The escalation policies")
async def policies(server: NamedDependency[ServerContext]) -> list[EscalationPolicy]:
    return list(server.mirror.directory.policies)


@get("/v1/services", summary="The services")
async def services(server: NamedDependency[ServerContext]) -> list[Service]:
    return list(server.mirror.directory.services)


@get("/v1/oncall", summary="Who is on call at each level of each policy")
async def oncall(
    server: NamedDependency[ServerContext],
    at: Annotated[
        datetime | None, QueryParameter(description="ISO 8601 time with a zone; default now.")
    ] = None,
    policy: FromQuery[str | None] = None,
) -> OnCall:
    when = at or server.clock()
    if when.tzinfo is None:
        raise Problem(400, "`at` needs a time zone, like 2026-11-23T09:00:00Z.")
    try:
        check_year(when, "`at`")
    except ValueError as error:
        raise Problem(400, f"{error}.") from None
    book = server.mirror.directory
    chosen = [p for p in book.policies if policy is None or p.name == policy]
    if policy is not None and not chosen:
        raise Problem(404, f"There is no escalation policy {policy!r}.")
    return OnCall(
        at=when,
        policies=[
            PolicyOnCall(
                policy=p.name,
                levels=[
                    LevelOnCall(level=n, timeout_minutes=level.timeout_minutes, responders=names)
                    for n, (level, names) in enumerate(
                        zip(p.levels, policy_on_call(book, p, when), strict=True), 1
                    )
                ],
            )
            for p in chosen
        ],
    )


ROUTES = [health, me, directory, responders, rotations, policies, services, oncall]
