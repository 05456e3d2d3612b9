"""Choosing from a list: whom to hand off to, which level to escalate to, how long to snooze."""

from __future__ import annotations

from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from esctui.domain.durations import parse_duration
from esctui.tui.screens.confirm import DIALOG_CSS, steady
from esctui.wording import scrub

# A list takes at most 40% of the terminal's height, so the dialog's hint line stays in sight
# at 24 lines; on a taller terminal the list shows more.
PICKER_CSS = """
{name} OptionList {{ height: auto; max-height: 40vh; margin-top: 1; }}
{name} .problem {{ color: $error; }}
"""


class HandOffPicker(ModalScreen[str | None]):
    """Responders with a fuzzy filter, the incident's on-call responders first."""

    DEFAULT_CSS = DIALOG_CSS.format(name="HandOffPicker") + PICKER_CSS.format(name="HandOffPicker")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("down", "focus_list", "List", show=False, id="dialog.to-list"),
    ]

    def __init__(self, title: str, people: list[tuple[str, str]]) -> None:
        """`people`: (name, what to show beside it), in the order to offer them."""
        super().__init__()
        self.heading = title
        self.people = people

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.heading), classes="question")
            yield steady(Input(placeholder="Type to filter responders", id="filter"))
            yield OptionList(*self.options(""), id="people")
            yield Label("enter hands off · ↓ to the list · esc cancels", classes="hint")

    def options(self, typed: str) -> list[Option]:
        matcher = Matcher(typed) if typed else None
        scored = []
        for order, (name, note) in enumerate(self.people):
            score = matcher.match(f"{name} {note}") if matcher else 1.0
            if score > 0:
                scored.append((-score if matcher else order, order, name, note))
        scored.sort()
        return [
            Option(
                Content.assemble((scrub(name), "bold"), "  ", (scrub(note), "$text-muted")), id=name
            )
            for _, _, name, note in scored
        ]

    @on(Input.Changed, "#filter")
    def refilter(self, event: Input.Changed) -> None:
        people = self.query_one("#people", OptionList)
        people.clear_options()
        people.add_options(self.options(event.value.strip()))
        people.highlighted = 0 if people.option_count else None

    @on(Input.Submitted, "#filter")
    def pick_first(self) -> None:
        people = self.query_one("#people", OptionList)
        index = people.highlighted if people.highlighted is not None else 0
        if people.option_count:
            self.dismiss(people.get_option_at_index(index).id)

    @on(OptionList.OptionSelected, "#people")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one("#people", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class LevelPicker(ModalScreen[int | None]):
    """The policy's levels with who is on call at each; the level chosen."""

    DEFAULT_CSS = DIALOG_CSS.format(name="LevelPicker") + PICKER_CSS.format(name="LevelPicker")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, levels: list[list[str]], current: int) -> None:
        super().__init__()
        self.heading = title
        self.levels = levels
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for number, names in enumerate(self.levels, start=1):
            here = " (now)" if number == self.current else ""
            who = ", ".join(scrub(n) for n in names) or "nobody on call"
            options.append(
                Option(Content.assemble((f"Level {number}{here}  ", "bold"), who), id=str(number))
            )
        with Vertical():
            yield Label(Content(self.heading), classes="question")
            yield OptionList(*options, id="levels")
            yield Label("enter escalates · esc cancels", classes="hint")

    def on_mount(self) -> None:
        levels = self.query_one("#levels", OptionList)
        levels.highlighted = min(self.current, len(self.levels) - 1)
        levels.focus()

    @on(OptionList.OptionSelected, "#levels")
    def picked(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


SNOOZE_CHOICES = ("15m", "30m", "1h", "4h")


class SnoozePicker(ModalScreen[timedelta | None]):
    """15m, 30m, 1h, 4h, or a typed duration."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SnoozePicker") + PICKER_CSS.format(name="SnoozePicker")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("1", "choose(0)", "15m", show=False, id="snooze.15m"),
        Binding("2", "choose(1)", "30m", show=False, id="snooze.30m"),
        Binding("3", "choose(2)", "1h", show=False, id="snooze.1h"),
        Binding("4", "choose(3)", "4h", show=False, id="snooze.4h"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.heading), classes="question")
            yield OptionList(
                *(Option(f"{n}  {c}", id=c) for n, c in enumerate(SNOOZE_CHOICES, start=1)),
                id="choices",
            )
            yield steady(Input(placeholder="or type a duration: 45m, 2h30m", id="typed"))
            yield Label("", id="problem", classes="problem")
            yield Label("1-4 or enter picks · tab to type · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()

    @on(OptionList.OptionSelected, "#choices")
    def picked(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.dismiss(parse_duration(event.option.id))

    @on(Input.Submitted, "#typed")
    def typed(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(parse_duration(event.value))
        except ValueError as error:
            self.query_one("#problem", Label).update(Content(f"{error}."))

    def action_choose(self, index: int) -> None:
        if isinstance(self.focused, Input):
            return
        self.dismiss(parse_duration(SNOOZE_CHOICES[index]))

    def action_cancel(self) -> None:
        self.dismiss(None)
