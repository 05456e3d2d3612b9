"""What pages whom, and when: the rules of paging out, pure (the page sender applies them).

An open incident owes its holder pages:
- while it is triggered and theirs: it was opened and given to them, escalated to them (by a
  responder or by a timeout), handed to them, reopened, or their acknowledgement ran out. Each
  such holding (who, since when: the incident's `level_since`) is one obligation;
- when its next SLA deadline enters its last quarter (about to breach), once per deadline.

An obligation is paged through each of the holder's contact methods that covers the severity,
each `after_minutes` after it began, and a SEV3 or SEV4 page that falls in the holder's quiet
hours waits until they end. A page still waiting is cancelled as soon as its obligation no
longer stands: the incident was acknowledged or resolved, or it is someone else's now. Every
page has an id made of what it is for, so the same obligation seen twice (after a restart,
by a second look) is the same page, never a second one.

Outbound webhooks receive the events they asked for, one page per event and webhook, never
cancelled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec

from esctui.domain import contact
from esctui.domain import events as e
from esctui.domain.cadence import CadenceBook, Owed
from esctui.domain.durations import format_duration
from esctui.domain.models import Directory, Incident, Responder, Status
from esctui.domain.sla import AT_RISK_SHARE, SlaBook
from esctui.domain.undo import kind_of

PageKind = Literal["responder", "webhook"]
UPDATE_OWED = "customer-update"  # in the key of a customer update's obligation

# What an outbound webhook may ask for: every event but the record of a page.
WEBHOOK_EVENTS: tuple[str, ...] = tuple(
    str(kind.__struct_config__.tag) for kind in e.EVENT_TYPES if kind is not e.Paged
)


class Page(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One message owed to one recipient by one method: a responder's contact method (by its
    name), or an outbound webhook (by its id; `method` is `webhook`).

    `obligation` names what it is for (see `obligations`); `due_at` is when it goes out, and
    `held_until` when quiet hours moved that later. `title` and `body` are the message (a
    webhook's body is the JSON it is sent, byte for byte on every try)."""

    id: str
    incident: str
    to: str
    method: str
    due_at: datetime
    severity: int
    title: str
    body: str
    kind: PageKind = "responder"
    obligation: str = ""
    held_until: datetime | None = None

    @property
    def send_at(self) -> datetime:
        return self.held_until or self.due_at


class Sent(msgspec.Struct, frozen=True):
    """How one try to send a page went: `delivered`, or not and `detail` says why."""

    delivered: bool
    detail: str = ""


class Webhook(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An outbound webhook: the `events` (types, as `WEBHOOK_EVENTS` names them) sent to `url`
    as JSON, signed with HMAC-SHA256 under `secret`."""

    id: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: datetime


class Obligation(msgspec.Struct, frozen=True):
    """Something an incident owes `responder` from `start` on; `key` names it for good, and
    `why` says it in a sentence."""

    key: str
    responder: str
    start: datetime
    why: str


def stamp(at: datetime) -> str:
    """A moment in an id: `20261123T031200123456Z`."""
    return f"{at.astimezone(UTC):%Y%m%dT%H%M%S%f}Z"


def obligations(
    incident: Incident,
    book: SlaBook,
    cause: e.AnyEvent | None = None,
    cadence: CadenceBook | None = None,
) -> list[Obligation]:
    """What `incident` owes its holder as it stands, whenever each is due (an SLA deadline's
    page is owed from when the deadline is about to breach; with `cadence`, a customer update
    from when it falls due). `cause`, the event that gave them the incident when it is known,
    words the first."""
    holder = incident.assignee
    if not incident.is_open or holder is None or incident.quiet:
        return []  # a quiet incident (its service in maintenance) pages nobody until it wakes
    owed: list[Obligation] = []
    if incident.status is Status.TRIGGERED:
        since = incident.level_since or incident.opened_at
        owed.append(
            Obligation(
                key=f"{incident.id}/holding/{holder}/{stamp(since)}",
                responder=holder,
                start=since,
                why=holding_words(incident, cause),
            )
        )
    deadline = book.deadline(incident)
    if deadline is not None:
        at_risk = deadline.breach_at - deadline.window * AT_RISK_SHARE
        owed.append(
            Obligation(
                key=f"{incident.id}/{deadline.clock}-sla/{holder}/{stamp(deadline.breach_at)}",
                responder=holder,
                start=at_risk,
                why=f"Its SLA to {deadline.clock} runs out at "
                f"{deadline.breach_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
                f"({format_duration(deadline.window)} after it opened).",
            )
        )
    customer = cadence.due(incident) if cadence is not None else None
    if customer is not None and customer.owed is Owed.UPDATE:
        owed.append(
            Obligation(
                key=f"{incident.id}/{UPDATE_OWED}/{holder}/{stamp(customer.due_at)}",
                responder=holder,
                start=customer.due_at,
                why=f"An update to {incident.customer} is due (every "
                f"{format_duration(customer.window)}): tell them where things stand, and log "
                "it (`c` in the console).",
            )
        )
    return owed


def holding_words(incident: Incident, cause: e.AnyEvent | None) -> str:
    match cause:
        case e.Triggered():
            return f"New on {incident.service}; you are on call."
        case e.Escalated():
            reason = f" ({cause.reason})" if cause.reason else ""
            return f"Escalated to you at level {cause.to_level}{reason}."
        case e.HandedOff():
            note = f": {cause.note}" if cause.note else "."
            return f"Handed to you by {cause.by or 'esctui'}{note}"
        case e.Unacknowledged() if cause.by is None:
            return "Your acknowledgement ran out; it is yours again and unacknowledged."
        case e.Reopened():
            return "Reopened; you are on call."
        case e.Woken():
            return "Its service's maintenance is over and its alerts still fire; you are on call."
        case e.Rerouted():
            reason = f" ({cause.reason})" if cause.reason else ""
            return (
                f"Rerouted from {cause.from_service} to {cause.to_service} by "
                f"{cause.by or 'esctui'}{reason}; you are on call."
            )
    return "It is yours and nobody has acknowledged it."


def pages_owed(
    incident: Incident,
    directory: Directory,
    book: SlaBook,
    now: datetime,
    since: datetime,
    cause: e.AnyEvent | None = None,
    *,
    cadence: CadenceBook | None = None,
) -> list[Page]:
    """Every page `incident` owes by `now` (some may be due later: a method's delay, quiet
    hours), for the obligations that began at or after `since` (when paging started: what was
    owed before then is not paged)."""
    pages: list[Page] = []
    for obligation in obligations(incident, book, cause, cadence):
        if obligation.start < since or obligation.start > now:
            continue
        responder = directory.responder(obligation.responder)
        if responder is not None:
            pages += pages_for(incident, obligation, responder, directory)
    return pages


def pages_for(
    incident: Incident, obligation: Obligation, responder: Responder, directory: Directory
) -> list[Page]:
    pages = []
    for method in responder.contact:
        if incident.severity not in method.severities:
            continue
        due = obligation.start + timedelta(minutes=method.after_minutes)
        page_id = f"{obligation.key}/{method.name}"
        pages.append(
            Page(
                id=page_id,
                incident=incident.id,
                to=responder.name,
                method=method.name,
                due_at=due,
                severity=incident.severity,
                title=f"SEV{incident.severity} {incident.id}: {incident.title}",
                body=f"{obligation.why}\nesctui ack {incident.id}\npage {page_id}",
                obligation=obligation.key,
                held_until=contact.held_until(due, incident.severity, responder, directory),
            )
        )
    return pages


def cancellation(
    page: Page, incident: Incident | None, book: SlaBook, cadence: CadenceBook | None = None
) -> str | None:
    """Why a page still waiting to go out is no longer owed (a sentence); None while it is."""
    if page.kind == "webhook":
        return None
    if incident is None:
        return f"{page.incident} is no longer in the queue"
    if not incident.is_open:
        return f"{incident.id} was resolved by {incident.resolved_by or 'esctui'}"
    if any(o.key == page.obligation for o in obligations(incident, book, None, cadence)):
        return None
    if f"/{UPDATE_OWED}/" in page.obligation and incident.assignee == page.to:
        return f"{incident.id}'s customer was updated"
    if incident.status is Status.ACKNOWLEDGED and incident.assignee == page.to:
        return f"{incident.id} was acknowledged by {incident.acknowledged_by or 'esctui'}"
    if incident.assignee != page.to:
        return f"{incident.id} is now {incident.assignee or 'nobody'}'s"
    return f"{incident.id} moved on"


def own_doing(page: Page, cause: e.AnyEvent | None) -> str | None:
    """Why `page` need not go out because its recipient gave themselves the incident (took
    it, escalated it to themselves); None otherwise."""
    if cause is not None and cause.by is not None and cause.by == page.to:
        return f"{page.to} took {page.incident} themselves"
    return None


def event_id(event: e.AnyEvent) -> str:
    """An event's id for receivers to deduplicate by: `INC-1042.3` (the incident, and its
    version after the event)."""
    return f"{event.incident}.{event.version}"


def webhook_body(event: e.AnyEvent, incident: Incident) -> str:
    """The JSON an outbound webhook is sent for `event`: its id, its type, and the event and
    the incident after it."""
    return msgspec.json.encode(
        {
            "id": event_id(event),
            "type": kind_of(event),
            "at": event.at,
            "incident": incident,
            "event": event,
        }
    ).decode()


def webhook_pages(event: e.AnyEvent, incident: Incident, webhooks: list[Webhook]) -> list[Page]:
    """The pages `event` owes the outbound webhooks that asked for its type (`incident` is the
    incident after it)."""
    kind = kind_of(event)
    wanted = [hook for hook in webhooks if kind in hook.events]
    if not wanted:
        return []
    body = webhook_body(event, incident)
    return [
        Page(
            id=f"{event_id(event)}/{hook.id}",
            incident=event.incident,
            to=hook.id,
            method="webhook",
            due_at=event.at,
            severity=incident.severity,
            title=kind,
            body=body,
            kind="webhook",
        )
        for hook in wanted
    ]


def page_log(timeline: list[e.AnyEvent]) -> list[e.Paged]:
    """Whom the incident paged, how, when and how it went: each page's latest record on the
    timeline, in the order they were first paged."""
    latest: dict[str, e.Paged] = {}
    for event in timeline:
        if isinstance(event, e.Paged):
            latest[event.page] = event
    return list(latest.values())
