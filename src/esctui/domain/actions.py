"""The actions a responder can take on incidents, and which of them the rules allow on one now.

A backend offers an action where the rules allow it and the backend can do it (its
capabilities): every face asks the backend, none restates the rules.
"""

from __future__ import annotations

import enum

from esctui.domain import commands as c
from esctui.domain.models import Incident, Status


class Action(enum.StrEnum):
    """What a responder can ask for. The values are the ids every face uses (the server's
    route names, the console's binding ids after `incident.`)."""

    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    UNACKNOWLEDGE = "unacknowledge"
    HAND_OFF = "hand-off"
    ESCALATE = "escalate"
    ESCALATE_TO = "escalate-to"
    SNOOZE = "snooze"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    NOTE = "note"
    COMMUNICATE = "communicate"


EVERY_ACTION = frozenset(Action)

UNRESOLVED = frozenset(
    {
        Action.HAND_OFF,
        Action.ESCALATE,
        Action.ESCALATE_TO,
        Action.SNOOZE,
        Action.RESOLVE,
        Action.NOTE,
        Action.COMMUNICATE,
    }
)

BY_STATUS: dict[Status, frozenset[Action]] = {
    Status.TRIGGERED: UNRESOLVED | {Action.ACKNOWLEDGE},
    Status.ACKNOWLEDGED: UNRESOLVED | {Action.UNACKNOWLEDGE},
    Status.RESOLVED: frozenset({Action.REOPEN, Action.NOTE, Action.COMMUNICATE}),
}


def allowed(incident: Incident) -> frozenset[Action]:
    """The actions the rules allow on `incident` as it stands (whoever asks; a refusal that
    depends on the details, such as handing an incident to its own holder, is `decide`'s)."""
    return BY_STATUS[incident.status]


def action_of(command: c.AnyCommand) -> Action | None:
    """The action a command asks for; None for the commands esctui issues itself."""
    match command:
        case c.Trigger():
            return Action.TRIGGER
        case c.Acknowledge():
            return Action.ACKNOWLEDGE
        case c.Unacknowledge():
            return Action.UNACKNOWLEDGE
        case c.HandOff():
            return Action.HAND_OFF
        case c.Escalate() if command.timeout:
            return None
        case c.Escalate():
            return Action.ESCALATE if command.level is None else Action.ESCALATE_TO
        case c.Snooze():
            return Action.SNOOZE
        case c.Resolve():
            return Action.RESOLVE
        case c.Reopen():
            return Action.REOPEN
        case c.AddNote():
            return Action.NOTE
        case c.LogCommunication():
            return Action.COMMUNICATE
    return None
