"""Undo: a responder takes back their own last change to an incident.

The change stays in the timeline; a new event, `Reverted`, puts back what it altered (the
holder, the level and its clock, the snooze, the SLA clocks), so the timeline reads as what
happened: "acknowledgement by frank undone". Only one's own change can be taken back, and only
while nothing has happened to the incident since: then the state before it is still the truth
everyone else saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.errors import DomainError
from esctui.domain.models import Incident

# The changes that can be taken back, by event type, as a responder names them.
CHANGES = {
    "acknowledged": "acknowledgement",
    "unacknowledged": "unacknowledgement",
    "handed-off": "hand-off",
    "escalated": "escalation",
    "snoozed": "snooze",
    "resolved": "resolution",
    "reopened": "reopening",
}

# Why the others stay.
KEPT = {
    "triggered": "The trigger of {name} cannot be undone; resolve it instead.",
    "note-added": "A note stays in the timeline; add another that corrects it.",
    "communication-logged": (
        "A communication stays in the timeline (it was said); log another that corrects it."
    ),
    "reverted": "An undo cannot itself be undone; do the action again.",
    "rerouted": "A reroute paged another team and cannot be undone; reroute {name} back instead.",
    "review-recorded": "A review stays in the timeline; record it again to correct it.",
    "follow-up-added": "A follow-up action stays in the timeline; mark it done instead.",
    "follow-up-done": "A follow-up marked done stays done; add another action instead.",
    "paged": "A page sent stays in the timeline.",
}


def kind_of(event: e.Event) -> str:
    """The event's type as the journal writes it: `acknowledged`, `handed-off`, ..."""
    return str(event.__struct_config__.tag)


def undone_change(
    incident: Incident, command: c.Undo, timeline: Sequence[e.AnyEvent], actor: str | None
) -> e.AnyEvent:
    """The change `command` takes back, or a `DomainError` saying why it cannot be."""
    name = incident.id
    if len(timeline) != incident.version:  # the store gives the whole timeline for an undo
        raise DomainError(f"The history of {name} could not be read whole; nothing was undone.")
    if not 1 <= command.version <= len(timeline):
        raise DomainError(f"{name} has no version {command.version} to undo.")
    change = timeline[command.version - 1]
    noun = CHANGES.get(kind_of(change))
    if noun is None:
        kept = KEPT.get(kind_of(change), "That change of {name} cannot be undone.")
        raise DomainError(kept.format(name=name))
    if change.by is None or change.by != actor:
        raise DomainError(
            f"The {noun} of {name} was {change.by or 'esctui'}'s; only your own changes can "
            "be undone."
        )
    if incident.version != command.version and not unchanged_since(timeline, command.version):
        last = timeline[-1]
        raise DomainError(
            f"{name} has changed since your {noun} ({last.by or 'esctui'} acted on it at "
            f"{last.at:%H:%M}); it can no longer be undone."
        )
    return change


# What an undo puts back: every part of the state a change can alter, save the counters of
# notes and communications (what was written stays written).
RESTORED = (
    "status",
    "assignee",
    "level",
    "level_since",
    "cycle",
    "exhausted",
    "snoozed_until",
    "opened_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
)


def reverted(before: Incident, change: e.AnyEvent, head: dict[str, Any]) -> e.Reverted:
    """The event that makes the incident `before` again, saying which `change` it undoes."""
    restored = {name: getattr(before, name) for name in RESTORED}
    return e.Reverted(**head, undone=kind_of(change), undone_version=change.version, **restored)


def restored(event: e.Reverted) -> dict[str, Any]:
    """The parts of the state `event` puts back, to fold into the incident."""
    return {name: getattr(event, name) for name in RESTORED}


def unchanged_since(timeline: Sequence[e.AnyEvent], version: int) -> bool:
    """Whether nothing but records of what esctui did (pages sent) happened after `version`
    of the incident whose whole `timeline` this is: its state is still what it was then, so a
    caller who saw that version, or an undo of that change, still acts on the truth."""
    return version >= 1 and all(isinstance(event, e.Paged) for event in timeline[version:])


def what_stands(timeline: Iterable[e.AnyEvent]) -> list[e.AnyEvent]:
    """The timeline without the changes that were undone and their undos: what counts as having
    happened, for figures and reports (a resolution undone a minute later resolved nothing)."""
    events = list(timeline)
    undone = {event.undone_version for event in events if isinstance(event, e.Reverted)}
    return [
        event
        for event in events
        if not isinstance(event, e.Reverted) and event.version not in undone
    ]
