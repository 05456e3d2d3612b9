"""The dialog each incident action asks with, when what it needs was not typed on the `:` line:
whom to hand off to, which level, how long to snooze, the note, the communication. Each answer
becomes the `Given` the action is built from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.screen import ModalScreen

from esctui.domain.models import Directory, Incident
from esctui.domain.oncall import service_on_call
from esctui.tui.actions import Given, Question
from esctui.tui.screens.forms import CommunicationForm, CommunicationInput, NoteEditor
from esctui.tui.screens.pickers import HandOffPicker, LevelPicker, SnoozePicker


@dataclass(frozen=True)
class Dialog:
    """A dialog to push, and how its answer (None when cancelled) becomes a `Given`."""

    screen: ModalScreen[Any]
    given: Callable[[Any], Given]


def described(incidents: list[Incident]) -> str:
    return incidents[0].id if len(incidents) == 1 else f"{len(incidents)} incidents"


def dialog(
    question: Question,
    incidents: list[Incident],
    directory: Directory,
    now: datetime,
    *,
    redact: bool,
) -> Dialog | str:
    """The dialog that asks `question` about `incidents`, or a sentence saying why there is
    nothing to ask (an incident whose service has no escalation policy has no levels)."""
    first = incidents[0]
    match question:
        case "responder":
            title = f"Hand off {described(incidents)} to"
            return Dialog(HandOffPicker(title, people(first, directory, now)), text)
        case "level":
            levels = on_call_levels(first, directory, now)
            if not levels:
                return f"{first.service} has no escalation policy."
            picker = LevelPicker(f"Escalate {first.id} to which level?", levels, first.level)
            return Dialog(picker, lambda level: Given(level=level))
        case "length":
            snooze = SnoozePicker(f"Snooze {described(incidents)} for")
            return Dialog(snooze, lambda length: Given(duration=length))
        case "note":
            return Dialog(NoteEditor(f"Note on {first.id}"), text)
        case "communication":
            counterpart = "" if redact else first.customer
            form = CommunicationForm(f"Log a communication on {first.id}", counterpart)
            return Dialog(form, communication)


def text(answer: str) -> Given:
    return Given(text=answer)


def communication(talk: CommunicationInput) -> Given:
    return Given(
        text=talk.summary,
        channel=talk.channel,
        direction=talk.direction,
        counterpart=talk.counterpart,
    )


def on_call_levels(incident: Incident, directory: Directory, now: datetime) -> list[list[str]]:
    """Who is on call at each level of the incident's policy (none without a policy)."""
    return service_on_call(directory, incident.service, now)


def people(incident: Incident, directory: Directory, now: datetime) -> list[tuple[str, str]]:
    """Whom to offer a hand-off to: the incident's on-call responders first, then everyone."""
    on_call: list[str] = []
    for names in on_call_levels(incident, directory, now):
        on_call.extend(name for name in names if name not in on_call)
    offered = [(name, "on call for " + incident.service) for name in on_call]
    for responder in sorted(directory.responders, key=lambda r: r.name):
        if responder.name not in on_call:
            offered.append((responder.name, responder.full_name or responder.team))
    return offered
