"""Every key of the console, each with an id a keymap can name: the app's own (help, palette,
quit: on every screen); the queue screen's (the incident actions' from their table, then undo,
selection, the views and the panes); and the queue's and the detail pane's own (in force while
each has the keys). The keymap from the config file is checked against them before it is used:
a key given to two bindings would silently do one of them, so it is refused with a sentence."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType

from esctui.tui.actions import ACTIONS
from esctui.tui.widgets.detail import IncidentDetail
from esctui.tui.widgets.queue_table import QueueTable

APP_BINDINGS: list[BindingType] = [
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette"),
    Binding("q", "quit", "Quit", id="app.quit"),
]

QUEUE_BINDINGS: list[BindingType] = [
    *(
        Binding(a.key, f"incident('{a.id}')", a.label, show=a.show, id=a.binding)
        for a in ACTIONS.values()
    ),
    Binding("space", "toggle_select", "Select", show=False, id="incident.select"),
    Binding("z", "undo", "Undo", show=False, id="incident.undo"),
    Binding("y", "copy_id", "Copy id", show=False, id="incident.copy-id"),
    Binding("Y", "copy_runbook", "Copy runbook URL", show=False, id="incident.copy-runbook"),
    Binding("1", "view('mine')", "Mine", show=False, id="view.mine"),
    Binding("2", "view('unacknowledged')", "Unacked", show=False, id="view.unacknowledged"),
    Binding("3", "view('open')", "Open", show=False, id="view.open"),
    Binding("4", "view('breaching')", "Breaching", show=False, id="view.breaching"),
    Binding("5", "view('resolved')", "Resolved", show=False, id="view.resolved"),
    Binding("6", "view('updates')", "Updates due", show=False, id="view.updates"),
    Binding("7", "view('team')", "My team", show=False, id="view.team"),
    Binding("m", "metrics", "KPIs", id="view.metrics"),
    Binding("ctrl+r", "refresh", "Read the platform again", show=False, id="view.refresh"),
    Binding("S", "cycle_sort", "Sort", show=False, id="view.sort"),
    Binding("slash", "open_filter", "Filter", id="view.filter"),
    Binding(
        "escape",
        "step_back",
        "Back: out of the detail pane, the line, the filter or the selection",
        show=False,
        id="view.back",
    ),
    Binding("enter", "open_detail", "Into the detail pane", show=False, id="pane.detail"),
    Binding(
        "tab",
        "switch_pane",
        "Into the detail pane; there, its next tab",
        show=False,
        id="pane.switch",
        priority=True,
    ),
    Binding("colon", "open_command_line", "Cmd", show=False, id="app.command-line"),
]
CONSOLE_BINDINGS: list[BindingType] = [*QUEUE_BINDINGS, *APP_BINDINGS]


def main_screen_bindings() -> list[Binding]:
    """The console's bindings and the queue's: all in force at once while the queue has the
    keys."""
    return [b for b in [*CONSOLE_BINDINGS, *QueueTable.BINDINGS] if isinstance(b, Binding)]


def detail_pane_bindings() -> list[Binding]:
    """The console's bindings and the detail pane's: in force at once while the pane has the
    keys (its `j`, `k`, `g`, ... scroll it instead of moving in the queue)."""
    return [b for b in [*CONSOLE_BINDINGS, *IncidentDetail.BINDINGS] if isinstance(b, Binding)]


def kpi_screen_bindings() -> list[Binding]:
    """The app's bindings and the KPI screen's: in force at once there."""
    from esctui.tui.kpi.screen import KPI_BINDINGS

    return [b for b in [*APP_BINDINGS, *KPI_BINDINGS] if isinstance(b, Binding)]


def every_binding() -> list[Binding]:
    """Every key of every screen, wherever the keys are: for help and the keymap."""
    pane = [b for b in IncidentDetail.BINDINGS if isinstance(b, Binding)]
    kpi = [b for b in kpi_screen_bindings() if b.id and b.id.startswith("kpi.")]
    return [*main_screen_bindings(), *pane, *kpi]


def key_name(key: str) -> str:
    """A key as Textual names it: `?` is `question_mark`, `a` stays `a`."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        return unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key


def clash(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> str | None:
    """The sentence naming the first key two of `bindings` (all in force on one screen) would
    share once `keymap` is applied; None when every key does one thing."""
    holders: dict[str, str] = {}
    for binding in bindings:
        if binding.id is None:
            continue
        for key in keymap.get(binding.id, binding.key).split(","):
            other = holders.setdefault(key_name(key), binding.id)
            if other != binding.id:
                first, second = sorted((other, binding.id))
                return (
                    f"The keymap gives {key.strip()} to both {first} and {second}: give each "
                    "binding a key of its own in the [keymap] table of the config file."
                )
    return None


def clash_anywhere(keymap: Mapping[str, str]) -> str | None:
    """The first clash (see `clash`) among the keys in force at once, wherever the keys are."""
    for bindings in (main_screen_bindings(), detail_pane_bindings(), kpi_screen_bindings()):
        refused = clash(bindings, keymap)
        if refused is not None:
            return refused
    return None


def unknown(keymap: Mapping[str, str]) -> str | None:
    """The warning for keymap entries that name no binding; None when all are known."""
    known = {b.id for b in every_binding()}
    names = sorted(set(keymap) - known)
    if not names:
        return None
    return f"The keymap names bindings that do not exist: {', '.join(names)}."
