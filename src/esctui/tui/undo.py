"""`z`: take back my last action, where the rules have an inverse for it."""

from __future__ import annotations

from dataclasses import dataclass

from esctui.domain import commands as c
from esctui.domain import events as e

UNDO_SECONDS = 30


@dataclass(frozen=True)
class Done:
    """An action I took, remembered for undo: the command and the events it produced."""

    command: c.AnyCommand
    events: tuple[e.AnyEvent, ...]
    at: float  # monotonic seconds


def inverse(done: Done) -> c.AnyCommand | str:
    """The command that takes `done` back, or the sentence saying why nothing can."""
    command = done.command
    match command:
        case c.Acknowledge():
            return c.Unacknowledge(incident=command.incident, reason="acknowledged by mistake")
        case c.Unacknowledge():
            return c.Acknowledge(incident=command.incident)
        case c.Resolve():
            return c.Reopen(incident=command.incident, reason="resolved by mistake")
        case c.Reopen():
            return c.Resolve(incident=command.incident, note="reopened by mistake")
        case c.HandOff():
            handed = next((ev for ev in done.events if isinstance(ev, e.HandedOff)), None)
            if handed is None or handed.from_responder is None:
                return f"{command.incident} had no holder before the hand-off to give it back to."
            return c.HandOff(
                incident=command.incident, to=handed.from_responder, note="handed off by mistake"
            )
        case c.Escalate():
            return (
                f"An escalation cannot be taken back: level {command.level or 'next'} of "
                f"{command.incident} has been paged. Hand it off instead."
            )
        case c.Snooze():
            return "A snooze cannot be taken back; it ends by itself, or acknowledge the incident."
        case c.AddNote() | c.LogCommunication():
            return "Notes and communications stay in the timeline; add a note that corrects it."
    return "That action cannot be taken back."
