"""The two lines at the top: who and where with the link and counts, and the view bar.

Each line is a list of parts ranked by importance (see `line_parts.py`): on a narrow terminal
the least important give way first, so the breached, triggered and mine counts stay longest and
the store's location is shortened before any count goes. A new part is one more entry in the
list, with its rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import NotRequired, TypedDict, Unpack

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget

from esctui.backends.base import Link
from esctui.tui.queue_model import RESOLVED_ORDER, SORT_TITLES, VIEW_TITLES, VIEWS, QueueModel
from esctui.tui.themes import ALARM
from esctui.tui.widgets.line_parts import LinePart, Piece, fitted
from esctui.wording import scrub

LINK_TONES = {
    Link.LOCAL: "$text-muted",
    Link.ONLINE: "$success",
    Link.OFFLINE: "bold reverse $error",
    Link.LIMITED: "bold $warning",
}
OFFLINE = "OFFLINE: actions wait in the outbox"


def shorten_location(location: str, home: Path) -> list[str]:
    """Ways to write a store's location, longest first: a path with `~` for the home folder,
    then with its middle left out, then only its last folder; a URL, then only its host."""
    if "://" in location:
        host = location.partition("://")[2].partition("/")[0]
        return [location, host] if host and host != location else [location]
    home_text = str(home)
    if home_text not in ("", "/") and (location + "/").startswith(home_text.rstrip("/") + "/"):
        location = "~" + location[len(home_text.rstrip("/")) :]
    folders = location.rstrip("/").split("/")
    forms = [location]
    if len(folders) > 3:
        forms.append("/".join([folders[0], "…", *folders[-2:]]))
    if len(folders) > 1:
        forms.append("…/" + folders[-1])
    return list(dict.fromkeys(forms))


class LineSpan(Widget):
    """One part of a line, with the gap before it."""

    DEFAULT_CSS = "LineSpan { width: auto; height: 1; }"

    def __init__(self) -> None:
        super().__init__()
        self.content = Content("")

    def show(self, content: Content) -> None:
        # Content compares its text alone: a part whose style changes is a change too.
        if (content.plain, content.spans) != (self.content.plain, self.content.spans):
            wider = content.cell_length != self.content.cell_length
            self.content = content
            self.refresh(layout=wider)

    def render(self) -> Content:
        return self.content


class OneLine(Widget):
    """A line of parts fitted to its width. It is sent to the terminal only when its parts (or
    its width) change, though the clock asks for it every second, and never reflows the screen.

    Each part is drawn by a span of its own, so a change is sent as that part alone: a count
    that moves by one costs a few dozen bytes over SSH, not the whole styled line (Textual sends
    a widget's line from its start)."""

    DEFAULT_CSS = "OneLine { layout: horizontal; }"
    SPANS = 4  # the most parts the line shows: more share the last span

    parts: list[LinePart] | None = None

    def compose(self) -> ComposeResult:
        for _ in range(self.SPANS):
            yield LineSpan()

    def show_parts(self, parts: list[LinePart]) -> None:
        if parts != self.parts:
            self.parts = parts
            self.lay_out()

    def on_resize(self) -> None:
        self.lay_out()

    def lay_out(self) -> None:
        shown = fitted(self.parts or [], self.content_size.width)
        last = self.SPANS - 1
        if len(shown) > self.SPANS:
            shown[last:] = [Content("").join(shown[last:])]
        for n, span in enumerate(self.query_children(LineSpan)):
            span.show(shown[n] if n < len(shown) else Content(""))

    def shown(self) -> Content:
        """The line as it is shown now."""
        return Content("").join(span.content for span in self.query_children(LineSpan))


class ConsoleHeader(OneLine):
    """`frank · 1 breached  3 triggered  2 mine  5 acknowledged · journal ~/store · local ·
    03:12:09 CET`, the time in the display zone."""

    DEFAULT_CSS = """
    ConsoleHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """
    SPANS = 14  # see `header_parts`

    def __init__(self, *, zone: tzinfo = UTC, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zone = zone  # the time is shown in it, with its short name

    def show(self, model: QueueModel, **facts: Unpack[HeaderFacts]) -> None:
        self.show_parts(header_parts(model.counts(), Path.home(), self.zone, **facts))


class HeaderFacts(TypedDict):
    """What the header says besides the counts."""

    me: str
    kind: str  # of backend
    location: str  # of the store
    link: Link
    updated: datetime | None  # when the queue was last brought up to date
    read_only: bool
    queued: NotRequired[int]  # actions waiting in the outbox
    maintenance: NotRequired[list[str]]  # the services in maintenance now


def header_parts(
    counts: Mapping[str, int], home: Path, zone: tzinfo, **facts: Unpack[HeaderFacts]
) -> list[LinePart]:
    """The header's parts, in the order shown. Ranks: the higher, the sooner a part gives way.
    The usual link state goes first, then the location is shortened, then what customers and
    reviews are owed; the counts of the queue go last, the breached count last of all."""
    me, kind, location, link = facts["me"], facts["kind"], facts["location"], facts["link"]
    updated, read_only, queued = facts["updated"], facts["read_only"], facts.get("queued", 0)
    waiting = [(f" ({queued} queued)", "bold")] if queued else []
    me_part = [(scrub(me), "bold")]
    if read_only:
        me_part.append((" (read-only)", "$text-muted"))
    parts = [LinePart.of(*me_part, keep=None, group="who")]
    if link is Link.OFFLINE:
        tone = LINK_TONES[link]
        long, short = ((OFFLINE, tone), *waiting), (("OFFLINE", tone), *waiting)
        parts.append(LinePart.shortened([long, short], shorten=11, keep=None, group="link"))
    if counts["breached"]:
        parts.append(count(f"{counts['breached']} breached", ALARM, keep=2))
    parts.append(
        count(f"{counts['triggered']} triggered", "bold" if counts["triggered"] else "", 3)
    )
    parts.append(count(f"{counts['mine']} mine", "", keep=4))
    if counts["at risk"]:
        parts.append(count(f"{counts['at risk']} at risk", "$warning", keep=5))
    parts.append(count(f"{counts['acknowledged']} acknowledged", "", keep=6))
    if counts.get("updates due"):
        parts.append(count(f"{counts['updates due']} updates due", "$warning", keep=12))
    if counts.get("follow-ups overdue"):
        overdue = f"{counts['follow-ups overdue']} follow-ups overdue"
        parts.append(count(overdue, "$warning", keep=13))
    if counts["snoozed"]:
        parts.append(count(f"{counts['snoozed']} snoozed", "$text-muted", keep=7))
    resting = facts.get("maintenance", [])
    if resting:
        shown = f"maintenance: {', '.join(scrub(name) for name in resting)}"
        parts.append(LinePart.of((shown, "$warning"), keep=10, group="maintenance"))
    places = shorten_location(scrub(location), home)
    forms = [((f"{kind} {place}", "$text-muted"),) for place in places]
    parts.append(LinePart.shortened(forms, shorten=20, keep=9, group="where"))
    if link is not Link.OFFLINE:
        state = LinePart.of((link.value, LINK_TONES[link]), *waiting, keep=21, group="link")
        parts.append(state)
    if updated is not None:
        shown = f"{updated.astimezone(zone):%H:%M:%S %Z}"  # in the display zone, named
        parts.append(LinePart.of((shown, "$text-muted"), keep=8, group="time"))
    return parts


def count(text: str, style: str, keep: int) -> LinePart:
    return LinePart.of((text, style), keep=keep, group="counts")


class ViewBar(OneLine):
    """The views on number keys, the one in force highlighted, with the filter and sort."""

    DEFAULT_CSS = """
    ViewBar { height: 1; background: $surface; color: $text-muted; padding: 0 1; }
    """

    def show(self, model: QueueModel) -> None:
        parts: list[LinePart] = []
        long: list[Piece] = []
        short: list[Piece] = []
        for number, view in enumerate(VIEWS, start=1):
            style = "bold reverse $accent" if view == model.view else ""
            titles = VIEW_TITLES[view]
            long.append((f" {number} {titles[0]} ", style))
            short.append((f" {number} {titles[1]} ", style))
        views = [tuple(long), tuple(short)]  # all in full, or all short
        parts.append(LinePart.shortened(views, shorten=5, keep=None, group="views"))
        parts.append(LinePart.of((f"{len(model.rows)} shown", "bold"), keep=2, group="shown"))
        if model.filter_text:
            filtered = ("filter ", (scrub(model.filter_text), "bold $accent"))
            parts.append(LinePart.of(*filtered, keep=3, group="filter"))
        titles = RESOLVED_ORDER if model.view == "resolved" else SORT_TITLES[model.sort]
        sort = [(f"sort: {title}",) for title in titles]
        parts.append(LinePart.shortened(sort, shorten=6, keep=4, group="sort"))
        self.show_parts(parts)
