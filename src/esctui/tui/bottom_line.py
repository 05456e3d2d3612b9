"""The bottom line: `/` opens it as the filter, which narrows the queue as one types; `:` opens
it as the command line, whose requests (parsed in `command_line.py`) are carried out here."""

from __future__ import annotations

from textual.widgets import Input

from esctui.domain import commands as c
from esctui.tui.command_line import Request
from esctui.tui.console_part import ConsolePart
from esctui.wording import scrub


class BottomLine(ConsolePart):
    """Mixed into `ConsoleApp`: opening and closing the bottom line, and running what was
    typed on it. (Its `@on` handlers are declared on `ConsoleApp` itself.)"""

    def open_line(self, mode: str, value: str = "") -> None:
        line = self.query_one("#line", Input)
        self.line_mode = mode
        line.placeholder = (
            "filter: id, title, service, assignee, customer, label"
            if mode == ("filter")
            else "command: ack, esc 2, handoff bob, snooze 30m, note …, theme NAME"
        )
        line.value = value
        line.add_class("open")
        # Now, not later: keys typed right after `/` (a paste, a fast typist over SSH) must go
        # to the line, not to the queue, where `a` would acknowledge.
        self.screen.set_focus(line)

    def close_line(self) -> None:
        line = self.query_one("#line", Input)
        line.remove_class("open")
        self.line_mode = ""
        self.table.focus()

    def action_open_filter(self) -> None:
        self.open_line("filter", self.model.filter_text)

    def action_open_command_line(self) -> None:
        self.open_line("command")

    def run_request(self, request: Request) -> None:
        name = request.name
        simple = {
            "ack": "acknowledge",
            "comm": "log_communication",
            "undo": "undo",
            "help": "help",
            "quit": "quit",
        }
        if name in simple:
            self.run_from_palette(simple[name])
        elif name == "esc":
            incidents = self.targets("escalate")
            self.send(
                [c.Escalate(incident=i.id, level=request.level) for i in incidents], incidents
            )
        elif name == "unack":
            incidents = self.targets("unacknowledge")
            self.send(
                [c.Unacknowledge(incident=i.id, reason=request.text) for i in incidents], incidents
            )
        elif name == "handoff":
            to, _, note = request.text.partition(" ")
            incidents = self.targets("hand_off")
            self.send(
                [c.HandOff(incident=i.id, to=to, note=note.strip()) for i in incidents], incidents
            )
        elif name == "snooze":
            assert request.duration is not None
            until = self.clock() + request.duration
            incidents = self.targets("snooze")
            self.send([c.Snooze(incident=i.id, until=until) for i in incidents], incidents)
        elif name == "resolve":
            incidents = self.targets("resolve")
            self.send([c.Resolve(incident=i.id, note=request.text) for i in incidents], incidents)
        elif name == "reopen":
            incidents = self.targets("reopen")
            self.send([c.Reopen(incident=i.id, reason=request.text) for i in incidents], incidents)
        elif name == "note":
            incidents = self.targets("add_note")
            self.send([c.AddNote(incident=i.id, text=request.text) for i in incidents], incidents)
        elif name == "theme":
            self.action_use_theme(request.text)
        elif name == "view":
            assert request.view is not None
            self.action_view(request.view)
        elif name == "sort":
            self.model.sort = request.text  # type: ignore[assignment]
            self.action_view(self.model.view)
        elif name == "filter":
            self.set_filter(request.text)
        elif name == "go":
            wanted = request.text.upper()
            if wanted not in self.model.incidents:
                self.notify(
                    f"There is no incident {scrub(wanted)} in this queue.", severity="error"
                )
            else:
                self.go_to(wanted)
