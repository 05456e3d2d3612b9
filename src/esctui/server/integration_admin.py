"""Integrations and maintenance windows through the server: making, listing and revoking
integrations, and starting and ending maintenance, for administrators' tokens only; the windows
in force, for anyone's."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from esctui.backends.base import StoreError
from esctui.backends.http.wire import IntegrationBody, IntegrationMade, MaintenanceBody
from esctui.backends.integrations import Integration, Integrations
from esctui.domain.errors import DomainError, NotFound
from esctui.server.admin import administration, require_admin
from esctui.server.auth import caller
from esctui.server.context import ServerContext
from esctui.server.problems import Problem, problems
from esctui.stores.records import MaintenanceWindow

T = TypeVar("T")


def integrations_of(server: ServerContext) -> Integrations:
    try:
        return administration(server).integrations
    except DomainError as refusal:
        raise Problem(405, str(refusal)) from None


async def done(change: Awaitable[T]) -> T:
    """`change`'s outcome: 404 for what is not there, 409 for what the rules refuse, 503 when
    the store cannot be written."""
    try:
        return await change
    except NotFound as missing:
        raise Problem(404, str(missing)) from None
    except DomainError as refusal:
        raise Problem(409, str(refusal)) from None
    except StoreError as failure:
        raise Problem(503, str(failure)) from None


@get(
    "/v1/store/integrations",
    summary="Every integration made, revoked ones included (never a key)",
    responses=problems(401, 403, 503),
)
async def list_integrations(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any]
) -> list[Integration]:
    require_admin(request, "Listing the integrations")
    return await done(integrations_of(server).integrations())


@post(
    "/v1/store/integrations",
    status_code=201,
    summary="Make an integration: its key is in the answer, this once",
    responses=problems(401, 403, 409, 422, 503),
)
async def create_integration(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    data: JSONBody[IntegrationBody],
) -> IntegrationMade:
    require_admin(request, "Making an integration")
    made = integrations_of(server).create_integration(
        data.name, data.kind, data.service, data.settings
    )
    key, integration = await done(made)
    return IntegrationMade(key=key, integration=integration)


@delete(
    "/v1/store/integrations/{name:str}",
    status_code=200,
    summary="Revoke an integration: its key lets nothing in from now on",
    responses=problems(401, 403, 404, 503),
)
async def revoke_integration(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any], name: FromPath[str]
) -> Integration:
    require_admin(request, "Revoking an integration")
    return await done(integrations_of(server).revoke_integration(name))


@get(
    "/v1/maintenance",
    summary="The services in maintenance now, and until when",
    responses=problems(401, 503),
)
async def maintenance(server: NamedDependency[ServerContext]) -> list[MaintenanceWindow]:
    return await done(integrations_of(server).maintenance())


@post(
    "/v1/maintenance",
    status_code=201,
    summary="Put a service in maintenance: its alerts open quiet incidents",
    responses=problems(401, 403, 409, 422, 503),
)
async def start_maintenance(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    data: JSONBody[MaintenanceBody],
) -> MaintenanceWindow:
    require_admin(request, "Starting a maintenance")
    length = timedelta(seconds=data.seconds)
    start = integrations_of(server).start_maintenance(
        data.service, length, data.reason, caller(request)
    )
    return kept(server, await done(start))


@delete(
    "/v1/maintenance/{service:str}",
    status_code=200,
    summary="End a service's maintenance now",
    responses=problems(401, 403, 404, 503),
)
async def end_maintenance(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any], service: FromPath[str]
) -> MaintenanceWindow:
    require_admin(request, "Ending a maintenance")
    return kept(server, await done(integrations_of(server).end_maintenance(service)))


def kept(server: ServerContext, window: MaintenanceWindow) -> MaintenanceWindow:
    """`window` in the queue the server answers with at once (its followers read it again
    within a second: a window is no event)."""
    queue = server.mirror.queue
    queue.maintenance = {**queue.maintenance, window.service: window}
    return window


ROUTES = [
    list_integrations,
    create_integration,
    revoke_integration,
    maintenance,
    start_maintenance,
    end_maintenance,
]
