"""Every request for an incident action, whichever key, `:` command or palette entry asked for
it, goes through `request`: it decides whether the action is offered (a read-only console offers
none; the rules say which apply to each incident; an action already waiting in the outbox is
not queued twice), asks what must be asked (every resolve asks), and hands the commands to the
console, which sends them in order. `z` takes back my last action the same way."""

from __future__ import annotations

from dataclasses import replace

from esctui.domain.actions import Action
from esctui.domain.models import Incident
from esctui.tui.actions import ACTIONS, Given, IncidentAction, asks_first, offered, why_not
from esctui.tui.console_part import ConsolePart
from esctui.tui.questions import dialog
from esctui.tui.screens.confirm import Confirm, ConfirmResolve
from esctui.tui.undo import UNDO_SECONDS, undo_commands

READ_ONLY = "This console is read-only (--read-only): it changes nothing."


class IncidentActions(ConsolePart):
    """Mixed into `ConsoleApp`: the one door for incident actions, and undo."""

    def action_incident(self, action_id: str) -> None:
        """The keys' action: `incident('acknowledge')`."""
        self.request(Action(action_id))

    def offered(self, incident: Incident) -> set[Action]:
        """The actions offered on `incident` now: the one answer the bottom line, the palette
        and every request go by (from the rules; a read-only console offers none)."""
        if self.options.read_only:
            return set()
        return offered(self.backend, incident)

    def offered_now(self) -> set[Action]:
        """What the bottom line and the palette offer: the actions on the incident under the
        cursor, and the bulk actions any selected incident allows."""
        table, incidents = self.table, self.model.incidents
        cursor = incidents.get(table.current_id or "")
        now: set[Action] = self.offered(cursor) if cursor is not None else set()
        for incident_id in table.selected:
            if incident_id in incidents:
                now |= {a for a in self.offered(incidents[incident_id]) if ACTIONS[a].bulk}
        return now

    def targets(self, action: IncidentAction) -> list[Incident]:
        """The incidents `action` acts on: the selection for bulk actions, else the cursor's."""
        table = self.table
        ids = table.acting_on() if action.bulk else [i for i in [table.current_id] if i]
        return [self.model.incidents[i] for i in ids if i in self.model.incidents]

    def request(self, action_id: Action, given: Given | None = None) -> None:
        """Do `action_id` on its incidents, if it is offered, once asked what must be asked."""
        action = ACTIONS[action_id]
        if self.options.read_only:
            self.notify(READ_ONLY, severity="warning")
            return
        incidents = self.targets(action)
        if not incidents:
            self.notify("There is no incident under the cursor.", severity="warning")
            return
        refusals = {i.id: why for i in incidents if (why := self.refusal(action, i))}
        if refusals:
            said = " ".join(list(refusals.values())[:2])
            if len(refusals) > 2:
                said += f" (and {len(refusals) - 2} more)"
            if len(refusals) < len(incidents):
                said = f"Left out {len(refusals)} of {len(incidents)}: {said}"
            self.notify(said, severity="warning", markup=False)  # names are data
        ready = [i for i in incidents if i.id not in refusals]
        if ready:
            self.ask(action, ready, given or Given())

    def refusal(self, action: IncidentAction, incident: Incident) -> str | None:
        if action.id not in self.offered(incident):
            return why_not(self.backend, incident, action, self.clock())
        if not action.repeats and self.queued.holds(incident.id, action.id):
            return (
                f"You already asked to {action.verb} {incident.id}: that waits in the outbox "
                "and is sent when the server can be reached."
            )
        return None

    def ask(self, action: IncidentAction, incidents: list[Incident], given: Given) -> None:
        """Ask first where the action must (a colleague's SEV1), then what it needs."""
        question = next((q for i in incidents if (q := asks_first(action, i, self.me))), None)
        if question is None:
            self.ask_details(action, incidents, given)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.ask_details(action, incidents, given)

        self.push_screen(Confirm(question), answered)

    def ask_details(self, action: IncidentAction, incidents: list[Incident], given: Given) -> None:
        if action.confirms:  # resolving always asks, with the note typed so far

            def confirmed(note: str | None) -> None:
                if note is not None:
                    self.perform(action, incidents, replace(given, text=note))

            self.push_screen(ConfirmResolve([i.id for i in incidents], given.text), confirmed)
            return
        if action.question is None or action.answered(given):
            self.perform(action, incidents, given)
            return
        asking = dialog(
            action.question, incidents, self.model.directory, self.clock(), redact=self.redact
        )
        if isinstance(asking, str):
            self.notify(asking, severity="warning")
            return

        def answered(answer: object) -> None:
            if answer is not None and answer != "":
                self.perform(action, incidents, asking.given(answer))

        self.push_screen(asking.screen, answered)

    def perform(self, action: IncidentAction, incidents: list[Incident], given: Given) -> None:
        now = self.clock()
        commands = [action.build(i.id, given, now) for i in incidents]
        self.send(action.id, commands, incidents)

    def action_undo(self) -> None:
        if self.options.read_only:
            self.notify(READ_ONLY, severity="warning")
            return
        done = self.last_done
        if done is None or not done.recent:
            self.notify(f"Nothing of yours to undo from the last {UNDO_SECONDS} seconds.")
            return
        commands = undo_commands(done)
        if isinstance(commands, str):
            self.notify(commands, severity="warning")
            return
        self.last_done = None
        self.send(Action.UNDO, commands, [], undoing=done)

    def action_toggle_select(self) -> None:
        self.table.toggle_selected()
        self.table.action_cursor_down()
        self.refresh_bindings()  # the bulk actions offered follow the selection

    def action_copy_id(self) -> None:
        incident_id = self.table.current_id
        if incident_id is None:
            return
        self.copy_to_clipboard(incident_id)
        self.notify(f"Copied {incident_id} to the clipboard.", timeout=2)
