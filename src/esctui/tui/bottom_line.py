"""The bottom line: `/` opens it as the filter, which narrows the queue as one types; `:` opens
it as the command line, whose requests (parsed in `command_line.py`) are carried out here."""

from __future__ import annotations

from textual.widgets import Input

from esctui.tui.actions import Given
from esctui.tui.command_line import ACTION_LINES, Request
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
        if name in ACTION_LINES:  # an incident action: through the same door as its key
            given = Given(text=request.text, level=request.level, duration=request.duration)
            self.request(ACTION_LINES[name].id, given)
        elif name in ("undo", "help", "quit"):
            self.run_from_palette(name)
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
            wanted = self.incident_named(request.text.strip())
            if wanted not in self.model.incidents:
                self.notify(
                    f"There is no incident {scrub(wanted)} in this queue.", severity="error"
                )
            else:
                self.go_to(wanted)

    def incident_named(self, typed: str) -> str:
        """The id `typed` names: itself where an incident has it (a platform's ids are
        case-sensitive), else the one id it matches in any case (`inc-12`)."""
        if typed in self.model.incidents:
            return typed
        alike = [i for i in self.model.incidents if i.casefold() == typed.casefold()]
        return alike[0] if len(alike) == 1 else typed
