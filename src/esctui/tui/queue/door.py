"""Every request for an incident action, whichever key, `:` command or palette entry asked for
it, goes through `IncidentDoor.request`: it decides whether the action is offered (a read-only
console offers none; the rules say which apply to each incident; an action already waiting in
the outbox is not queued twice), asks what must be asked (every resolve asks), and sends the
commands in the order they were asked for. `z` takes back my last action the same way."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from textual.screen import Screen

from esctui.backends.base import ActionQueued, Backend, StoreError
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.actions import Action
from esctui.domain.errors import DomainError
from esctui.domain.models import Incident
from esctui.tui.actions import ACTIONS, Given, IncidentAction, asks_first, offered, why_not
from esctui.tui.live import LiveQueue
from esctui.tui.queued import Queued
from esctui.tui.undo import UNDO_SECONDS, Done, undo_commands, undone
from esctui.tui.widgets.queue_table import QueueTable

READ_ONLY = "This console is read-only (--read-only): it changes nothing."


@dataclass(frozen=True)
class Standing:
    """Who acts, and how: what the door needs to know of the console it serves."""

    me: str
    read_only: bool
    redact: bool
    zone: tzinfo
    clock: Callable[[], datetime]


class IncidentDoor:
    """The one door for incident actions on the queue screen `screen`: offered, asked, sent;
    and undo. It keeps what this console put in the outbox, and my last action."""

    def __init__(
        self,
        screen: Screen[Any],
        table: QueueTable,
        backend: Backend,
        live: LiveQueue,
        standing: Standing,
    ) -> None:
        self.screen = screen
        self.table = table
        self.backend = backend
        self.live = live
        self.model = live.model
        self.standing = standing
        self.queued = Queued()  # what this console put in the outbox, until it is sent
        self.last_done: Done | None = None
        self.acting = asyncio.Lock()

    def notify(self, message: str, **how: Any) -> None:
        self.screen.app.notify(message, **how)

    # -- what is offered -----------------------------------------------------------------------

    def offered(self, incident: Incident) -> set[Action]:
        """The actions offered on `incident` now: the one answer the bottom line, the palette
        and every request go by (from the rules; a read-only console offers none)."""
        if self.standing.read_only:
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

    # -- asking ----------------------------------------------------------------------------

    def request(self, action_id: Action, given: Given | None = None) -> None:
        """Do `action_id` on its incidents, if it is offered, once asked what must be asked."""
        action = ACTIONS[action_id]
        if self.standing.read_only:
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
            return why_not(self.backend, incident, action, self.standing.clock())
        if not action.repeats and self.queued.holds(incident.id, action.id):
            return (
                f"You already asked to {action.verb} {incident.id}: that waits in the outbox "
                "and is sent when the server can be reached."
            )
        return None

    def ask(self, action: IncidentAction, incidents: list[Incident], given: Given) -> None:
        """Ask first where the action must (a colleague's SEV1), then what it needs. The
        dialogs (with Textual's text area and inputs) are loaded when first asked for, not as
        the console starts: 20 ms sooner to the first paint."""
        me = self.standing.me
        question = next((q for i in incidents if (q := asks_first(action, i, me))), None)
        if question is None:
            self.ask_details(action, incidents, given)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.ask_details(action, incidents, given)

        from esctui.tui.screens.confirm import Confirm  # dialogs load when first asked

        self.screen.app.push_screen(Confirm(question), answered)

    def ask_details(self, action: IncidentAction, incidents: list[Incident], given: Given) -> None:
        app = self.screen.app
        if action.confirms:  # resolving always asks, with the note typed so far

            def confirmed(note: str | None) -> None:
                if note is not None:
                    self.perform(action, incidents, replace(given, text=note))

            from esctui.tui.screens.confirm import ConfirmResolve

            app.push_screen(ConfirmResolve([i.id for i in incidents], given.text), confirmed)
            return
        if action.question is None or action.answered(given):
            self.perform(action, incidents, given)
            return
        from esctui.tui.questions import dialog

        asking = dialog(
            action.question,
            incidents,
            self.model.directory,
            self.standing.clock(),
            redact=self.standing.redact,
        )
        if isinstance(asking, str):
            self.notify(asking, severity="warning")
            return

        def answered(answer: object) -> None:
            if answer is not None and answer != "":
                self.perform(action, incidents, asking.given(answer))

        app.push_screen(asking.screen, answered)

    def perform(self, action: IncidentAction, incidents: list[Incident], given: Given) -> None:
        now = self.standing.clock()
        commands = [action.build(i.id, given, now) for i in incidents]
        self.send(action.id, commands, incidents)

    # -- undo ------------------------------------------------------------------------------

    def undo(self) -> None:
        if self.standing.read_only:
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

    # -- sending ---------------------------------------------------------------------------

    def send(
        self,
        action: Action,
        commands: list[c.AnyCommand],
        incidents: list[Incident],
        *,
        undoing: Done | None = None,
    ) -> None:
        """Send `commands` in order. Each expects the incident as I saw it, and as my actions
        still waiting in the outbox will have made it; an undo names its own version."""
        if commands:
            seen = {} if undoing else {i.id: self.queued.expected(i) for i in incidents}
            self.screen.run_worker(
                self.act(action, commands, seen, undoing), group="act", exit_on_error=False
            )

    async def act(
        self,
        action: Action,
        commands: list[c.AnyCommand],
        seen: dict[str, int],
        undoing: Done | None,
    ) -> None:
        changed: dict[str, e.AnyEvent] = {}
        async with self.acting:  # one at a time, in the order they were asked for
            for command in commands:
                event = await self.execute(action, command, seen)
                if event is not None:
                    changed[event.incident] = event
        if len(commands) > 1:
            self.table.clear_selection()
        if undoing is None:
            self.last_done = Done(changed, time.monotonic())
        elif changed:
            said = undone(undoing, changed, self.standing.zone)
            self.notify(said, title="Undone", timeout=8, markup=False)

    async def execute(
        self, action: Action, command: c.AnyCommand, seen: dict[str, int]
    ) -> e.AnyEvent | None:
        """Send one command, expecting the version `seen`; the event it made, or None
        (queued, refused, not saved)."""
        assert isinstance(command, c.IncidentCommand)
        version = seen.get(command.incident)
        try:
            recorded = await self.backend.execute(
                command, actor=self.standing.me, expected_version=version, queue_offline=True
            )
        except ActionQueued as queued:
            self.queued.add(command.incident, action)
            self.table.mark_waiting(self.queued.incidents)
            self.notify(str(queued), severity="warning")
            self.live.tell_outbox()
            return None
        except DomainError as refused:
            self.notify(str(refused), title="Refused", severity="error", timeout=8)
            self.live.resync()  # whoever was faster: show what is true now, not what was
            return None
        except StoreError as failed:
            self.notify(str(failed), title="Not saved", severity="error", timeout=15)
            return None
        self.live.fold(recorded.changes)
        return recorded.changes[-1].event if recorded.changes else None

    def forget_sent(self) -> None:
        """Once nothing waits in the outbox any more, the marks of what waited there go."""
        if self.queued.incidents and not self.backend.waiting:
            self.queued.sent()
            self.table.mark_waiting(set())
