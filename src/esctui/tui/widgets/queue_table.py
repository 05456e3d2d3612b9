"""The incident queue: a line-API widget that draws only the rows on screen and repaints only
the rows (or cells) whose text changed.

Line 0 is the column heading; row `n` of the model is virtual line `n + 1`. A stock `DataTable`
repaints the whole table for any change; at a 1 Hz SLA countdown over SSH that is the difference
between a few hundred bytes and tens of kilobytes a second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from esctui.domain.models import Status
from esctui.tui.columns import TICKING, Placed, Tone, cell, fit, layout, ticking_texts
from esctui.tui.queue_model import QueueModel

FLASH_SECONDS = 1.5
BADGES = ("sev1", "breached")
NOT_REVERSED = Style(reverse=False)


class QueueTable(ScrollView, can_focus=True):
    """Rows of incidents with a cursor, a bulk selection, a mark (`…`) on those with actions
    waiting in the outbox, and a brief flash on rows that changed elsewhere."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g,home", "cursor_top", "Top", show=False, id="queue.top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, id="queue.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="queue.page-down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="queue.page-up"),
    ]

    COMPONENT_CLASSES = {
        "queue--header",
        "queue--cursor",
        "queue--selected",
        "queue--flash",
        "queue--sev1",
        "queue--sev2",
        "queue--muted",
        "queue--warning",
        "queue--breached",
        "queue--caution",
    }

    # SEV1 and a breached deadline are badges (reverse video of their colours, so that under
    # NO_COLOR they stay reversed blocks), the most visible things on screen with the cursor
    # bar. Under NO_COLOR nothing is coloured: emphasis is bold, reverse and underline.
    DEFAULT_CSS = """
    QueueTable {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    QueueTable > .queue--header { color: $foreground 75%; text-style: bold; }
    QueueTable > .queue--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: bold;
    }
    QueueTable:focus > .queue--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    QueueTable > .queue--selected { color: $accent; text-style: bold; }
    QueueTable > .queue--flash { background: $accent 30%; }
    QueueTable > .queue--sev1 {
        color: $alarm-background; background: $alarm-foreground; text-style: reverse bold;
    }
    QueueTable > .queue--breached {
        color: $alarm-background; background: $alarm-foreground; text-style: reverse bold;
    }
    QueueTable > .queue--caution {
        color: $caution-background; background: $caution-foreground; text-style: reverse bold;
    }
    QueueTable > .queue--sev2 { color: $warning; }
    QueueTable > .queue--muted { color: $foreground 65%; }
    QueueTable > .queue--warning { color: $warning; text-style: bold; }
    QueueTable:nocolor:focus > .queue--cursor { text-style: reverse bold; }
    QueueTable:nocolor > .queue--selected { text-style: bold underline; }
    QueueTable:nocolor > .queue--warning { text-style: bold underline; }
    QueueTable:nocolor > .queue--sev2 { text-style: bold; }
    QueueTable:nocolor > .queue--muted { text-style: dim; }
    """

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)

    @dataclass
    class CursorMoved(Message):
        """The cursor rests on another incident (or on none)."""

        incident_id: str | None

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, QueueTable.CursorMoved)

    class RecordsNeeded(Message):
        """Resolved incidents on screen whose SLA records are not known yet (see
        `records_needed`): their timelines are to be read."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, QueueTable.RecordsNeeded)

    def __init__(self, model: QueueModel, *, redact: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.redact = redact
        self.selected: set[str] = set()
        self.waiting: set[str] = set()
        self.flashing: dict[str, float] = {}
        self.shown: dict[str, tuple[tuple[str, Tone], ...]] = {}
        self.styles_cache: dict[str, Style] = {}
        self.placed: list[Placed] = []
        self.placed_width = -1
        self.asked_for_records = False

    # -- reading the table -----------------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        rows = self.model.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def acting_on(self) -> list[str]:
        """The selection, in queue order, or the incident under the cursor."""
        if self.selected:
            return [i for i in self.model.rows if i in self.selected] + sorted(
                self.selected - set(self.model.rows)
            )
        return [self.current_id] if self.current_id else []

    def records_needed(self) -> list[str]:
        """The resolved incidents on screen whose SLA records are not known yet."""
        model, rows = self.model, self.model.rows
        return [
            rows[index]
            for index in self.visible_range()
            if model.incidents[rows[index]].status is Status.RESOLVED
            and model.record(rows[index]) is None
        ]

    def records_read(self) -> None:
        """The records asked for were read: draw them, and ask again for any still missing."""
        self.asked_for_records = False
        self.shown.clear()
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------

    def style_of(self, name: str) -> Style:
        style = self.styles_cache.get(name)
        if style is None:
            style = self.get_component_rich_style(f"queue--{name}", partial=True)
            self.styles_cache[name] = style
        return style

    def notify_style_update(self) -> None:
        self.styles_cache.clear()
        super().notify_style_update()

    def columns(self) -> list[Placed]:
        width = self.scrollable_content_region.width
        if width != self.placed_width:
            self.placed, self.placed_width = layout(width), width
        return self.placed

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self.heading(width, base)
        index = self.scroll_offset.y + y - 1
        rows = self.model.rows
        if index >= len(rows):
            if not rows and y == 1:
                return Strip([Segment(fit(f"  {self.empty_text()}", width), base)], width)
            return Strip.blank(width, base)
        return self.row(rows[index], index, width, base)

    def empty_text(self) -> str:
        if self.model.filter_text:
            return "Nothing matches the filter (esc clears it)."
        return "Nothing here. Quiet is good."

    def heading(self, width: int, base: Style) -> Strip:
        style = base + self.style_of("header")
        segments = [Segment(" " * 2, style)]
        for placed in self.columns():
            header = fit(placed.column.header, placed.width, placed.column.right)
            segments.append(Segment(header, style))
            segments.append(Segment(" ", style))
        return Strip(segments).adjust_cell_length(width, style).simplify()

    def row(self, incident_id: str, index: int, width: int, base: Style) -> Strip:
        model = self.model
        incident = model.incidents[incident_id]
        deadline = model.deadlines.get(incident_id)
        on_cursor = index == self.cursor
        row_style = base
        if on_cursor:
            row_style += self.style_of("cursor")
        elif incident_id in self.flashing:
            row_style += self.style_of("flash")
        # A selected row is marked and its id coloured; its other cells keep their tones.
        selected = incident_id in self.selected
        marked = row_style + self.style_of("selected") if selected else row_style
        if selected:
            segments = [Segment("● ", marked)]
        elif incident_id in self.waiting:  # an action on it waits in the outbox
            waiting = self.cell_style("warning", row_style, base, on_cursor)
            segments = [Segment("…", waiting), Segment(" ", row_style)]
        else:
            segments = [Segment("  ", row_style)]
        record = None
        if incident.status is Status.RESOLVED:
            record = model.record(incident_id)
            if record is None and not self.asked_for_records:
                self.asked_for_records = True
                # Made after this frame, by the table: a message made while the screen draws
                # would count the screen as its sender and stop there.
                self.call_later(lambda: self.post_message(self.RecordsNeeded()))
        for placed in self.columns():
            key = placed.column.key
            customer = model.customers.get(incident_id)
            text, tone = cell(key, incident, deadline, model.now, self.redact, record, customer)
            style = self.cell_style(tone, marked if key == "id" else row_style, base, on_cursor)
            segments.append(Segment(fit(text, placed.width, placed.column.right), style))
            segments.append(Segment(" ", row_style))
        # Neighbouring cells in one style go out as one run: fewer bytes on a slow link.
        return Strip(segments).adjust_cell_length(width, row_style).simplify()

    def cell_style(self, tone: Tone, row_style: Style, base: Style, on_cursor: bool) -> Style:
        """A badge (SEV1, breached) is drawn the same on any row; on the cursor bar a deadline
        at risk becomes a badge too, and the other tones give way to the bar's colours."""
        if tone in BADGES:
            style = base + self.style_of(tone)
            if on_cursor and self.style_of("cursor").reverse:
                style += NOT_REVERSED  # a reversed badge on a reversed bar: stand out from it
            return style
        if on_cursor:
            return base + self.style_of("caution") if tone == "warning" else row_style
        return row_style + self.style_of(tone) if tone else row_style

    # -- keeping the screen true -----------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        """The rows changed (view, filter, sort, new or gone incidents): keep the cursor on
        `keep` (or the incident it was on) and repaint."""
        keep = keep or self.current_id
        self.asked_for_records = False
        rows = self.model.rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows) + 1)
        if keep is not None and keep in rows:
            self.set_cursor(rows.index(keep))
        else:
            self.set_cursor(min(self.cursor, max(0, len(rows) - 1)))
        self.shown.clear()
        self.refresh()

    def reordered(self, before: list[str]) -> None:
        """The same view re-sorted or with incidents come and gone: repaint only the lines on
        screen that now show another incident (a full repaint would resend every line)."""
        rows = self.model.rows
        old_cursor = self.cursor
        # The incident the responder was looking at, wherever it went: a key pressed next must
        # act on it, not on whichever incident slid under the cursor.
        keep = before[old_cursor] if 0 <= old_cursor < len(before) else None
        if len(rows) != len(before):
            self.virtual_size = Size(self.scrollable_content_region.width, len(rows) + 1)
        if keep is not None and keep in rows:
            self.cursor = rows.index(keep)
        else:
            self.cursor = min(self.cursor, max(0, len(rows) - 1))
        top_before = int(self.scroll_offset.y)
        self.scroll_to_cursor()
        if int(self.scroll_offset.y) != top_before:
            self.refresh()
            return
        for index in self.visible_range_for(max(len(rows), len(before))):
            was = before[index] if index < len(before) else None
            now = rows[index] if index < len(rows) else None
            # A line that shows the same incident as before is only drawn again if the cursor
            # came to it or left it.
            moved = old_cursor != self.cursor and index in (old_cursor, self.cursor)
            if was != now or moved:
                if now is not None:
                    self.shown.pop(now, None)
                self.refresh_line(index + 1)
        if self.current_id != keep:
            self.post_message(self.CursorMoved(self.current_id))

    def incidents_changed(self, incident_ids: list[str], *, flashed: set[str]) -> None:
        """Repaint only the visible rows of these incidents; flash the `flashed`."""
        now = time.monotonic()
        for incident_id in incident_ids:
            if incident_id in flashed:
                self.flashing[incident_id] = now + FLASH_SECONDS
            self.shown.pop(incident_id, None)
            self.refresh_row(incident_id)

    def refresh_row(self, incident_id: str) -> None:
        index = self.row_index(incident_id)
        if index is not None and self.on_screen(index):
            self.refresh_line(index + 1)

    def row_index(self, incident_id: str) -> int | None:
        try:
            return self.model.rows.index(incident_id)
        except ValueError:
            return None

    def visible_range(self) -> range:
        return self.visible_range_for(len(self.model.rows))

    def visible_range_for(self, count: int) -> range:
        top = int(self.scroll_offset.y)
        return range(top, min(count, top + max(0, self.size.height - 1)))

    def on_screen(self, index: int) -> bool:
        return index in self.visible_range()

    def tick(self) -> None:
        """Once a second: repaint the clock-driven cells whose text changed, and end flashes."""
        model, now = self.model, time.monotonic()
        for incident_id, until in list(self.flashing.items()):
            if until <= now:
                del self.flashing[incident_id]
                self.refresh_row(incident_id)
        placed = {p.column.key: p for p in self.columns()}
        top = int(self.scroll_offset.y)
        for index in self.visible_range():
            incident_id = model.rows[index]
            incident = model.incidents[incident_id]
            deadline, record = model.deadlines.get(incident_id), model.record(incident_id)
            customer = model.customers.get(incident_id)
            texts = ticking_texts(incident, deadline, model.now, record, customer)
            before = self.shown.get(incident_id)
            self.shown[incident_id] = texts
            if before is None or before == texts:
                continue
            changed = [
                placed[key]
                for key, old, new in zip(TICKING, before, texts, strict=True)
                if old != new and key in placed
            ]
            if changed:  # one region from the first changed cell to the end of the last
                left = min(p.x for p in changed)
                right = max(p.x + p.width for p in changed)
                self.refresh(Region(left, index + 1 - top, right - left, 1))

    # -- the cursor ------------------------------------------------------------------------

    def set_cursor(self, index: int) -> None:
        rows = self.model.rows
        index = max(0, min(index, len(rows) - 1))
        old, self.cursor = self.cursor, index
        if old != index:
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self.current_id))

    def scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def toggle_selected(self) -> None:
        incident_id = self.current_id
        if incident_id is None:
            return
        self.selected ^= {incident_id}
        self.refresh_line(self.cursor + 1)

    def mark_waiting(self, incident_ids: set[str]) -> None:
        """Mark these incidents' rows as having actions waiting in the outbox (and only
        these)."""
        changed, self.waiting = incident_ids ^ self.waiting, set(incident_ids)
        for incident_id in changed:
            self.refresh_row(incident_id)

    def clear_selection(self) -> None:
        self.selected.clear()
        self.refresh()

    def action_cursor_down(self) -> None:
        self.set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.set_cursor(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self.set_cursor(0)

    def action_cursor_bottom(self) -> None:
        self.set_cursor(len(self.model.rows) - 1)

    def action_page_down(self) -> None:
        self.set_cursor(self.cursor + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self.set_cursor(self.cursor - max(1, self.size.height - 2))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.set_cursor(int(self.scroll_offset.y) + event.y - 1)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.model.rows) + 1)
        self.shown.clear()
        self.scroll_to_cursor()
