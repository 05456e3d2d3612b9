"""The console's incident actions, written once: the key each is on, its `:` command, what it
asks before it acts, and the domain command it builds.

The keys, the `:` line and the palette all read this table, and every one of them asks for an
action through the same door (`IncidentActions.request`), so what is offered, what is asked
first and what is sent are the same whichever way a responder asks. Which actions apply to an
incident comes from the rules (`offered`, the domain's `allowed`), never from a list kept here.

Plain data: nothing here needs Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from esctui.backends.base import Backend
from esctui.domain import actions as rules
from esctui.domain import commands as c
from esctui.domain.actions import Action
from esctui.domain.models import Channel, Direction, Incident
from esctui.wording import who


@dataclass(frozen=True)
class Given:
    """What the responder gave an action: typed after its `:` command, or answered in its
    dialog. `text` is the note, reason, or `NAME [NOTE]` of a hand-off; a communication also
    has its channel, direction and counterpart."""

    text: str = ""
    level: int | None = None
    duration: timedelta | None = None
    channel: Channel = Channel.EMAIL
    direction: Direction = Direction.OUTBOUND
    counterpart: str = ""


# What an action asks for when it was not given: the dialog that asks it.
Question = Literal["responder", "level", "length", "note", "communication"]
# What the `:` line takes after the command.
Argument = Literal["", "text", "level", "duration"]
Build = Callable[[str, Given, datetime], c.AnyCommand]


@dataclass(frozen=True)
class IncidentAction:
    id: Action  # the domain's name for it: `incident('acknowledge')` is its key's action
    binding: str  # the binding id a keymap names its key by
    key: str  # its key, unless the keymap says otherwise
    label: str  # on the bottom line of keys
    title: str  # in the palette and in help
    explains: str  # what it does, beside the title and its `:` command
    verb: str  # in sentences: "you already asked to {verb} INC-1"
    build: Build
    line: str = ""  # its `:` command, if it has one
    usage: str = ""  # what its `:` command takes: `NAME [NOTE]`
    argument: Argument = ""
    question: Question | None = None  # asked unless given
    bulk: bool = False  # acts on every selected incident
    confirms: bool = False  # always asks (resolve), with what was given filled in
    repeats: bool = False  # a second one is a second thing (two notes), not a mistake
    show: bool = True  # on the bottom line

    def answered(self, given: Given) -> bool:
        """Whether `given` already holds what the action would otherwise ask."""
        match self.question:
            case "responder" | "note":
                return bool(given.text.strip())
            case "level":
                return given.level is not None
            case "length":
                return given.duration is not None
            case "communication":
                return bool(given.counterpart.strip() and given.text.strip())
        return True


def hand_off(incident: str, given: Given, now: datetime) -> c.HandOff:
    to, _, note = given.text.strip().partition(" ")
    return c.HandOff(incident=incident, to=to, note=note.strip())


def snooze(incident: str, given: Given, now: datetime) -> c.Snooze:
    assert given.duration is not None
    return c.Snooze(incident=incident, until=now + given.duration)


def log_communication(incident: str, given: Given, now: datetime) -> c.LogCommunication:
    return c.LogCommunication(
        incident=incident,
        channel=given.channel,
        direction=given.direction,
        counterpart=given.counterpart,
        summary=given.text,
    )


ACTIONS: dict[Action, IncidentAction] = {
    action.id: action
    for action in (
        IncidentAction(
            id=Action.ACKNOWLEDGE,
            binding="incident.acknowledge",
            key="a",
            label="Ack",
            title="Acknowledge",
            explains="acknowledge the selection or the incident under the cursor",
            verb="acknowledge",
            build=lambda i, g, now: c.Acknowledge(incident=i),
            line="ack",
            bulk=True,
        ),
        IncidentAction(
            id=Action.UNACKNOWLEDGE,
            binding="incident.unacknowledge",
            key="u",
            label="Unack",
            title="Unacknowledge",
            explains="give the incident back to be paged again",
            verb="unacknowledge",
            build=lambda i, g, now: c.Unacknowledge(incident=i, reason=g.text),
            line="unack",
            usage="[REASON]",
            argument="text",
            show=False,
        ),
        IncidentAction(
            id=Action.HAND_OFF,
            binding="incident.hand-off",
            key="h",
            label="Hand off",
            title="Hand off",
            explains="hand the selection or the incident to a responder",
            verb="hand off",
            build=hand_off,
            line="handoff",
            usage="NAME [NOTE]",
            argument="text",
            question="responder",
            bulk=True,
        ),
        IncidentAction(
            id=Action.ESCALATE,
            binding="incident.escalate",
            key="e",
            label="Escalate",
            title="Escalate",
            explains="escalate to the next level, or to LEVEL",
            verb="escalate",
            build=lambda i, g, now: c.Escalate(incident=i, level=g.level),
            line="esc",
            usage="[LEVEL]",
            argument="level",
        ),
        IncidentAction(
            id=Action.ESCALATE_TO,
            binding="incident.escalate-to",
            key="E",
            label="Escalate to…",
            title="Escalate to a level",
            explains="choose the level, with who is on call at each",
            verb="escalate",
            build=lambda i, g, now: c.Escalate(incident=i, level=g.level),
            question="level",
            show=False,
        ),
        IncidentAction(
            id=Action.SNOOZE,
            binding="incident.snooze",
            key="s",
            label="Snooze",
            title="Snooze",
            explains="hold auto-escalation, for 15m, 1h or 2h30m",
            verb="snooze",
            build=snooze,
            line="snooze",
            usage="DURATION",
            argument="duration",
            question="length",
        ),
        IncidentAction(
            id=Action.RESOLVE,
            binding="incident.resolve",
            key="r",
            label="Resolve",
            title="Resolve",
            explains="resolve (asks first, with NOTE filled in)",
            verb="resolve",
            build=lambda i, g, now: c.Resolve(incident=i, note=g.text),
            line="resolve",
            usage="[NOTE]",
            argument="text",
            bulk=True,
            confirms=True,
        ),
        IncidentAction(
            id=Action.REOPEN,
            binding="incident.reopen",
            key="o",
            label="Reopen",
            title="Reopen",
            explains="reopen a resolved incident",
            verb="reopen",
            build=lambda i, g, now: c.Reopen(incident=i, reason=g.text),
            line="reopen",
            usage="[REASON]",
            argument="text",
        ),
        IncidentAction(
            id=Action.NOTE,
            binding="incident.note",
            key="n",
            label="Note",
            title="Note",
            explains="add a note to the timeline",
            verb="add a note to",
            build=lambda i, g, now: c.AddNote(incident=i, text=g.text),
            line="note",
            usage="TEXT",
            argument="text",
            question="note",
            repeats=True,
        ),
        IncidentAction(
            id=Action.COMMUNICATE,
            binding="incident.communication",
            key="c",
            label="Comm",
            title="Log a communication",
            explains="log what was said to (or heard from) a customer",
            verb="log a communication on",
            build=log_communication,
            line="comm",
            question="communication",
            repeats=True,
        ),
    )
}


def offered(backend: Backend, incident: Incident) -> set[Action]:
    """The actions offered on `incident` now: the backend's answer (the rules and what it can
    do), which the bottom line, the palette and every request go by."""
    return set(backend.offered(incident)) & set(ACTIONS)


def why_not(backend: Backend, incident: Incident, action: IncidentAction, now: datetime) -> str:
    """Why `action` is not offered on `incident`, in a sentence: what the backend cannot do,
    else what the rules say."""
    refused = rules.refusal(incident, action.id, now)
    if action.id not in backend.capabilities or refused is None:
        # What the backend cannot do at all, or not on this incident though the rules would.
        return backend.unavailable(action.id)
    return refused


def asks_first(action: IncidentAction, incident: Incident, me: str) -> str | None:
    """The question to ask before `action` on `incident`, beyond its own dialog: a colleague's
    SEV1 goes back to be paged only if the responder says so."""
    if action.id is Action.UNACKNOWLEDGE and incident.severity == 1 and incident.assignee != me:
        holder = who(incident.assignee) if incident.assignee else "nobody"
        return f"{incident.id} is a SEV1 held by {holder}. Unacknowledge it, so it is paged again?"
    return None
