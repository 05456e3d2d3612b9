"""`?`: every key that does something, read from the bindings themselves (so a remapped key
shows as remapped), and the `:` commands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from esctui.tui.command_line import COMMANDS
from esctui.tui.screens.confirm import DIALOG_CSS

Part = str | tuple[str, str]

# Keys are grouped by the first part of their id, in this order.
GROUPS = {
    "incident": "The incident under the cursor (or the selection)",
    "view": "What the queue shows",
    "queue": "Moving in the queue",
    "pane": "Panes",
    "detail": "In the detail pane",
    "app": "The console",
    "kpi": "On the KPI screen (m)",
}


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="HelpScreen")
        + """
    HelpScreen > Vertical { width: 90; height: 90%; }
    HelpScreen VerticalScroll { height: 1fr; }
    """
    )
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="dialog.close")]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        """`keys`: (keys as shown, what it does, binding id)."""
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        parts: list[Part] = []
        width = max((len(k) for k, _, _ in self.keys), default=4)
        group = binding_group
        for name in sorted({group(i) for _, _, i in self.keys}, key=group_order):
            parts.append((f"{GROUPS.get(name, name)}\n", "bold $accent"))
            for keys, description, binding_id in self.keys:
                if group(binding_id) == name:
                    parts.append((f"  {keys:<{width}}  ", "bold"))
                    parts.append(f"{description} ")
                    parts.append((f"[{binding_id}]\n", "$text-muted"))
            parts.append("\n")
        parts.append(("Command line (:)\n", "bold $accent"))
        for name, (arguments, description) in COMMANDS.items():
            parts.append((f"  :{name} {arguments}".ljust(24), "bold"))
            parts.append(f"{description}\n")
        parts.append(
            (
                "\nRemap any key in the config file's [keymap] table by its id, for example\n"
                '  "incident.acknowledge" = "A"\n',
                "$text-muted",
            )
        )
        with Vertical():
            yield Label("esctui help", classes="question")
            with VerticalScroll():
                yield Static(Content.assemble(*parts))
            yield Label("esc closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


def binding_group(binding_id: str) -> str:
    return binding_id.partition(".")[0]


def group_order(name: str) -> int:
    return list(GROUPS).index(name) if name in GROUPS else len(GROUPS)
