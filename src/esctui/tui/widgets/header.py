"""The two lines at the top: who and where with the link and counts, and the view bar."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from textual.content import Content
from textual.widget import Widget

from esctui.backends.base import Link
from esctui.tui.queue_model import SORT_TITLES, VIEW_TITLES, VIEWS, QueueModel
from esctui.wording import scrub

LINK_TONES = {
    Link.LOCAL: "$text-muted",
    Link.ONLINE: "$success",
    Link.OFFLINE: "bold reverse $error",
}

Part = str | tuple[str, str]


class OneLine(Widget):
    """A line that is sent to the terminal only when its text or styles change (the clock asks
    for it again every second), and never reflows the screen when it is."""

    shown_parts: list[Part] | None = None
    content = Content("")

    def show_parts(self, parts: list[Part]) -> None:
        if parts != self.shown_parts:
            self.shown_parts = parts
            self.content = Content.assemble(*parts)
            self.refresh()

    def render(self) -> Content:
        return self.content


class ConsoleHeader(OneLine):
    """`frank · journal ~/store · local · 3 triggered  5 acknowledged  1 breached · 03:12:09 CET`,
    the time in the display zone."""

    DEFAULT_CSS = """
    ConsoleHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, *, zone: tzinfo = UTC, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zone = zone  # the time is shown in it, with its short name

    def show(
        self,
        model: QueueModel,
        *,
        me: str,
        kind: str,
        location: str,
        link: Link,
        updated: datetime | None,
        read_only: bool,
        queued: int = 0,
    ) -> None:
        counts = model.counts()
        parts: list[Part] = [(scrub(me), "bold")]
        if read_only:
            parts.append((" (read-only)", "$text-muted"))
        parts.append((f" · {kind} {scrub(location)} · ", "$text-muted"))
        link_text = "OFFLINE: actions wait in the outbox" if link is Link.OFFLINE else link.value
        parts.append((link_text, LINK_TONES[link]))
        if queued:
            parts.append((f" ({queued} queued)", "bold"))
        parts.append(" · ")
        parts.append((f"{counts['triggered']} triggered", "bold" if counts["triggered"] else ""))
        parts.append(f"  {counts['acknowledged']} acknowledged")
        if counts["breached"]:
            parts.append((f"  {counts['breached']} breached", "bold $error"))
        if counts["at risk"]:
            parts.append((f"  {counts['at risk']} at risk", "$warning"))
        if counts["snoozed"]:
            parts.append((f"  {counts['snoozed']} snoozed", "$text-muted"))
        if updated is not None:
            parts.append((f" · {updated.astimezone(self.zone):%H:%M:%S %Z}", "$text-muted"))
        self.show_parts(parts)


class ViewBar(OneLine):
    """The views on number keys, the one in force highlighted, with the filter and sort."""

    DEFAULT_CSS = """
    ViewBar { height: 1; background: $surface; color: $text-muted; padding: 0 1; }
    """

    def show(self, model: QueueModel, *, compact: bool = False) -> None:
        parts: list[Part] = []
        for number, view in enumerate(VIEWS, start=1):
            title = VIEW_TITLES[view]
            if compact:
                title = title.split()[0]
            label = f" {number} {title} "
            parts.append((label, "bold reverse $accent") if view == model.view else label)
        parts.append((f"  {len(model.rows)} shown", "bold"))
        if model.filter_text:
            parts.append(" · filter ")
            parts.append((scrub(model.filter_text), "bold $accent"))
        parts.append(f" · sort: {SORT_TITLES[model.sort]}")
        self.show_parts(parts)
