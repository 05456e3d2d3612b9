"""Which incidents a list shows and in what order: written once for every face (the console's
views, `esctui ls`, the server's `GET /v1/incidents`).

Ids are opaque: nothing here reads the number inside `INC-1042` (another backend's ids look
nothing like it). Ties fall to the time an incident was created, then to its id as text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

import msgspec

from esctui.domain.cadence import CustomerDue, Owed
from esctui.domain.models import Incident, Status
from esctui.domain.sla import Deadline

Sort = Literal["urgency", "breach", "newest", "service"]
SORTS: tuple[Sort, ...] = get_args(Sort)
OPEN = frozenset({Status.TRIGGERED, Status.ACKNOWLEDGED})
NEVER = float("inf")
# How far back every store's queue holds resolved incidents (the journal archives older ones
# when compacted; PostgreSQL leaves them out at once): what a face counts of the resolved from
# a queue, it counts within this span, so every store gives the same answer.
RECENTLY_RESOLVED = timedelta(days=14)


def recently_resolved(incident: Incident, now: datetime) -> bool:
    """Whether `incident` was resolved within `RECENTLY_RESOLVED` of `now`."""
    resolved_at = incident.resolved_at
    return resolved_at is not None and now - resolved_at <= RECENTLY_RESOLVED


class Filter(msgspec.Struct, frozen=True):
    """What a list keeps. `assignee` is a responder's name (a face resolves "mine" to it),
    `assignees` a team's (a face resolves the team to its members); `breaching` keeps those
    past their SLA or in its last quarter; `update_due` those whose customer update is due or
    in the last quarter of its interval; `follow_up_due` resolved ones whose customer still
    awaits the follow-up; `text` is matched against what a responder searches by (id, title,
    service, assignee, customer, labels); `labels` keeps those with every one of these labels
    (such as the alerts' `team=db`)."""

    statuses: frozenset[Status] = OPEN
    severities: frozenset[int] = frozenset()
    service: str | None = None
    assignee: str | None = None
    assignees: frozenset[str] | None = None
    breaching: bool = False
    update_due: bool = False
    follow_up_due: bool = False
    text: str = ""
    labels: tuple[tuple[str, str], ...] = ()


def matches_text(incident: Incident, needle: str) -> bool:
    """Whether `needle` (lower case) appears in what a responder would search by."""
    if (
        needle in incident.id.lower()
        or needle in incident.title.lower()
        or needle in incident.service.lower()
        or needle in (incident.assignee or "").lower()
        or needle in incident.customer.lower()
    ):
        return True
    return any(needle in f"{k}={v}".lower() for k, v in incident.labels.items())


def keeps(
    chosen: Filter,
    incident: Incident,
    deadline: Deadline | None,
    now: datetime,
    customer: CustomerDue | None = None,
) -> bool:
    """Whether the list `chosen` describes holds `incident` (whose next SLA deadline is
    `deadline`, and what its customer is owed `customer`) at `now`."""
    return (
        incident.status in chosen.statuses
        and (not chosen.severities or incident.severity in chosen.severities)
        and (chosen.service is None or incident.service == chosen.service)
        and (chosen.assignee is None or incident.assignee == chosen.assignee)
        and (chosen.assignees is None or incident.assignee in chosen.assignees)
        and (not chosen.breaching or (deadline is not None and deadline.at_risk(now)))
        and (not chosen.update_due or owes(customer, Owed.UPDATE, now))
        and (not chosen.follow_up_due or owes(customer, Owed.FOLLOW_UP, None))
        and (not chosen.text or matches_text(incident, chosen.text.lower()))
        and all(incident.labels.get(key) == value for key, value in chosen.labels)
    )


def owes(customer: CustomerDue | None, owed: Owed, now: datetime | None) -> bool:
    """Whether the customer is owed `owed`: close to due or past it at `now` (at all, for
    None)."""
    if customer is None or customer.owed is not owed:
        return False
    return now is None or customer.close(now)


def seconds_left(deadline: Deadline | None, now: datetime) -> float:
    return NEVER if deadline is None else (deadline.breach_at - now).total_seconds()


def created(incident: Incident) -> tuple[float, str]:
    """Oldest first, then by id as text."""
    return (incident.created_at.timestamp(), incident.id)


def order_key(
    sort: Sort,
    incidents: Mapping[str, Incident],
    deadlines: Mapping[str, Deadline | None],
    now: datetime,
) -> Callable[[str], Any]:
    """A key over incident ids: `urgency` (most severe, then least time to breach), `breach`
    (least time to breach), `newest`, `service` (then severity and time to breach)."""

    def left(incident_id: str) -> float:
        return seconds_left(deadlines.get(incident_id), now)

    if sort == "breach":
        return lambda i: (left(i), incidents[i].severity, created(incidents[i]))
    if sort == "newest":
        return lambda i: (-incidents[i].created_at.timestamp(), incidents[i].id)
    if sort == "service":
        return lambda i: (
            incidents[i].service,
            incidents[i].severity,
            left(i),
            created(incidents[i]),
        )
    return lambda i: (incidents[i].severity, left(i), created(incidents[i]))


def recently_resolved_key(incidents: Mapping[str, Incident], now: datetime) -> Callable[[str], Any]:
    """Most recently resolved first: what "recent" asks for."""

    def key(incident_id: str) -> tuple[float, float, str]:
        incident = incidents[incident_id]
        resolved = (incident.resolved_at or now).timestamp()
        return (-resolved, -incident.created_at.timestamp(), incident.id)

    return key


def listed(
    chosen: Filter,
    incidents: Mapping[str, Incident],
    deadlines: Mapping[str, Deadline | None],
    now: datetime,
    sort: Sort = "urgency",
    customers: Mapping[str, CustomerDue | None] | None = None,
) -> list[Incident]:
    """The incidents `chosen` keeps, in `sort` order (`customers`: what each one's customer is
    owed, where the filter asks)."""
    owed = customers or {}
    ids = [
        incident_id
        for incident_id, incident in incidents.items()
        if keeps(chosen, incident, deadlines.get(incident_id), now, owed.get(incident_id))
    ]
    ids.sort(key=order_key(sort, incidents, deadlines, now))
    return [incidents[i] for i in ids]
