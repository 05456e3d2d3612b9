"""Questions with a yes: resolving (with an optional note), and dropping typed text."""

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

    def __init__(self, incident_ids: list[str]) -> None:
        super().__init__()
        self.incident_ids = incident_ids

    def compose(self) -> ComposeResult:
        shown = ", ".join(self.incident_ids[:5])
        more = f" and {len(self.incident_ids) - 5} more" if len(self.incident_ids) > 5 else ""
        with Vertical():
            yield Label(Content(f"Resolve {shown}{more}?"), classes="question")
            yield steady(Input(placeholder="Resolution note (optional)", id="note"))
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


class ConfirmDiscard(ModalScreen[bool]):
    """`Drop what you typed?`: True to drop it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDiscard")
    BINDINGS = [
        Binding("y", "answer(True)", "Drop it", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "Keep editing", id="dialog.no"),
    ]

    def __init__(self, what: str = "what you typed") -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"Drop {self.what}?"), classes="question")
            with Horizontal():
                yield Button("Drop it (y)", variant="error", id="yes")
                yield Button("Keep editing (n)", variant="primary", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, drop: bool) -> None:
        self.dismiss(drop)
