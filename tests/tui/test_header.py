"""At 80x24 and up: the header keeps its most important parts (the breached, triggered and mine
counts first, the store's location shortened before any count goes), and every dialog keeps its
hint line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.containers import Vertical
from textual.widgets import Label

from esctui.backends.base import Link
from esctui.domain.models import Status
from esctui.tui import ConsoleApp
from esctui.tui.widgets.header import header_parts, shorten_location
from esctui.tui.widgets.line_parts import LinePart, fit

from .conftest import Console, first, opened, put_cursor_on, run, settle


def test_shorten_location_puts_home_as_tilde_then_elides_the_middle() -> None:
    home = Path("/home/frank")
    assert shorten_location("/home/frank/.local/share/esctui/store", home) == [
        "~/.local/share/esctui/store",
        "~/…/esctui/store",
        "…/store",
    ]
    assert shorten_location("/srv/store", home) == ["/srv/store", "…/store"]
    assert shorten_location("https://oncall.example.com:8642", home) == [
        "https://oncall.example.com:8642",
        "oncall.example.com:8642",
    ]


def parts() -> list[LinePart]:
    place = [("journal ~/…/esctui/store",), ("…/store",)]
    return [
        LinePart.of(("frank", "bold"), keep=None, group="who"),
        LinePart.of("7 breached", keep=1, group="counts"),
        LinePart.of("10 triggered", keep=2, group="counts"),
        LinePart.of("5 snoozed", keep=4, group="counts"),
        LinePart.shortened(place, shorten=10, keep=5, group="where"),
        LinePart.of("local", keep=11, group="link"),
        LinePart.of("01:42:22", keep=3, group="time"),
    ]


COUNTS = "frank · 7 breached  10 triggered  5 snoozed"


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (200, f"{COUNTS} · journal ~/…/esctui/store · local · 01:42:22"),
        (82, f"{COUNTS} · journal ~/…/esctui/store · 01:42:22"),
        (76, f"{COUNTS} · …/store · 01:42:22"),
        (58, f"{COUNTS} · 01:42:22"),
        (45, "frank · 7 breached  10 triggered · 01:42:22"),
        (32, "frank · 7 breached  10 triggered"),
        (5, "frank"),
    ],
)
def test_fit_shortens_then_drops_from_the_least_important(width: int, shown: str) -> None:
    line = fit(parts(), width)
    assert line.plain == shown
    assert cell_len(line.plain) <= max(width, 5)


def test_fit_gives_a_shortened_part_its_room_back_once_another_went() -> None:
    shortened = LinePart.shortened([("a" * 10,), ("a",)], shorten=10, keep=None, group="a")
    wide = LinePart.of("b" * 20, keep=9, group="b")
    assert fit([shortened, wide], 12).plain == "a" * 10


HOME = Path("/home/frank")
COUNTS_NOW = {
    "breached": 7, "triggered": 10, "mine": 7, "at risk": 4, "acknowledged": 28, "snoozed": 5,
}  # fmt: skip


def the_header(width: int, link: Link = Link.LOCAL, queued: int = 0) -> str:
    parts = header_parts(
        COUNTS_NOW,
        HOME,
        UTC,
        me="frank",
        kind="journal",
        location="/home/frank/.local/share/esctui/store",
        link=link,
        updated=datetime(2026, 11, 23, 3, 12, 9, tzinfo=UTC),
        read_only=False,
        queued=queued,
    )
    return fit(parts, width).plain


COUNTED = "frank · 7 breached  10 triggered  7 mine  4 at risk  28 acknowledged  5 snoozed"


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (160, f"{COUNTED} · journal ~/.local/share/esctui/store · local · 03:12:09 UTC"),
        # the usual link state goes first, then the location is shortened
        (139, f"{COUNTED} · journal ~/.local/share/esctui/store · 03:12:09 UTC"),
        (131, f"{COUNTED} · journal ~/…/esctui/store · 03:12:09 UTC"),
        (120, f"{COUNTED} · journal …/store · 03:12:09 UTC"),
        (111, f"{COUNTED} · 03:12:09 UTC"),
        (93, COUNTED),
        (78, "frank · 7 breached  10 triggered  7 mine  4 at risk  28 acknowledged"),
        (40, "frank · 7 breached  10 triggered  7 mine"),
    ],
)
def test_the_header_gives_way_in_order(width: int, shown: str) -> None:
    assert the_header(width) == shown


def test_offline_is_said_whatever_the_width() -> None:
    assert the_header(200, Link.OFFLINE, queued=2).startswith(
        "frank · OFFLINE: actions wait in the outbox (2 queued) · 7 breached"
    )
    assert the_header(78, Link.OFFLINE, queued=2) == (
        "frank · OFFLINE (2 queued) · 7 breached  10 triggered  7 mine  4 at risk"
    )


def header_text(app: ConsoleApp) -> tuple[str, int]:
    header = app.queue.header
    return str(header.shown()), header.content_size.width


@pytest.mark.parametrize(("size", "must_show"), [
    ((80, 24), ["breached", "triggered", "mine"]),
    ((120, 35), ["breached", "triggered", "mine", "at risk", "acknowledged", "snoozed", "~/store",
                 "03:12:00"]),
])  # fmt: skip
def test_the_header_keeps_what_matters_most(
    console: Console,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    must_show: list[str],
) -> None:
    monkeypatch.setenv("HOME", str(console.store.parent))
    monkeypatch.setenv("TZ", "UTC")  # the time is shown in the display zone, named

    async def scenario() -> None:
        async with console.app().run_test(size=size) as pilot:
            app = await opened(pilot)
            # The header is drawn again, with the time of the last update, once a second.
            await settle(pilot, lambda: app.live.updated is not None)
            await settle(pilot, lambda: "acknowledged" in header_text(app)[0])
            await pilot.press("2", "3")  # draws it again now
            text, width = header_text(app)
            assert cell_len(text) <= width, text
            for words in must_show:
                assert words in text, text
            where = [text.index(words) for words in ("breached", "triggered", "mine")]
            assert where == sorted(where), text  # in order of importance

    run(scenario)


@pytest.mark.parametrize("key", ["h", "c", "n", "E", "s", "r"])
def test_every_dialog_keeps_its_hint_line_at_80x24(console: Console, key: str) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(80, 24)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press(key)
            await settle(pilot, lambda: bool(app.screen.query(".hint")))
            box = app.screen.query_one(Vertical)
            hint = app.screen.query_one(".hint", Label)
            # Laid out, the hint line is inside the dialog, not cut off below it.
            await settle(pilot, lambda: box.content_region.contains_region(hint.region))
            assert hint.region.height == 1
            assert "esc" in str(hint.render())

    run(scenario)
