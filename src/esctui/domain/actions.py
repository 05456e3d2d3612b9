"""The actions a responder can take on incidents, and which of them the rules allow on one now.

A backend offers an action where the rules allow it and the backend can do it (its
capabilities): every face asks the backend, none restates the rules.
"""

from __future__ import annotations

import enum
from datetime import datetime

from esctui.domain import commands as c
from esctui.domain import lifecycle
from esctui.domain.models import Incident


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
    UNDO = "undo"
    REROUTE = "reroute"
    REVIEW = "review"
    FOLLOW_UP_DONE = "follow-up-done"


EVERY_ACTION = frozenset(Action)

# The command each action on an incident sends: what the rules are asked about. (Undo is not
# here: whether it applies depends on the responder's last change, not on the incident's state.)
KINDS: dict[Action, type[c.IncidentCommand]] = {
    Action.ACKNOWLEDGE: c.Acknowledge,
    Action.UNACKNOWLEDGE: c.Unacknowledge,
    Action.HAND_OFF: c.HandOff,
    Action.ESCALATE: c.Escalate,
    Action.ESCALATE_TO: c.Escalate,
    Action.SNOOZE: c.Snooze,
    Action.RESOLVE: c.Resolve,
    Action.REOPEN: c.Reopen,
    Action.NOTE: c.AddNote,
    Action.COMMUNICATE: c.LogCommunication,
    Action.REROUTE: c.Reroute,
    Action.REVIEW: c.RecordReview,
    Action.FOLLOW_UP_DONE: c.CompleteFollowUp,
}


def allowed(incident: Incident) -> frozenset[Action]:
    """The actions the rules allow on `incident` as it stands (whoever asks; a refusal that
    depends on the details, such as handing an incident to its own holder, is `decide`'s)."""
    kinds = lifecycle.offered(incident)
    return frozenset(action for action, kind in KINDS.items() if kind in kinds)


def refusal(incident: Incident, action: Action, now: datetime) -> str | None:
    """Why the rules do not allow `action` on `incident` as it stands, in their words; None
    when they do."""
    kind = KINDS.get(action)
    return None if kind is None else lifecycle.refusal(incident, kind, now)


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
        case c.Undo():
            return Action.UNDO
        case c.Reroute():
            return Action.REROUTE
        case c.RecordReview():
            return Action.REVIEW
        case c.CompleteFollowUp():
            return Action.FOLLOW_UP_DONE
    return None
