"""Writing things down: a note (multi-line), and a communication with the outside world."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, TextArea

from esctui.domain.models import Channel, Direction
from esctui.tui.screens.confirm import DIALOG_CSS, ConfirmDiscard, steady

# The fields are named on their borders and a problem takes a line only when there is one, so
# both dialogs fit 24 lines with their hint line (which names ctrl+s) in sight.
FORM_CSS = """
{name} TextArea {{ height: 8; max-height: 25vh; min-height: 3; }}
{name} Select {{ width: 1fr; }}
{name} .problem {{ color: $error; display: none; }}
{name} .problem.said {{ display: block; }}
"""


def say_problem(label: Label, problem: str) -> None:
    label.update(problem)
    label.set_class(bool(problem), "said")


class NoteEditor(ModalScreen[str | None]):
    """A multi-line note: ctrl+s saves; esc asks before dropping what was typed."""

    DEFAULT_CSS = DIALOG_CSS.format(name="NoteEditor") + FORM_CSS.format(name="NoteEditor")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="dialog.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", priority=True),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.heading = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.heading), classes="question")
            yield steady(TextArea(self.text, id="text", soft_wrap=True, show_line_numbers=False))
            yield Label("", id="problem", classes="problem")
            yield Label("ctrl+s saves · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one("#text", TextArea).text.strip()
        if not text:
            say_problem(self.query_one("#problem", Label), "A note needs some text.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if not self.query_one("#text", TextArea).text.strip():
            self.dismiss(None)
            return

        def answered(drop: bool | None) -> None:
            if drop:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard("this note"), answered)


@dataclass(frozen=True)
class CommunicationInput:
    channel: Channel
    direction: Direction
    counterpart: str
    summary: str
    csat: int | None = None


class CommunicationForm(ModalScreen[CommunicationInput | None]):
    """Channel, direction, the customer's satisfaction (inbound), with whom, and what was
    said: ctrl+t puts in the severity's update template, ctrl+s logs it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CommunicationForm") + FORM_CSS.format(
        name="CommunicationForm"
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Log it", id="dialog.save", priority=True),
        Binding("ctrl+t", "template", "Template", id="dialog.template", priority=True),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, counterpart: str = "", template: str = "") -> None:
        """`template`: the update template of the incident's severity, filled in."""
        super().__init__()
        self.heading = title
        self.counterpart = counterpart
        self.template = template

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.heading), classes="question")
            with Horizontal():
                yield Select(
                    [(c.value, c) for c in Channel],
                    value=Channel.EMAIL,
                    allow_blank=False,
                    id="channel",
                )
                yield Select(
                    [
                        ("we told them", Direction.OUTBOUND),
                        ("they told us", Direction.INBOUND),
                    ],
                    value=Direction.OUTBOUND,
                    allow_blank=False,
                    id="direction",
                )
                yield Select(
                    [(f"satisfaction {n}/5", n) for n in range(5, 0, -1)],
                    prompt="satisfaction",
                    id="csat",
                )
            counterpart = Input(self.counterpart, placeholder="Customer, team or person")
            counterpart.id = "counterpart"
            counterpart.border_title = "with whom"
            yield steady(counterpart)
            summary = TextArea("", id="summary", soft_wrap=True)
            summary.border_title = "what was said"
            yield steady(summary)
            yield Label("", id="problem", classes="problem")
            template = "ctrl+t the update template · " if self.template else ""
            yield Label(f"{template}ctrl+s logs it · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#counterpart", Input).focus()

    def action_template(self) -> None:
        if self.template:
            summary = self.query_one("#summary", TextArea)
            summary.text = self.template
            summary.focus()

    @on(Input.Submitted, "#counterpart")
    def to_summary(self) -> None:
        self.query_one("#summary", TextArea).focus()

    def action_save(self) -> None:
        counterpart = self.query_one("#counterpart", Input).value.strip()
        summary = self.query_one("#summary", TextArea).text.strip()
        problem = self.query_one("#problem", Label)
        if not counterpart:
            say_problem(problem, "Say with whom: a customer, a team or a person.")
            return
        if not summary:
            say_problem(problem, "Say what was said, in a line or two.")
            return
        channel = self.query_one("#channel", Select).value
        direction = self.query_one("#direction", Select).value
        assert isinstance(channel, Channel) and isinstance(direction, Direction)
        chosen = self.query_one("#csat", Select).value
        csat = chosen if isinstance(chosen, int) else None
        if csat is not None and direction is not Direction.INBOUND:
            say_problem(problem, "A satisfaction score is what the customer said: inbound.")
            return
        self.dismiss(CommunicationInput(channel, direction, counterpart, summary, csat))

    def action_cancel(self) -> None:
        if not self.query_one("#summary", TextArea).text.strip():
            self.dismiss(None)
            return

        def answered(drop: bool | None) -> None:
            if drop:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard("this communication"), answered)
