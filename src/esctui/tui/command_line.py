"""The `:` command line: `:ack`, `:esc 2`, `:handoff bob`, `:snooze 30m`, `:note text`,
`:theme NAME`, `:view 2`. Parsing only; the app carries requests out. The incident actions'
commands, and what each takes, come from their table (`actions.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from esctui.domain.durations import parse_duration
from esctui.listing import SORTS
from esctui.tui.actions import ACTIONS
from esctui.tui.queue_model import VIEWS, View

# The incident actions' commands, by name.
ACTION_LINES = {action.line: action for action in ACTIONS.values() if action.line}

# Every command, its arguments and what it does: the help screen and the palette read this.
COMMANDS: dict[str, tuple[str, str]] = {
    **{name: (action.usage, action.explains) for name, action in ACTION_LINES.items()},
    "theme": ("NAME", "switch the theme (saved to the config file)"),
    "view": ("1-7|NAME", "switch the view"),
    "sort": ("NAME", f"sort by {', '.join(SORTS)}"),
    "filter": ("TEXT", "show only incidents matching TEXT"),
    "go": ("ID", "put the cursor on an incident"),
    "team": ("NAME", "show a team's queue (view 7)"),
    "metrics": ("", "the KPIs: response times, escalations, customer updates, satisfaction"),
    "refresh": ("", "read Alertmanager or PagerDuty again as a whole, now"),
    "undo": ("", "take back my last action"),
    "help": ("", "show the keys and commands"),
    "quit": ("", "leave esctui"),
}
ALIASES = {
    "a": "ack",
    "acknowledge": "ack",
    "escalate": "esc",
    "e": "esc",
    "h": "handoff",
    "hand-off": "handoff",
    "r": "resolve",
    "n": "note",
    "q": "quit",
    "s": "snooze",
    "v": "view",
    "communication": "comm",
    "kpi": "metrics",
    "kpis": "metrics",
}


class CommandLineError(ValueError):
    """What was typed cannot be run; the message says why in a sentence."""


@dataclass(frozen=True)
class Request:
    """A parsed command line: the command's name and its checked argument."""

    name: str
    text: str = ""
    level: int | None = None
    duration: timedelta | None = None
    view: View | None = None


def parse(line: str) -> Request:
    """`line` (without the leading `:`) as a request, or `CommandLineError`."""
    words = line.strip().removeprefix(":").strip().split(maxsplit=1)
    if not words:
        raise CommandLineError("Type a command, such as :ack or :snooze 30m (:help lists them).")
    name = ALIASES.get(words[0].lower(), words[0].lower())
    rest = words[1].strip() if len(words) > 1 else ""
    if name not in COMMANDS:
        raise CommandLineError(f"There is no command {words[0]!r}; :help lists them.")
    usage = f":{name} {COMMANDS[name][0]}".rstrip()
    needs_argument = COMMANDS[name][0] and not COMMANDS[name][0].startswith("[")
    if needs_argument and not rest:
        raise CommandLineError(f"{usage} needs {COMMANDS[name][0].split()[0]}.")
    argument = ACTION_LINES[name].argument if name in ACTION_LINES else ""
    if argument == "level":
        if not rest:
            return Request(name)
        if not rest.isdigit() or int(rest) < 1:
            raise CommandLineError(f"{usage}: the level is a number from 1, not {rest!r}.")
        return Request(name, level=int(rest))
    if argument == "duration":
        try:
            return Request(name, duration=parse_duration(rest))
        except ValueError as error:
            raise CommandLineError(f"{usage}: {error}.") from None
    if name == "view":
        return Request(name, view=view_named(rest))
    if name == "sort" and rest not in SORTS:
        raise CommandLineError(f":sort takes one of {', '.join(SORTS)}, not {rest!r}.")
    if not COMMANDS[name][0] and rest:
        raise CommandLineError(f"{usage} takes nothing after it.")
    return Request(name, text=rest)


def view_named(text: str) -> View:
    """A view by its number (1-5) or name (`mine`, `breaching`, ...)."""
    lowered = text.lower()
    if lowered.isdigit() and 1 <= int(lowered) <= len(VIEWS):
        return VIEWS[int(lowered) - 1]
    for view in VIEWS:
        if view.startswith(lowered) and lowered:
            return view
    raise CommandLineError(
        f":view takes 1-{len(VIEWS)} or one of {', '.join(VIEWS)}, not {text!r}."
    )
