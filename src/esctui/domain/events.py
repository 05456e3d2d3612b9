"""What happened to an incident. Events are the timeline, the journal lines and the wire format.

Every event names its incident, when it happened, who did it (`None` when esctui itself acted,
as with a timeout escalation) and the incident's version after it (1 for the trigger, +1 for each
event after that).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from esctui.domain.models import Channel, Direction, Status


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


class Acknowledged(Event, tag="acknowledged", frozen=True):
    pass


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


class Reopened(Event, tag="reopened", frozen=True):
    assignee: str | None
    reason: str = ""


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
    channel: Channel
    direction: Direction
    counterpart: str
    summary: str


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
        )
        for event in timeline
        if isinstance(event, CommunicationLogged)
    ]
