"""Changes to the whole store, for administrators' tokens only: compaction, and a new directory.

Both fold the journal into a new snapshot, so every subscriber of the event stream is told to
read the queue afresh, and every console redraws with what is in force now.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from litestar import Request, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from esctui.backends.base import Admin, StoreError
from esctui.backends.http.wire import CompactBody, Outcome
from esctui.directory_file import contact_url_problems
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory
from esctui.domain.oncall import directory_problems
from esctui.server.auth import caller, token_of
from esctui.server.context import ServerContext
from esctui.server.problems import Problem, problems


def require_admin(request: Request[Any, Any, Any], what: str) -> None:
    token = token_of(request)
    if not token.admin:
        raise Problem(
            403,
            f"{what} needs an administrator's token; {caller(request)}'s token {token.id} is "
            "not one (`esctui token create NAME --admin` on the server's host makes one).",
        )


async def change_store(server: ServerContext, change: Awaitable[str]) -> Outcome:
    """Run `change`: 409 with the store's sentence if it refuses, 503 if it cannot be done."""
    try:
        summary = await change
    except DomainError as refusal:
        raise Problem(409, str(refusal)) from None
    except StoreError as failure:
        raise Problem(503, str(failure)) from None
    # Every stream is told to read the queue again as the backend's `follow` brings it.
    return Outcome(summary=summary, revision=server.mirror.revision)


def administration(server: ServerContext) -> Admin:
    if server.admin is None:
        raise Problem(405, f"This server's {server.backend.kind} backend offers no administration.")
    return server.admin


@post(
    "/v1/store/compact",
    status_code=200,
    summary="Fold the journal into a new snapshot and archive long-resolved incidents",
    responses=problems(401, 403, 422, 503),
)
async def compact(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    data: JSONBody[CompactBody | None] = None,
) -> Outcome:
    """Administrators only. Subscribers of the event stream are told to read the queue again."""
    require_admin(request, "Compacting the store")
    body = data or CompactBody()
    keep = timedelta(seconds=body.archive_after_seconds)
    return await change_store(server, administration(server).compact(keep))


@put(
    "/v1/directory",
    status_code=200,
    summary="Put a new directory in force; every incident is kept",
    responses=problems(401, 403, 409, 422, 503),
)
async def replace_directory(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    data: JSONBody[Directory],
) -> Outcome:
    """Administrators only. Refused (409) if an open incident's service would vanish."""
    require_admin(request, "Changing the directory")
    found = directory_problems(data) + contact_url_problems(data)
    if found:
        raise Problem(422, "The directory has problems: " + "; ".join(found) + ".")
    return await change_store(server, administration(server).replace_directory(data))


ROUTES = [compact, replace_directory]
