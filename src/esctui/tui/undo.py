"""`z`: take back my last action. What was done is remembered here (the action and, for each
incident it changed, the event that changed it); the rules decide whether it can still be
undone (`Undo` in the domain) and put back what the incident was."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import tzinfo

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.undo import CHANGES, KEPT, kind_of
from esctui.wording import describe, who

UNDO_SECONDS = 30


@dataclass(frozen=True)
class Done:
    """An action I took, remembered for undo: for each incident, the event it produced."""

    changed: dict[str, e.AnyEvent]
    at: float  # monotonic seconds

    @property
    def recent(self) -> bool:
        return time.monotonic() - self.at <= UNDO_SECONDS


def undo_commands(done: Done) -> list[c.AnyCommand] | str:
    """The commands that take `done` back, or the sentence saying why nothing can (the rules'
    own, without asking the backend: a note stays a note, online or not)."""
    if not done.changed:
        return (
            "Your last action has changed nothing yet (it waits in the outbox, or was "
            "refused): there is nothing to undo."
        )
    for incident_id, event in done.changed.items():
        kind = kind_of(event)
        if kind not in CHANGES:
            return KEPT.get(kind, "That cannot be undone.").format(name=incident_id)
    return [
        c.Undo(incident=incident_id, version=event.version)
        for incident_id, event in done.changed.items()
    ]


def undone(done: Done, reverted: dict[str, e.AnyEvent], zone: tzinfo) -> str:
    """What the responder is told once `done` is taken back: what each incident is again, and,
    for an escalation, that its page went out all the same."""
    said = [f"{incident_id}: {describe(event, zone)}." for incident_id, event in reverted.items()]
    if len(said) > 3:
        said = [f"Undone on {len(said)} incidents: {', '.join(reverted)}."]
    for incident_id, event in done.changed.items():
        if isinstance(event, e.Escalated) and incident_id in reverted:
            said.append(f"The page to {who(event.assignee)} already went out.")
    return " ".join(said)
