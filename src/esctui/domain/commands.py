"""What a responder (or esctui itself) asks to happen. `lifecycle.decide` checks each one.

The field types carry the limits of what a command may hold (lengths, ranges): they are checked
wherever a command arrives as data (the team server's request bodies are these fields), and a
command built in code is checked by the rules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from esctui.domain.events import PageOutcome
from esctui.domain.models import CauseCategory, Channel, Direction, Severity

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=20_000)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=40_000)]
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Level = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Version = Annotated[int, msgspec.Meta(ge=1)]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Customer = Annotated[str, msgspec.Meta(max_length=200)]
LabelValue = Annotated[str, msgspec.Meta(max_length=500)]
Satisfaction = Annotated[int, msgspec.Meta(ge=1, le=5)]
Number = Annotated[int, msgspec.Meta(ge=1, le=1000)]


class Command(msgspec.Struct, frozen=True, tag_field="command", forbid_unknown_fields=True):
    pass


class Trigger(Command, tag="trigger", frozen=True):
    title: Name
    service: Name
    severity: Severity
    customer: Customer = ""
    labels: dict[Name, LabelValue] = {}


class IncidentCommand(Command, frozen=True):
    incident: Name


class Acknowledge(IncidentCommand, tag="acknowledge", frozen=True):
    pass


class Unacknowledge(IncidentCommand, tag="unacknowledge", frozen=True):
    reason: Text = ""


class HandOff(IncidentCommand, tag="handoff", frozen=True):
    to: Name
    note: Text = ""


class Escalate(IncidentCommand, tag="escalate", frozen=True):
    """To `level` (1-based), or the next level when `level` is None.

    `timeout` marks the escalation esctui makes when a level's timeout ran out; responders'
    escalations leave it False.
    """

    level: Level | None = None
    reason: Text = ""
    timeout: bool = False


class MarkExhausted(IncidentCommand, tag="mark-exhausted", frozen=True):
    """Issued by auto-escalation only: the policy has nobody left to page."""


class Snooze(IncidentCommand, tag="snooze", frozen=True):
    until: Instant


class Resolve(IncidentCommand, tag="resolve", frozen=True):
    note: Text = ""


class Reopen(IncidentCommand, tag="reopen", frozen=True):
    reason: Text = ""


class Undo(IncidentCommand, tag="undo", frozen=True):
    """Take back the actor's own change that brought the incident to `version`, as long as
    nothing has happened to it since: the incident becomes what it was before that change."""

    version: Version


class AddNote(IncidentCommand, tag="note", frozen=True):
    text: Note


class LogCommunication(IncidentCommand, tag="communication", frozen=True):
    """`csat`: the customer's satisfaction, 1 (poor) to 5 (great), as they said it (inbound)."""

    channel: Channel
    direction: Direction
    counterpart: Name
    summary: Summary
    csat: Satisfaction | None = None


class Reroute(IncidentCommand, tag="reroute", frozen=True):
    """Send the incident to another service's policy (a specialised team), at its level 1."""

    service: Name
    reason: Text = ""


class FollowUpItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A follow-up action as a review writes it: what, who owns it, by when."""

    action: Summary
    owner: Name
    due: date


class RecordReview(IncidentCommand, tag="review", frozen=True):
    """What a resolved incident taught: its cause, a summary, what went well or not, and the
    follow-up actions decided on."""

    cause: CauseCategory
    summary: Summary
    went_well: Text = ""
    went_badly: Text = ""
    follow_ups: Annotated[tuple[FollowUpItem, ...], msgspec.Meta(max_length=50)] = ()


class CompleteFollowUp(IncidentCommand, tag="follow-up-done", frozen=True):
    """Follow-up action `number` of the incident is done."""

    number: Number


class RecordPage(IncidentCommand, tag="record-page", frozen=True):
    """Issued by the page sender only: what became of one try of a page (see `Paged`)."""

    page: Name
    to: Name
    method: Name
    outcome: PageOutcome
    attempt: int = 0
    detail: Text = ""
    next_at: Instant | None = None


AnyCommand = (
    Trigger
    | Acknowledge
    | Unacknowledge
    | HandOff
    | Escalate
    | MarkExhausted
    | Snooze
    | Resolve
    | Reopen
    | Undo
    | AddNote
    | LogCommunication
    | Reroute
    | RecordReview
    | CompleteFollowUp
    | RecordPage
)

# What may still be recorded on an incident archived long after it was resolved: what it
# taught comes when the team gets to it (a late review, a follow-up action done).
LATE = (RecordReview, CompleteFollowUp)
