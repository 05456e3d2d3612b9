"""The bottom line: `/` opens it as the filter, which narrows the queue as one types; `:` opens
it as the command line. It keeps which of the two it is, and tells the screen what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.message import Message
from textual.widgets import Input

Mode = Literal["", "filter", "command"]
PLACEHOLDERS = {
    "filter": "filter: id, title, service, assignee, customer, label",
    "command": "command: ack, esc 2, handoff bob, snooze 30m, reroute NAME, team NAME, metrics",
}


class BottomLine(Input):
    """One line of input under the queue, closed until `/` or `:` opens it (the class `open`
    shows it: see `queue.tcss`)."""

    @dataclass
    class FilterTyped(Message):
        """The filter now reads `text`."""

        text: str

    @dataclass
    class CommandEntered(Message):
        """`text` was typed after `:` and entered."""

        text: str

    class Closed(Message):
        """The line closed: the keys go back to the queue."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.cursor_blink = False  # over SSH every blink is a repaint sent down the line
        self.mode: Mode = ""

    def open(self, mode: Mode, value: str = "") -> None:
        self.mode = mode
        self.placeholder = PLACEHOLDERS.get(mode, "")
        self.value = value
        self.add_class("open")
        # Now, not later: keys typed right after `/` (a paste, a fast typist over SSH) must go
        # to the line, not to the queue, where `a` would acknowledge.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.remove_class("open")
        self.mode = ""
        self.post_message(self.Closed())

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode == "filter":
            self.post_message(self.FilterTyped(event.value.strip()))

    @on(Input.Submitted)
    def entered(self, event: Input.Submitted) -> None:
        event.stop()
        mode = self.mode
        self.close()
        if mode == "command" and event.value.strip():
            self.post_message(self.CommandEntered(event.value))
