"""Monitoring's way in: Prometheus Alertmanager's webhook, the PagerDuty Events API v2 and
heartbeats. Each request is let in by an integration's key, not a responder's token (the token
check lets these paths through to their own): Alertmanager's as a bearer token
(`http_config.authorization`), the Events API's as the event's `routing_key`, a heartbeat's in
its path.

A wrong or revoked key is 401; a body that says nothing esctui can record is 422 (400 with the
Events API's own `{"status": "invalid event", ...}` there); one too large is 413. Nothing is
recorded then. A notification is recorded whole before it is answered 2xx, so a sender that
retries what was not answered (Alertmanager retries a 5xx or a timeout) loses nothing, and
sending it again changes nothing (see `service/intake.py`).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from esctui.backends.base import StoreError
from esctui.backends.integrations import Intake, Received, Unrecognised
from esctui.domain.alert_formats import BadNotification, read_event, read_webhook
from esctui.domain.alerts import Kind, Notification
from esctui.domain.errors import DomainError
from esctui.server.context import ServerContext
from esctui.server.problems import Problem, problems
from esctui.stores.records import IntegrationRecord

# Bodies beyond these are refused (413). A webhook carries every alert of its group (a thousand
# alerts take some 600 KB); the Events API's own limit is 512 KB.
WEBHOOK_LIMIT = 4 * 1024 * 1024
EVENT_LIMIT = 512 * 1024
INVALID = "Event object is invalid"
REFUSALS = {
    400: "The event is invalid: `errors` names every problem.",
    401: "The routing key is unknown, revoked, or not an events integration's.",
    409: "The rules refuse it (the integration's service is gone).",
    413: "The event is larger than 512 KB.",
    503: "The store cannot be written now: send it again later.",
}


class Taken(msgspec.Struct, frozen=True):
    """What a notification did: `opened`, `updated`, `resolved`, `reopened`, `acknowledged`,
    `repeated` (nothing new: counted) or `ignored` (about nothing open), to which incident."""

    outcome: str
    incident: str | None
    key: str


class EventAccepted(msgspec.Struct, frozen=True):
    """The Events API's answer to an event it took."""

    status: str
    message: str
    dedup_key: str


class EventRefused(msgspec.Struct, frozen=True):
    """The Events API's answer to an event it did not take, every problem named."""

    status: str
    message: str
    errors: list[str]


def intake_of(server: ServerContext) -> Intake:
    if server.intake is None:
        raise Problem(404, "This server takes no alerts: its store keeps no integrations.")
    return server.intake


async def recorded(server: ServerContext, key: str, kind: Kind, n: Notification) -> Received:
    """Record `n`, sent with `key`; `Problem` 401 (the key lets nothing in), 409 (the rules
    refuse it: its service is gone) or 503."""
    try:
        received = await intake_of(server).take(key, kind, n)
    except Unrecognised as unknown:
        raise Problem(401, str(unknown)) from None
    except DomainError as refusal:
        raise Problem(409, f"{refusal} Nothing was recorded.") from None
    except StoreError as failure:
        raise Problem(503, str(failure)) from None
    if received.recorded is not None:
        server.took(received.recorded)
    return received


def taken(received: Received) -> Taken:
    return Taken(outcome=received.verdict, incident=received.incident, key=received.key)


async def recognised(server: ServerContext, key: str, kind: Kind) -> IntegrationRecord:
    try:
        return await intake_of(server).recognise(key, kind)
    except Unrecognised as unknown:
        raise Problem(401, str(unknown)) from None
    except StoreError as failure:
        raise Problem(503, f"No integration key can be checked: {failure}") from None


@post(
    "/v1/integrations/alertmanager",
    status_code=200,
    request_max_body_size=WEBHOOK_LIMIT,
    summary="Prometheus Alertmanager's webhook: one incident per alert group",
    responses=problems(401, 409, 413, 422, 503),
    security=[{"integration": []}],
)
async def alertmanager(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any]
) -> Taken:
    """`Authorization: Bearer KEY` with an alertmanager integration's key. A later
    notification for a group still open adds what changed to its incident; `resolved`
    resolves it (or notes it, where the integration says so); a group that fires again soon
    after it resolved reopens it."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise Problem(
            401,
            "Send the integration's key as a bearer token (Alertmanager's "
            "http_config.authorization).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await recognised(server, key, Kind.ALERTMANAGER)  # before the body is read
    try:
        notification = read_webhook(await request.body())
    except BadNotification as bad:
        raise Problem(422, f"{bad}. Nothing was recorded.") from None
    except RecursionError:
        raise Problem(422, "The webhook body is nested too deeply to be read.") from None
    return taken(await recorded(server, key, Kind.ALERTMANAGER, notification))


def event_refused(status: int, message: str, errors: list[str]) -> Response[Any]:
    word = {400: "invalid event", 401: "unrecognized routing key", 413: "invalid event"}
    body = EventRefused(status=word.get(status, "error"), message=message, errors=errors)
    return Response(body, status_code=status)


@post(
    "/v2/enqueue",
    status_code=202,
    request_max_body_size=EVENT_LIMIT,
    summary="The PagerDuty Events API v2: trigger, acknowledge or resolve by dedup key",
    responses={
        status: ResponseSpec(data_container=EventRefused, description=description)
        for status, description in REFUSALS.items()
    },
    security=[{"integration": []}],
)
async def enqueue(
    server: NamedDependency[ServerContext], request: Request[Any, Any, Any]
) -> Response[EventAccepted]:
    """Wire-compatible with PagerDuty's: `routing_key` is an events integration's key. Any
    tool that can send to PagerDuty sends here by changing one URL."""
    try:
        body = await request.body()
    except HTTPException as refused:
        if refused.status_code != 413:
            raise
        return event_refused(413, "The event is larger than 512 KB.", ["The event is too large"])
    try:
        routing_key, notification = read_event(body, uuid.uuid4().hex)
    except BadNotification as bad:
        return event_refused(400, INVALID, bad.errors)
    except RecursionError:
        return event_refused(400, INVALID, ["The event is nested too deeply to be read"])
    try:
        received = await recorded(server, routing_key, Kind.EVENTS, notification)
    except Problem as problem:
        detail = problem.detail or ""
        return event_refused(problem.status_code, detail, [detail])
    accepted = EventAccepted(status="success", message="Event processed", dedup_key=received.key)
    return Response(accepted, status_code=202)


@route(
    "/v1/heartbeat/{key:str}",
    http_method=[HttpMethod.GET, HttpMethod.POST],
    status_code=200,
    request_max_body_size=4096,
    summary="A heartbeat's beat: silence for longer than its interval opens an incident",
    responses=problems(401, 409, 503),
    security=[{"integration": []}],
)
async def heartbeat(server: NamedDependency[ServerContext], key: FromPath[str]) -> Taken:
    """GET or POST, without a body: the beat resolves the incident its silence opened."""
    integration = await recognised(server, key, Kind.HEARTBEAT)
    try:
        received = await intake_of(server).beat(integration)
    except DomainError as refusal:
        raise Problem(409, str(refusal)) from None
    except StoreError as failure:
        raise Problem(503, str(failure)) from None
    if received.recorded is not None:
        server.took(received.recorded)
    return taken(received)


ROUTES = [alertmanager, enqueue, heartbeat]
