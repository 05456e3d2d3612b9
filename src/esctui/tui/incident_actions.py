"""The keys that act on incidents: each builds domain commands (asking first where it must) and
hands them to the console, which sends them to the backend in order."""

from __future__ import annotations

import time
from datetime import timedelta

from esctui.domain import commands as c
from esctui.domain.models import Incident, Status
from esctui.domain.oncall import level_on_call
from esctui.tui.console_part import ConsolePart
from esctui.tui.screens.confirm import ConfirmResolve
from esctui.tui.screens.forms import CommunicationForm, CommunicationInput, NoteEditor
from esctui.tui.screens.pickers import HandOffPicker, LevelPicker, SnoozePicker
from esctui.tui.undo import UNDO_SECONDS, inverse

# Which incidents an action can apply to, for the footer and the palette.
APPLIES: dict[str, set[Status]] = {
    "acknowledge": {Status.TRIGGERED},
    "unacknowledge": {Status.ACKNOWLEDGED},
    "hand_off": {Status.TRIGGERED, Status.ACKNOWLEDGED},
    "escalate": {Status.TRIGGERED, Status.ACKNOWLEDGED},
    "escalate_to": {Status.TRIGGERED, Status.ACKNOWLEDGED},
    "snooze": {Status.TRIGGERED, Status.ACKNOWLEDGED},
    "resolve": {Status.TRIGGERED, Status.ACKNOWLEDGED},
    "reopen": {Status.RESOLVED},
    "add_note": set(Status),
    "log_communication": set(Status),
}
BULK = {"acknowledge", "resolve", "hand_off"}


class IncidentActions(ConsolePart):
    """Mixed into `ConsoleApp`: `action_*` methods for the incident keys."""

    def targets(self, action: str) -> list[Incident]:
        """The incidents `action` acts on: the selection for bulk actions, else the cursor's."""
        table = self.table
        ids = table.acting_on() if action in BULK else [i for i in [table.current_id] if i]
        return [self.model.incidents[i] for i in ids if i in self.model.incidents]

    def described(self, incidents: list[Incident]) -> str:
        if len(incidents) == 1:
            return incidents[0].id
        return f"{len(incidents)} incidents"

    def action_acknowledge(self) -> None:
        incidents = self.targets("acknowledge")
        self.send([c.Acknowledge(incident=i.id) for i in incidents], incidents)

    def action_unacknowledge(self) -> None:
        incidents = self.targets("unacknowledge")
        self.send([c.Unacknowledge(incident=i.id) for i in incidents], incidents)

    def action_reopen(self) -> None:
        incidents = self.targets("reopen")
        self.send([c.Reopen(incident=i.id) for i in incidents], incidents)

    def action_escalate(self) -> None:
        incidents = self.targets("escalate")
        self.send([c.Escalate(incident=i.id) for i in incidents], incidents)

    def action_escalate_to(self) -> None:
        incidents = self.targets("escalate_to")
        if not incidents:
            return
        incident = incidents[0]
        service = self.model.directory.service(incident.service)
        policy = self.model.directory.policy(service.policy) if service else None
        if policy is None:
            self.notify(f"{incident.service} has no escalation policy.", severity="warning")
            return
        now = self.clock()
        levels = [
            level_on_call(self.model.directory, policy, n, now)
            for n in range(1, len(policy.levels) + 1)
        ]

        def chosen(level: int | None) -> None:
            if level is not None:
                self.send([c.Escalate(incident=incident.id, level=level)], [incident])

        self.push_screen(
            LevelPicker(f"Escalate {incident.id} to which level?", levels, incident.level), chosen
        )

    def action_hand_off(self) -> None:
        incidents = self.targets("hand_off")
        if not incidents:
            return
        first = incidents[0]
        on_call: list[str] = []
        service = self.model.directory.service(first.service)
        policy = self.model.directory.policy(service.policy) if service else None
        if policy is not None:
            for level in range(1, len(policy.levels) + 1):
                for name in level_on_call(self.model.directory, policy, level, self.clock()):
                    if name not in on_call:
                        on_call.append(name)
        people: list[tuple[str, str]] = []
        for name in on_call:
            people.append((name, "on call for " + first.service))
        for responder in sorted(self.model.directory.responders, key=lambda r: r.name):
            if responder.name not in on_call:
                people.append((responder.name, responder.full_name or responder.team))

        def chosen(name: str | None) -> None:
            if name:
                self.send([c.HandOff(incident=i.id, to=name) for i in incidents], incidents)

        self.push_screen(HandOffPicker(f"Hand off {self.described(incidents)} to", people), chosen)

    def action_snooze(self) -> None:
        incidents = self.targets("snooze")
        if not incidents:
            return

        def chosen(length: timedelta | None) -> None:
            if length is not None:
                until = self.clock() + length
                self.send([c.Snooze(incident=i.id, until=until) for i in incidents], incidents)

        self.push_screen(SnoozePicker(f"Snooze {self.described(incidents)} for"), chosen)

    def action_resolve(self) -> None:
        incidents = self.targets("resolve")
        if not incidents:
            return

        def answered(note: str | None) -> None:
            if note is not None:
                self.send([c.Resolve(incident=i.id, note=note) for i in incidents], incidents)

        self.push_screen(ConfirmResolve([i.id for i in incidents]), answered)

    def action_add_note(self) -> None:
        incidents = self.targets("add_note")
        if not incidents:
            return
        incident = incidents[0]

        def written(text: str | None) -> None:
            if text:
                self.send([c.AddNote(incident=incident.id, text=text)], [incident])

        self.push_screen(NoteEditor(f"Note on {incident.id}"), written)

    def action_log_communication(self) -> None:
        incidents = self.targets("log_communication")
        if not incidents:
            return
        incident = incidents[0]

        def logged(talk: CommunicationInput | None) -> None:
            if talk is not None:
                command = c.LogCommunication(
                    incident=incident.id,
                    channel=talk.channel,
                    direction=talk.direction,
                    counterpart=talk.counterpart,
                    summary=talk.summary,
                )
                self.send([command], [incident])

        counterpart = "" if self.redact else incident.customer
        self.push_screen(
            CommunicationForm(f"Log a communication on {incident.id}", counterpart), logged
        )

    def action_undo(self) -> None:
        done = self.last_done
        if done is None or time.monotonic() - done.at > UNDO_SECONDS:
            self.notify(f"Nothing of yours to undo from the last {UNDO_SECONDS} seconds.")
            return
        undo = inverse(done)
        if isinstance(undo, str):
            self.notify(undo, severity="warning")
            return
        self.last_done = None
        assert isinstance(undo, c.IncidentCommand)
        incident = self.model.incidents.get(undo.incident)
        self.send([undo], [incident] if incident else [], undoing=True)

    def action_toggle_select(self) -> None:
        self.table.toggle_selected()
        self.table.action_cursor_down()

    def action_copy_id(self) -> None:
        incident_id = self.table.current_id
        if incident_id is None:
            return
        self.copy_to_clipboard(incident_id)
        self.notify(f"Copied {incident_id} to the clipboard.", timeout=2)
