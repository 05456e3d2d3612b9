"""The incidents: list, read, trigger, and every action on one, each guarded by `If-Match`.

The action routes are made from the one table of actions (`backends/http/routes.py`), which
the HTTP backend's requests are made from too.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from esctui.backends.http.routes import ROUTES, Route, TriggerBody
from esctui.backends.http.wire import HistoryOut, IncidentDetail, IncidentPage, QueueOut
from esctui.domain import commands as c
from esctui.domain.alerts import label_pair
from esctui.domain.cadence import cadence_book
from esctui.domain.errors import NotFound
from esctui.domain.events import communications
from esctui.domain.models import Incident, Status
from esctui.domain.paging import page_log
from esctui.domain.sla import sla_book
from esctui.listing import Filter, created, keeps
from esctui.server.auth import caller
from esctui.server.context import ServerContext, etag, expected_version
from esctui.server.problems import Problem, problems
from esctui.stores.records import Recorded

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description='The incident\'s version as an ETag ("3"), or * for any version.',
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        max_length=200,
        pattern=r"^[ -~]+$",
        description=(
            "Sending the same key again returns the first answer, not a second action, even "
            "after the server restarted: the changes it recorded, with the incident as it is "
            "now (a refusal is remembered until the server restarts). Keys are per responder; "
            "printable ASCII."
        ),
    ),
]


ACTION_PROBLEMS = problems(401, 404, 409, 412, 422, 428, 503)


async def perform(
    server: ServerContext,
    request: Request[Any, Any, Any],
    command: c.AnyCommand,
    if_match: str | None,
    key: str | None,
) -> Response[Recorded]:
    expected = expected_version(if_match)
    if isinstance(expected, set):  # several ETags: whichever the incident is at now
        assert isinstance(command, c.IncidentCommand)
        current = server.mirror.queue.incidents.get(command.incident)
        now = current.version if current is not None else None
        expected = now if now in expected else min(expected)
    recorded = await server.act(command, caller(request), expected, key)
    return Response(recorded, status_code=200, headers={"ETag": etag(recorded.incident.version)})


# -- reading ---------------------------------------------------------------------------------


@get("/v1/queue", summary="The whole queue at one revision", responses=problems(401))
async def read_queue(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any]
) -> QueueOut:
    queue = server.mirror.queue
    return QueueOut(
        responder=caller(request),
        directory=queue.directory,
        incidents=queue.incidents,
        revision=queue.revision,
        snapshot=queue.snapshot,
        maintenance=queue.maintenance,
    )


@get(
    "/v1/incidents",
    summary="Incidents, filtered, oldest first",
    responses=problems(400, 401),
)
async def list_incidents(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    status: Annotated[list[Status] | None, QueryParameter(description="Repeatable.")] = None,
    severity: Annotated[list[int] | None, QueryParameter(description="Repeatable; 1 to 4.")] = None,
    service: FromQuery[str | None] = None,
    assignee: FromQuery[str | None] = None,
    mine: FromQuery[bool] = False,
    breaching: FromQuery[bool] = False,
    update_due: FromQuery[bool] = False,
    follow_up_due: FromQuery[bool] = False,
    team: FromQuery[str | None] = None,
    label: Annotated[
        list[str] | None, QueryParameter(description="KEY=VALUE; repeatable (all must hold).")
    ] = None,
    cursor: Annotated[
        str | None, QueryParameter(description="`next_cursor` of the last page.")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> IncidentPage:
    """Open incidents unless `status` says otherwise (resolved ones for `follow_up_due`);
    `breaching` keeps those past or close to their SLA; `update_due` those whose customer
    update is due or close; `follow_up_due` resolved ones whose customer awaits the
    follow-up; `mine` those assigned to the token's responder; `team` those held by a
    team's responders; `label` those with that label (an alert group's, say)."""
    queue = server.mirror.queue
    try:
        labels = tuple(label_pair(text) for text in label or ())
    except ValueError as error:
        raise Problem(400, str(error)) from None
    members = None
    if team is not None:
        members = queue.directory.team_members(team)
        if not members:
            teams = ", ".join(queue.directory.teams()) or "none"
            raise Problem(400, f"There is no team {team!r}; teams: {teams}.")
    default = frozenset({Status.RESOLVED}) if follow_up_due else Filter().statuses
    chosen = Filter(
        statuses=frozenset(status) if status else default,
        severities=frozenset(severity or ()),
        service=service,
        assignee=caller(request) if mine else assignee,
        assignees=members,
        breaching=breaching,
        update_due=update_due,
        follow_up_due=follow_up_due,
        labels=labels,
    )
    after = cursor_position(cursor)
    now = server.clock()
    book = sla_book(queue.directory)
    cadence = cadence_book(queue.directory)
    kept = sorted(
        (
            incident
            for incident in queue.incidents.values()
            if (after is None or created(incident) > after)
            and keeps(chosen, incident, book.deadline(incident), now, cadence.due(incident))
        ),
        key=created,
    )
    page = kept[:limit]
    more = len(kept) > limit
    return IncidentPage(
        incidents=page,
        next_cursor=cursor_of(page[-1]) if more else None,
        revision=queue.revision,
    )


cursor_decoder = msgspec.json.Decoder(tuple[float, str])


def cursor_of(incident: Incident) -> str:
    """Where a page ended, as an opaque token: the last incident's place in the order."""
    return base64.urlsafe_b64encode(msgspec.json.encode(created(incident))).decode()


def cursor_position(cursor: str | None) -> tuple[float, str] | None:
    if cursor is None:
        return None
    try:
        return cursor_decoder.decode(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Problem(400, f"{cursor[:40]!r} is not a cursor from this server.") from None


@get(
    "/v1/incidents/{incident_id:str}",
    summary="One incident with its timeline and communications",
    responses=problems(401, 404, 503),
)
async def read_incident(
    server: NamedDependency[ServerContext], incident_id: FromPath[str]
) -> Response[IncidentDetail]:
    try:
        history = await server.backend.history(incident_id)
    except NotFound as missing:
        raise Problem(404, str(missing)) from None
    detail = IncidentDetail(
        incident=history.incident,
        timeline=history.timeline,
        communications=communications(history.timeline),
        pages=page_log(history.timeline),
    )
    return Response(detail, headers={"ETag": etag(history.incident.version)})


@get(
    "/v1/history",
    summary="Every incident created or resolved since a time, with timelines",
    responses=problems(400, 401, 503),
)
async def read_history(
    server: NamedDependency[ServerContext],
    since: Annotated[datetime, QueryParameter(description="ISO 8601 time.")],
) -> list[HistoryOut]:
    if since.tzinfo is None:
        raise Problem(400, "`since` needs a time zone, like 2026-11-23T09:00:00Z.")
    histories = await server.backend.histories(since)
    return [HistoryOut(incident=h.incident, timeline=h.timeline) for h in histories]


# -- changing --------------------------------------------------------------------------------


@post(
    "/v1/incidents",
    summary="Trigger a new incident",
    status_code=201,
    responses=problems(401, 409, 422, 503),
)
async def trigger(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    data: JSONBody[TriggerBody],  # type: ignore[valid-type]
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    command = c.Trigger(**msgspec.structs.asdict(data))
    recorded = await server.act(command, caller(request), None, idempotency_key)
    incident = recorded.incident
    headers = {"ETag": etag(incident.version), "Location": f"/v1/incidents/{incident.id}"}
    return Response(recorded, status_code=201, headers=headers)


def action_route(route: Route) -> HTTPRouteHandler:
    """The handler of one action: `POST /v1/incidents/{id}/{route.path}`."""

    async def handler(
        server: ServerContext,
        request: Request[Any, Any, Any],
        incident_id: str,
        data: Any = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Response[Recorded]:
        command = route.command_for(incident_id, data)
        return await perform(server, request, command, if_match, idempotency_key)

    body = route.body if route.needs_body else route.body | None
    # The signature Litestar reads: the body and headers typed, for validation and the
    # OpenAPI document (one function per action, named for it).
    handler.__annotations__ = {
        "server": NamedDependency[ServerContext],
        "request": Request[Any, Any, Any],
        "incident_id": FromPath[str],
        "data": JSONBody[body],  # type: ignore[misc, valid-type]
        "if_match": IfMatch,
        "idempotency_key": IdempotencyKey,
        "return": Response[Recorded],
    }
    if route.needs_body:
        handler.__defaults__ = (None, None)  # `data` has none: it must be sent
        handler.__kwdefaults__ = None
    name = route.path.replace("actions/", "").replace("-", "_")
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = route.summary
    return post(
        f"/v1/incidents/{{incident_id:str}}/{route.path}",
        status_code=200,
        responses=ACTION_PROBLEMS,
        operation_id=f"incident_{name}",
        summary=route.summary.rstrip("."),
    )(handler)


ROUTE_HANDLERS = [
    read_queue,
    list_incidents,
    read_incident,
    read_history,
    trigger,
    *(action_route(route) for route in ROUTES),
]
