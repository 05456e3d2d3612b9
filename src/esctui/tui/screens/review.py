"""The review of a resolved incident: its cause, what happened, what went well or not, and a
follow-up action (owner, due date, what); ctrl+s records it."""

from __future__ import annotations

from datetime import date

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, TextArea

from esctui.domain import commands as c
from esctui.domain.models import CauseCategory
from esctui.tui.screens.confirm import DIALOG_CSS, ConfirmDiscard, steady
from esctui.tui.screens.forms import FORM_CSS, say_problem

REVIEW_CSS = """
ReviewForm TextArea { height: 4; }
ReviewForm Input { width: 1fr; }
"""


class ReviewForm(ModalScreen[c.RecordReview | None]):
    """The review, as a command for the incident the door fills in (`incident` is left
    empty here)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ReviewForm") + FORM_CSS.format(name="ReviewForm") + REVIEW_CSS
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Record it", id="dialog.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, owner: str, due: date) -> None:
        super().__init__()
        self.heading = title
        self.owner = owner
        self.due = due

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.heading), classes="question")
            yield Select(
                [(cause.value, cause) for cause in CauseCategory],
                prompt="cause",
                id="cause",
            )
            summary = TextArea("", id="summary", soft_wrap=True)
            summary.border_title = "what happened"
            yield steady(summary)
            with Horizontal():
                yield self.field("went-well", "what went well")
                yield self.field("went-badly", "what did not")
            with Horizontal():
                yield self.field("owner", "follow-up owner", self.owner)
                yield self.field("due", "due", self.due.isoformat())
            yield self.field("action", "follow-up action (optional)")
            yield Label("", id="problem", classes="problem")
            yield Label("ctrl+s records it · esc cancels", classes="hint")

    @staticmethod
    def field(name: str, title: str, value: str = "") -> Input:
        found = steady(Input(value, id=name))
        found.border_title = title
        return found

    def on_mount(self) -> None:
        self.query_one("#cause", Select).focus()

    def text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def action_save(self) -> None:
        problem = self.query_one("#problem", Label)
        cause = self.query_one("#cause", Select).value
        summary = self.query_one("#summary", TextArea).text.strip()
        if not isinstance(cause, CauseCategory):
            say_problem(problem, "Choose the cause.")
            return
        if not summary:
            say_problem(problem, "Say what happened, in a line or two.")
            return
        follow_ups: tuple[c.FollowUpItem, ...] = ()
        if self.text("action"):
            try:
                due = date.fromisoformat(self.text("due"))
            except ValueError:
                say_problem(problem, "Write the due date as 2026-12-01.")
                return
            try:
                item = c.FollowUpItem(action=self.text("action"), owner=self.text("owner"), due=due)
                follow_ups = (msgspec.convert(msgspec.to_builtins(item), c.FollowUpItem),)
            except msgspec.ValidationError:
                say_problem(problem, "Name the follow-up's owner.")
                return
        self.dismiss(
            c.RecordReview(
                incident="",
                cause=cause,
                summary=summary,
                went_well=self.text("went-well"),
                went_badly=self.text("went-badly"),
                follow_ups=follow_ups,
            )
        )

    def action_cancel(self) -> None:
        if not self.query_one("#summary", TextArea).text.strip():
            self.dismiss(None)
            return

        def answered(drop: bool | None) -> None:
            if drop:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard("this review"), answered)
