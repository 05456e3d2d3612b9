"""The bottom line: the keys that apply now, `a acknowledge  h hand off  …`, and the palette key
on the right.

Textual's own footer rebuilds a widget per key whenever the bindings change, which with the
layout pass that follows costs tens of milliseconds; here the keys change with every move of
the cursor and every action (what applies depends on the incident). This is one line of text:
when the keys differ it is drawn again, and nothing else on the screen moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class Key:
    key: str  # what `simulate_key` takes
    shown: str  # what the responder reads: `a`, `^p`, `?`
    description: str
    enabled: bool


KEY_STYLE = "bold $footer-key-foreground"
DISABLED_STYLE = "dim"
GAP = "  "


class KeyBar(Widget):
    """The keys the focused widget, the screen and the app offer now; a click presses one.

    `left_out` names the bindings (by id) not to show however enabled they are: the app keeps
    every incident key live, so that one that does not apply can say why, and offers here
    only those that do."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    """

    def __init__(self, *, id: str | None = None, left_out: Callable[[], set[str]] = set) -> None:
        super().__init__(id=id)
        self.left_out = left_out
        self.keys: tuple[Key, ...] = ()
        self.palette: Key | None = None
        self.spans: list[tuple[int, int, Key]] = []  # where each key was drawn, for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        keys: list[Key] = []
        palette: Key | None = None
        seen: set[str] = set()
        left_out = self.left_out()
        for active in screen.active_bindings.values():
            binding = active.binding
            key = Key(
                key=binding.key,
                shown=self.app.get_key_display(binding),
                description=binding.description,
                enabled=active.enabled,
            )
            if binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = key if self.app.ENABLE_COMMAND_PALETTE else None
            elif binding.show and binding.action not in seen and binding.id not in left_out:
                seen.add(binding.action)  # one key per action, like Textual's footer
                keys.append(key)
        if tuple(keys) != self.keys or palette != self.palette:
            self.keys, self.palette = tuple(keys), palette
            self.refresh()

    def render(self) -> Content:
        width = self.size.width
        right = self.piece(self.palette) if self.palette else Content("")
        room = width - right.cell_length - (2 if self.palette else 0)
        parts: list[Content] = [Content(" ")]
        used = 1
        self.spans = []
        for key in self.keys:
            piece = self.piece(key)
            if used + piece.cell_length > room:
                break
            self.spans.append((used, used + piece.cell_length, key))
            parts += [piece, Content(GAP)]
            used += piece.cell_length + len(GAP)
        line = Content("").join(parts)
        if self.palette is not None:
            start = max(used, width - right.cell_length - 1)
            line = line.pad_right(start - line.cell_length) + right
            self.spans.append((start, start + right.cell_length, self.palette))
        return line

    @staticmethod
    def piece(key: Key) -> Content:
        piece = Content.assemble((key.shown, KEY_STYLE), " ", key.description)
        return piece if key.enabled else piece.stylize(DISABLED_STYLE)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self.spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
