"""What a responder (or esctui itself) asks to happen. `lifecycle.decide` checks each one."""

from __future__ import annotations

from datetime import datetime

import msgspec

from esctui.domain.models import Channel, Direction


class Command(msgspec.Struct, frozen=True, tag_field="command", forbid_unknown_fields=True):
    pass


class Trigger(Command, tag="trigger", frozen=True):
    title: str
    service: str
    severity: int
    customer: str = ""
    labels: dict[str, str] = {}


class IncidentCommand(Command, frozen=True):
    incident: str


class Acknowledge(IncidentCommand, tag="acknowledge", frozen=True):
    pass


class Unacknowledge(IncidentCommand, tag="unacknowledge", frozen=True):
    reason: str = ""


class HandOff(IncidentCommand, tag="handoff", frozen=True):
    to: str
    note: str = ""


class Escalate(IncidentCommand, tag="escalate", frozen=True):
    """To `level` (1-based), or the next level when `level` is None.

    `timeout` marks the escalation esctui makes when a level's timeout ran out; responders'
    escalations leave it False.
    """

    level: int | None = None
    reason: str = ""
    timeout: bool = False


class MarkExhausted(IncidentCommand, tag="mark-exhausted", frozen=True):
    """Issued by auto-escalation only: the policy has nobody left to page."""


class Snooze(IncidentCommand, tag="snooze", frozen=True):
    until: datetime


class Resolve(IncidentCommand, tag="resolve", frozen=True):
    note: str = ""


class Reopen(IncidentCommand, tag="reopen", frozen=True):
    reason: str = ""


class Undo(IncidentCommand, tag="undo", frozen=True):
    """Take back the actor's own change that brought the incident to `version`, as long as
    nothing has happened to it since: the incident becomes what it was before that change."""

    version: int


class AddNote(IncidentCommand, tag="note", frozen=True):
    text: str


class LogCommunication(IncidentCommand, tag="communication", frozen=True):
    channel: Channel
    direction: Direction
    counterpart: str
    summary: str


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
)
