"""What happened to an incident. Events are the timeline, the journal lines and the wire format.

Every event names its incident, when it happened, who did it (`None` when esctui itself acted,
as with a timeout escalation) and the incident's version after it (1 for the trigger, +1 for each
event after that). Where monitoring acted (an integration acknowledged or resolved), `by` is None
and `via` names the integration.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from esctui.domain.alerts import Alert, Link
from esctui.domain.models import CauseCategory, Channel, Direction, Status


class Event(msgspec.Struct, frozen=True, tag_field="type", forbid_unknown_fields=True):
    incident: str
    at: datetime
    version: int
    by: str | None


class Triggered(Event, tag="triggered", frozen=True):
    title: str
    service: str
    severity: int
    assignee: str | None
    customer: str = ""
    labels: dict[str, str] = {}
    quiet: bool = False  # its service is in maintenance: nobody is paged


class Acknowledged(Event, tag="acknowledged", frozen=True):
    via: str = ""


class Unacknowledged(Event, tag="unacknowledged", frozen=True):
    reason: str = ""


class HandedOff(Event, tag="handed-off", frozen=True):
    from_responder: str | None
    to: str
    note: str = ""


class Escalated(Event, tag="escalated", frozen=True):
    """Moved to `to_level` (and `cycle` when the policy starts over), paging `assignee`.

    `by` is None and `reason` says so when the level's timeout ran out.
    """

    from_level: int
    to_level: int
    cycle: int
    assignee: str | None
    reason: str = ""


class EscalationExhausted(Event, tag="escalation-exhausted", frozen=True):
    """Every level and every repeat timed out: nobody left to page. Recorded once."""

    level: int


class Snoozed(Event, tag="snoozed", frozen=True):
    until: datetime


class Resolved(Event, tag="resolved", frozen=True):
    note: str = ""
    via: str = ""


class Reopened(Event, tag="reopened", frozen=True):
    assignee: str | None
    reason: str = ""
    via: str = ""


class Reverted(Event, tag="reverted", frozen=True):
    """`by` took back their own change (an `undone` event, such as `acknowledged`, that brought
    the incident to `undone_version`): the incident is again as it was before that change,
    with the holder, level, escalation clock, snooze and SLA clocks it had then."""

    undone: str
    undone_version: int
    status: Status
    assignee: str | None
    level: int
    level_since: datetime | None
    cycle: int
    exhausted: bool
    snoozed_until: datetime | None
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None


class NoteAdded(Event, tag="note-added", frozen=True):
    text: str


class CommunicationLogged(Event, tag="communication-logged", frozen=True):
    """`csat`: the satisfaction (1-5) the customer gave, on an inbound communication."""

    channel: Channel
    direction: Direction
    counterpart: str
    summary: str
    csat: int | None = None


class Rerouted(Event, tag="rerouted", frozen=True):
    """Sent to another service's policy at level 1, paging `assignee` (functional
    escalation: a specialised team, where `escalated` goes up one's own policy)."""

    from_service: str
    to_service: str
    assignee: str | None
    reason: str = ""


class ReviewRecorded(Event, tag="review-recorded", frozen=True):
    cause: CauseCategory
    summary: str
    went_well: str = ""
    went_badly: str = ""


class FollowUpAdded(Event, tag="follow-up-added", frozen=True):
    number: int
    action: str
    owner: str
    due: date


class FollowUpDone(Event, tag="follow-up-done", frozen=True):
    number: int


class AlertsReceived(Event, tag="alerts-received", frozen=True):
    """Monitoring told of the incident's alerts, through the integration `integration`, under
    `key`: `alerts` are the news (alerts that began firing, or changed), `cleared` the
    fingerprints that stopped firing, `firing` those that fire now. `received` counts the
    notifications this records: more than one where the same came again and again between
    (a storm costs this counter, not a line each). `raw` is the last one as it arrived, cut to
    `alerts.RAW_LIMIT` bytes."""

    integration: str
    key: str
    summary: str
    alerts: tuple[Alert, ...] = ()
    cleared: tuple[str, ...] = ()
    firing: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    links: tuple[Link, ...] = ()
    received: int = 1
    digest: str = ""
    raw: str = ""


class Woken(Event, tag="woken", frozen=True):
    """A quiet incident (opened while its service was in maintenance) is quiet no more: its
    alerts still fire after the maintenance ended. It pages `assignee`, and its escalation and
    SLA clocks start now."""

    assignee: str | None
    reason: str = ""


PageOutcome = Literal["delivered", "failed", "gave-up", "held"]


class Paged(Event, tag="paged", frozen=True):
    """esctui paged `to` by their contact method `method` (page `page`, try `attempt`): the
    page was `delivered`; it `failed` (`detail` says why) and is tried again at `next_at`;
    it failed for the last time (`gave-up`); or it is `held` by quiet hours until `next_at`.
    A record of what was done: the incident's state is as it was."""

    page: str
    to: str
    method: str
    outcome: PageOutcome
    attempt: int = 0
    detail: str = ""
    next_at: datetime | None = None


AnyEvent = (
    Triggered
    | Acknowledged
    | Unacknowledged
    | HandedOff
    | Escalated
    | EscalationExhausted
    | Snoozed
    | Resolved
    | Reopened
    | Reverted
    | NoteAdded
    | CommunicationLogged
    | Rerouted
    | ReviewRecorded
    | FollowUpAdded
    | FollowUpDone
    | AlertsReceived
    | Woken
    | Paged
)

EVENT_TYPES: tuple[type[Event], ...] = (
    Triggered,
    Acknowledged,
    Unacknowledged,
    HandedOff,
    Escalated,
    EscalationExhausted,
    Snoozed,
    Resolved,
    Reopened,
    Reverted,
    NoteAdded,
    CommunicationLogged,
    Rerouted,
    ReviewRecorded,
    FollowUpAdded,
    FollowUpDone,
    AlertsReceived,
    Woken,
    Paged,
)


class Communication(msgspec.Struct, frozen=True):
    """What was said to (or heard from) someone outside the responders, and when."""

    at: datetime
    author: str | None
    channel: Channel
    direction: Direction
    counterpart: str
    summary: str
    csat: int | None = None


def communications(timeline: list[AnyEvent]) -> list[Communication]:
    """The incident's communications, oldest first, from its timeline."""
    return [
        Communication(
            at=event.at,
            author=event.by,
            channel=event.channel,
            direction=event.direction,
            counterpart=event.counterpart,
            summary=event.summary,
            csat=event.csat,
        )
        for event in timeline
        if isinstance(event, CommunicationLogged)
    ]


class AlertSeen(msgspec.Struct, frozen=True):
    """One alert of an incident, as its timeline tells: as last told of, whether it fires
    now, when it was first and last told of, and how often."""

    alert: Alert
    firing: bool
    first_at: datetime
    last_at: datetime
    told: int


def alerts_seen(timeline: list[AnyEvent]) -> list[AlertSeen]:
    """Every alert monitoring told of on the incident, in the order they first came."""
    seen: dict[str, AlertSeen] = {}
    for event in timeline:
        if not isinstance(event, AlertsReceived):
            continue
        for alert in event.alerts:
            before = seen.get(alert.fingerprint)
            seen[alert.fingerprint] = AlertSeen(
                alert=alert,
                firing=alert.firing,
                first_at=before.first_at if before else event.at,
                last_at=event.at,
                told=(before.told if before else 0) + 1,
            )
        for fingerprint in event.cleared:
            before = seen.get(fingerprint)
            if before is not None:
                seen[fingerprint] = msgspec.structs.replace(before, firing=False, last_at=event.at)
    return list(seen.values())
