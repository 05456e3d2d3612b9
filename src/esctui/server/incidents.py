"""The incidents: list, read, trigger, and every action on one, each guarded by `If-Match`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from esctui.backends.http.wire import (
    AcknowledgeBody,
    CommunicationBody,
    EscalateBody,
    HandOffBody,
    HistoryOut,
    IncidentDetail,
    IncidentPage,
    NoteBody,
    QueueOut,
    ReasonBody,
    Recorded,
    ResolveBody,
    SnoozeBody,
    TriggerBody,
    UndoBody,
)
from esctui.backends.journal.backend import offload
from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.events import communications
from esctui.domain.models import Status, incident_number
from esctui.domain.sla import sla_book
from esctui.server.auth import caller
from esctui.server.context import ServerContext, etag, expected_version
from esctui.server.problems import Problem, problems

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


ACTION_PROBLEMS = problems(401, 404, 409, 412, 422, 428)


async def perform(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    command: c.AnyCommand,
    if_match: str | None,
    key: str | None,
) -> Response[Recorded]:
    expected = expected_version(if_match)
    if isinstance(expected, set):  # several ETags: whichever the incident is at now
        incident_id = command.incident if isinstance(command, c.IncidentCommand) else ""
        current = server.store.incidents.get(incident_id)
        now = current.version if current is not None else None
        expected = now if now in expected else min(expected)
    recorded = await server.act(command, caller(request), expected, key)
    return Response(recorded, status_code=200, headers={"ETag": etag(recorded.incident.version)})


# -- reading ---------------------------------------------------------------------------------


@get("/v1/queue", summary="The whole queue at one revision", responses=problems(401))
async def read_queue(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any]
) -> QueueOut:
    queue = await offload(server.store.queue)  # never on the loop: a write may be under way
    return QueueOut(
        responder=caller(request),
        directory=queue.directory,
        incidents=queue.incidents,
        revision=queue.revision,
        snapshot=queue.snapshot,
    )


@get("/v1/incidents", summary="Incidents, filtered, in id order", responses=problems(400, 401))
async def list_incidents(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    status: Annotated[list[Status] | None, QueryParameter(description="Repeatable.")] = None,
    severity: Annotated[list[int] | None, QueryParameter(description="Repeatable; 1 to 4.")] = None,
    service: FromQuery[str | None] = None,
    assignee: FromQuery[str | None] = None,
    mine: FromQuery[bool] = False,
    breaching: FromQuery[bool] = False,
    cursor: Annotated[
        str | None, QueryParameter(description="`next_cursor` of the last page.")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> IncidentPage:
    """Open incidents unless `status` says otherwise; `breaching` keeps those past or close
    to their SLA; `mine` those assigned to the token's responder."""
    queue = await offload(server.store.queue)
    wanted = set(status or [Status.TRIGGERED, Status.ACKNOWLEDGED])
    after = cursor_number(cursor)
    me = caller(request)
    now = server.clock()
    book = sla_book(queue.directory)
    chosen = sorted(
        (
            i
            for i in queue.incidents.values()
            if i.status in wanted
            and incident_number(i.id) > after
            and (not severity or i.severity in severity)
            and (service is None or i.service == service)
            and (assignee is None or i.assignee == assignee)
            and (not mine or i.assignee == me)
            and (not breaching or ((d := book.deadline(i)) is not None and d.at_risk(now)))
        ),
        key=lambda i: incident_number(i.id),
    )
    page = chosen[:limit]
    more = len(chosen) > limit
    return IncidentPage(
        incidents=page, next_cursor=page[-1].id if more else None, revision=queue.revision
    )


def cursor_number(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return incident_number(cursor)
    except ValueError:
        raise Problem(400, f"{cursor[:40]!r} is not a cursor from this server.") from None


@get(
    "/v1/incidents/{incident_id:str}",
    summary="One incident with its timeline and communications",
    responses=problems(401, 404),
)
async def read_incident(
    server: NamedDependency[ServerContext], incident_id: FromPath[str]
) -> Response[IncidentDetail]:
    try:
        history = await server.backend.history(incident_id.upper())
    except DomainError as missing:
        raise Problem(404, str(missing)) from None
    detail = IncidentDetail(
        incident=history.incident,
        timeline=history.timeline,
        communications=communications(history.timeline),
    )
    return Response(detail, headers={"ETag": etag(history.incident.version)})


@get(
    "/v1/history",
    summary="Every incident created or resolved since a time, with timelines",
    responses=problems(400, 401),
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
    responses=problems(401, 409, 422),
)
async def trigger(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    data: JSONBody[TriggerBody],
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    command = c.Trigger(
        title=data.title,
        service=data.service,
        severity=data.severity,
        customer=data.customer,
        labels=dict(data.labels),
    )
    recorded = await server.act(command, caller(request), None, idempotency_key)
    incident = recorded.incident
    headers = {"ETag": etag(incident.version), "Location": f"/v1/incidents/{incident.id}"}
    return Response(recorded, status_code=201, headers=headers)


ACTION = "/v1/incidents/{incident_id:str}/actions"


@post(f"{ACTION}/acknowledge", status_code=200, responses=ACTION_PROBLEMS)
async def acknowledge(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    data: JSONBody[AcknowledgeBody | None] = None,
) -> Response[Recorded]:
    """Take the incident: it is the caller's now."""
    command = c.Acknowledge(incident=incident_id.upper())
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/unacknowledge", status_code=200, responses=ACTION_PROBLEMS)
async def unacknowledge(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    data: JSONBody[ReasonBody | None] = None,
) -> Response[Recorded]:
    """Give the incident back to the queue; escalation starts again."""
    command = c.Unacknowledge(incident=incident_id.upper(), reason=data.reason if data else "")
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/handoff", status_code=200, responses=ACTION_PROBLEMS)
async def hand_off(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    data: JSONBody[HandOffBody],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    """Hand the incident to another responder."""
    command = c.HandOff(incident=incident_id.upper(), to=data.to, note=data.note)
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/escalate", status_code=200, responses=ACTION_PROBLEMS)
async def escalate(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    data: JSONBody[EscalateBody | None] = None,
) -> Response[Recorded]:
    """Page the next level of the incident's policy, or the level given."""
    body = data or EscalateBody()
    command = c.Escalate(incident=incident_id.upper(), level=body.level, reason=body.reason)
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/snooze", status_code=200, responses=ACTION_PROBLEMS)
async def snooze(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    data: JSONBody[SnoozeBody],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    """Hold auto-escalation until `until`."""
    command = c.Snooze(incident=incident_id.upper(), until=data.until)
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/resolve", status_code=200, responses=ACTION_PROBLEMS)
async def resolve(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    data: JSONBody[ResolveBody | None] = None,
) -> Response[Recorded]:
    """Close the incident."""
    command = c.Resolve(incident=incident_id.upper(), note=data.note if data else "")
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/reopen", status_code=200, responses=ACTION_PROBLEMS)
async def reopen(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
    data: JSONBody[ReasonBody | None] = None,
) -> Response[Recorded]:
    """Open a resolved incident again, at level 1."""
    command = c.Reopen(incident=incident_id.upper(), reason=data.reason if data else "")
    return await perform(server, request, command, if_match, idempotency_key)


@post(f"{ACTION}/undo", status_code=200, responses=ACTION_PROBLEMS)
async def undo(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    data: JSONBody[UndoBody],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    """Take back the caller's own change that brought the incident to `version`: it is as it
    was before that change, if nothing has happened to it since (409 otherwise)."""
    command = c.Undo(incident=incident_id.upper(), version=data.version)
    return await perform(server, request, command, if_match, idempotency_key)


@post("/v1/incidents/{incident_id:str}/notes", status_code=200, responses=ACTION_PROBLEMS)
async def add_note(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    data: JSONBody[NoteBody],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    """Add a note to the incident's timeline."""
    command = c.AddNote(incident=incident_id.upper(), text=data.text)
    return await perform(server, request, command, if_match, idempotency_key)


@post("/v1/incidents/{incident_id:str}/communications", status_code=200, responses=ACTION_PROBLEMS)
async def log_communication(
    server: NamedDependency[ServerContext],
    request: Request[Any, Any, Any],
    incident_id: FromPath[str],
    data: JSONBody[CommunicationBody],
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Recorded]:
    """Log what was said to (or heard from) someone outside the responders."""
    command = c.LogCommunication(
        incident=incident_id.upper(),
        channel=data.channel,
        direction=data.direction,
        counterpart=data.counterpart,
        summary=data.summary,
    )
    return await perform(server, request, command, if_match, idempotency_key)


ROUTES = [
    read_queue,
    list_incidents,
    read_incident,
    read_history,
    trigger,
    acknowledge,
    unacknowledge,
    hand_off,
    escalate,
    snooze,
    resolve,
    reopen,
    undo,
    add_note,
    log_communication,
]
