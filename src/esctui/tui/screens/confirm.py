"""Questions with a yes: resolving (with an optional note), dropping typed text, and any other
question an action must ask first."""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

W = TypeVar("W", Input, TextArea)


def steady(widget: W) -> W:
    """No blinking cursor: over SSH every blink is a repaint sent down the line."""
    widget.cursor_blink = False
    return widget


DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 72; max-width: 100%; height: auto; max-height: 90%;
    border: thick $primary 60%; background: $surface; padding: 1 2;
}}
{name} .question {{ margin-bottom: 1; text-style: bold; }}
{name} .hint {{ color: $text-muted; margin-top: 1; }}
{name} Horizontal {{ height: auto; margin-top: 1; }}
{name} Button {{ margin-right: 2; }}
"""


class ConfirmResolve(ModalScreen[str | None]):
    """`Resolve INC-1 and INC-2?` with a note field; the note ("" for none), or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmResolve")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, incident_ids: list[str], note: str = "") -> None:
        super().__init__()
        self.incident_ids = incident_ids
        self.note = note

    def compose(self) -> ComposeResult:
        shown = ", ".join(self.incident_ids[:5])
        more = f" and {len(self.incident_ids) - 5} more" if len(self.incident_ids) > 5 else ""
        with Vertical():
            yield Label(Content(f"Resolve {shown}{more}?"), classes="question")
            yield steady(Input(self.note, placeholder="Resolution note (optional)", id="note"))
            with Horizontal():
                yield Button("Resolve", variant="success", id="yes")
                yield Button("Cancel", id="no")
            yield Label("enter resolves · esc cancels", classes="hint")

    def on_input_submitted(self) -> None:
        self.dismiss(self.query_one("#note", Input).value.strip())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "yes":
            self.dismiss(self.query_one("#note", Input).value.strip())
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A question with a yes (`y`) and a no (`n`, `esc`): True for yes."""

    DEFAULT_CSS = DIALOG_CSS.format(name="Confirm")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.question), classes="question")
            with Horizontal():
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button(f"{self.no} (n)", variant="primary", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConfirmDiscard(Confirm):
    """`Drop what you typed?`: True to drop it."""

    def __init__(self, what: str = "what you typed") -> None:
        super().__init__(f"Drop {what}?", "Drop it", "Keep editing")
