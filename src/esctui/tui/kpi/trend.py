"""A trend as bars in the terminal: one bar per hour, day or week, in block characters with
eighths, in the theme's accent colour (one colour: it reads the same in 16 colours and under
NO_COLOR). A period with nothing to show is a dot on the baseline."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from esctui.tui.kpi.figures import seconds

EIGHTHS = " ▁▂▃▄▅▆▇█"
ROWS = 4
LABEL = 8  # the scale on the left: `2h05m  `


def bars(values: Sequence[float | None], rows: int, width: int) -> list[str]:
    """`rows` lines of text, top first, each bar `width` cells wide."""
    top = max((v for v in values if v is not None), default=0.0)
    lines = []
    for row in range(rows - 1, -1, -1):
        line = []
        for value in values:
            if value is None:
                line.append(("·" if row == 0 else " ").center(width))
                continue
            eighths = round(value / top * rows * 8) if top else 0
            filled = min(8, max(0, eighths - row * 8))
            if row == 0 and value > 0:
                filled = max(1, filled)
            line.append(EIGHTHS[filled] * max(1, width - 1) + " " * (width > 1))
        lines.append("".join(line))
    return lines


class Trend(Widget):
    """A titled bar chart of one series (seconds), with its highest value as the scale."""

    DEFAULT_CSS = """
    Trend { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = ""
        self.values: list[float | None] = []
        self.first = ""
        self.last = ""

    def show(self, title: str, values: list[float | None], first: str, last: str) -> None:
        self.title, self.values, self.first, self.last = title, values, first, last
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return ROWS + 2

    def render(self) -> Content:
        width = self.content_size.width
        room = max(1, width - LABEL)
        bar = max(1, min(4, room // max(1, len(self.values))))
        top = max((v for v in self.values if v is not None), default=None)
        lines = bars(self.values, ROWS, bar)
        parts: list[str | tuple[str, str]] = [(self.title + "\n", "bold")]
        for index, line in enumerate(lines):
            scale = seconds(top) if index == 0 and top is not None else ""
            parts.append((f"{scale:>{LABEL - 1}} ", "$text-muted"))
            parts.append((line + "\n", "$accent"))
        span = bar * len(self.values)
        axis = self.first + self.last.rjust(max(0, span - len(self.first)))
        parts.append((" " * LABEL + axis, "$text-muted"))
        return Content.assemble(*parts)
