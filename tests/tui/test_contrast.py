"""SEV1, the breached countdown and count, and the cursor row stay the most visible things on
screen in every bundled theme and under NO_COLOR.

What is measured is what the terminal is sent: each line as the queue and the header render it,
through the console's line filters. Colours are compared by WCAG contrast (relative luminance);
a 16-colour theme's colours are those of xterm's standard palette on the light-grey-on-black
default of most dark terminals. For each of those things:

- its text is legible: at least 4.5:1 against its own background (WCAG AA);
- its text is at least as strong as plain text would be in its place: its contrast against its
  background is no lower than that of plain text against the same background;
- where it is a block of its own colour (a badge, the cursor bar), the block stands out from an
  ordinary row by at least 3:1 (WCAG's contrast for the parts of an interface that carry a
  state).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from rich.color import Color as RichColor
from rich.color import ColorType
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from esctui.config import Config
from esctui.tui import ConsoleApp
from esctui.tui.widgets.header import LineSpan

from .conftest import NOW, Console, opened, put_cursor_on, run, settle

RGB = tuple[int, int, int]

# xterm's 16 colours, and the default foreground and background of a dark terminal.
XTERM: list[RGB] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
    (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
    (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]  # fmt: skip
DEFAULT_FOREGROUND, DEFAULT_BACKGROUND = XTERM[7], XTERM[0]

LEGIBLE = 4.5
STANDS_OUT = 3.0


def rgb(color: RichColor | None, default: RGB) -> RGB:
    if color is None or color.type is ColorType.DEFAULT:
        return default
    if color.type is ColorType.TRUECOLOR:
        assert color.triplet is not None
        return color.triplet.red, color.triplet.green, color.triplet.blue
    assert color.number is not None and color.number < 16, f"{color} is not one of the 16"
    return XTERM[color.number]


def luminance(color: RGB) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Cell:
    """One character as the terminal shows it: reverse video already applied."""

    char: str
    foreground: RGB
    background: RGB
    reverse: bool
    coloured: bool  # whether any colour but the terminal's defaults was sent


def cells(segments: Iterable[Segment]) -> list[Cell]:
    found = []
    for segment in segments:
        style = segment.style
        foreground = rgb(style.color if style else None, DEFAULT_FOREGROUND)
        background = rgb(style.bgcolor if style else None, DEFAULT_BACKGROUND)
        reverse = bool(style and style.reverse)
        if reverse:
            foreground, background = background, foreground
        coloured = bool(
            style
            and any(
                c is not None and c.type is not ColorType.DEFAULT
                for c in (style.color, style.bgcolor)
            )
        )
        for char in segment.text:
            found.append(Cell(char, foreground, background, reverse, coloured))
    return found


def sent(widget: Widget, y: int) -> list[Cell]:
    """Line `y` of `widget` as the terminal is sent it (a line drawn part by part: its parts'
    cells, in order)."""
    spans = list(widget.query_children(LineSpan))
    if spans:
        return [cell for span in spans if span.size.width for cell in sent(span, y)]
    (strip,) = widget.render_lines(Region(0, y, widget.size.width, 1))
    assert isinstance(strip, Strip)
    return cells(strip)


def text_of(line: list[Cell]) -> str:
    return "".join(cell.char for cell in line)


def part(line: list[Cell], words: str) -> list[Cell]:
    """The cells showing `words`, spaces left out."""
    start = text_of(line).index(words)
    return [cell for cell in line[start : start + len(words)] if cell.char.strip()]


def check_text(name: str, shown: list[Cell], plain: RGB) -> None:
    """Legible, and no weaker than plain text (foreground `plain`) would be in its place."""
    assert shown, f"{name} is not on screen"
    for cell in shown:
        ratio = contrast(cell.foreground, cell.background)
        plain_there = contrast(plain, cell.background)
        assert ratio >= LEGIBLE, f"{name} {cell.char!r}: {ratio:.2f}:1"
        assert ratio >= plain_there - 0.01, f"{name}: {ratio:.2f}:1, plain text {plain_there:.2f}:1"


def check_block(name: str, shown: list[Cell], row_background: RGB) -> None:
    """A block of its own colour stands out from an ordinary row."""
    for cell in shown:
        if cell.background != row_background:
            ratio = contrast(cell.background, row_background)
            assert ratio >= STANDS_OUT, f"{name}: {ratio:.2f}:1 against an ordinary row"


def line_of(app: ConsoleApp, incident_id: str) -> list[Cell]:
    index = app.model.rows.index(incident_id)
    return sent(app.queue.table, index + 1 - int(app.queue.table.scroll_offset.y))


def column(app: ConsoleApp, line: list[Cell], key: str) -> list[Cell]:
    placed = next(p for p in app.queue.table.columns() if p.column.key == key)
    return [c for c in line[placed.x : placed.x + placed.width] if c.char.strip()]


def check_console(console: Console, config: Config) -> None:
    async def scenario() -> None:
        async with console.app(config=config).run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            model = app.model
            breached = [i for i in model.rows if (d := model.deadlines[i]) and d.breached(NOW)]
            sev1 = [i for i in model.rows if model.incidents[i].severity == 1]
            cursor = next(i for i in breached if i in sev1)
            await put_cursor_on(pilot, cursor)
            await settle(pilot, lambda: app.queue.detail.incident_id == cursor)

            plain_row = line_of(app, next(i for i in model.rows if i not in breached + sev1))
            title = column(app, plain_row, "title")
            plain, row_background = title[0].foreground, title[0].background
            assert contrast(plain, row_background) >= LEGIBLE

            heading = [c for c in sent(app.queue.table, 0) if c.char.strip()]
            assert min(contrast(c.foreground, c.background) for c in heading) >= LEGIBLE

            sev1_cell = column(app, line_of(app, next(i for i in sev1 if i != cursor)), "severity")
            check_text("SEV1", sev1_cell, plain)
            check_block("SEV1", sev1_cell, row_background)

            breached_row = line_of(app, next(i for i in breached if i != cursor))
            check_text("breached SLA", column(app, breached_row, "sla"), plain)
            check_block("breached SLA", column(app, breached_row, "sla"), row_background)

            cursor_row = [c for c in line_of(app, cursor) if c.char.strip()]
            check_text("cursor row", cursor_row, plain)
            bar = [c for c in column(app, line_of(app, cursor), "title")]
            check_block("cursor row", bar, row_background)
            assert bar[0].background != row_background or bar[0].reverse

            header = app.query_one("#header")
            header_line = sent(header, 0)
            who = part(header_line, "frank")[0]
            check_text("header's breached count", part(header_line, "breached"), who.foreground)
            check_block("header's breached count", part(header_line, "breached"), who.background)

    run(scenario)


@pytest.mark.parametrize(
    "theme", ["esctui-dark", "esctui-light", "esctui-high-contrast", "esctui-ansi"]
)
def test_what_matters_most_is_the_most_visible_in_every_theme(console: Console, theme: str) -> None:
    check_console(console, Config(theme=theme))


def test_no_color_sends_no_colour_and_still_shows_what_matters(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    check_console(console, Config())

    async def scenario() -> None:
        async with console.app().run_test(size=(120, 30)) as pilot:
            app = await opened(pilot)
            assert app.no_color
            for widget in (app.query_one("#header"), app.query_one("#views"), app.queue.table):
                for y in range(widget.size.height):
                    coloured = [c.char for c in sent(widget, y) if c.coloured]
                    assert not coloured, f"{widget.id} line {y} sends colour: {coloured}"

    run(scenario)


@pytest.mark.parametrize(
    "theme", ["esctui-dark", "esctui-light", "esctui-high-contrast", "esctui-ansi"]
)
def test_a_selected_row_still_shows_a_deadline_at_risk(console: Console, theme: str) -> None:
    async def scenario() -> None:
        async with console.app(config=Config(theme=theme)).run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            model = app.model
            at_risk = next(
                i
                for i in model.rows
                if (d := model.deadlines[i]) and d.at_risk(NOW) and not d.breached(NOW)
            )
            before = column(app, line_of(app, at_risk), "sla")
            await put_cursor_on(pilot, at_risk)
            await pilot.press("space")  # selects it, and moves on
            await settle(pilot, lambda: at_risk in app.queue.table.selected)
            line = line_of(app, at_risk)
            assert text_of(line).startswith("●")
            sla, title = column(app, line, "sla"), column(app, line, "title")
            assert sla == before  # the tone it had
            assert sla[0].foreground != title[0].foreground  # and it stands out from its row

    run(scenario)
