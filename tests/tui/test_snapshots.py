"""What the console looks like: every screen state as an SVG, compared with the approved one.

`pytest --snapshot-update` approves new pictures; look at them first (they open as images).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from esctui.config import Config
from esctui.demo import build_demo
from esctui.domain.models import Status
from esctui.stores.journal import create_store
from esctui.tui import ConsoleApp

from .conftest import NOW, Console, opened, put_cursor_on, settle

SnapCompare = Callable[..., bool]


@pytest.fixture
def pictured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Console:
    # The header shows the store's path with `~` for the home folder: with the home folder
    # here, every picture shows the same `~/esctui-snapshots/store`, and runs at the same
    # time each have their own store.
    monkeypatch.setenv("HOME", str(tmp_path))
    store = tmp_path / "esctui-snapshots" / "store"
    directory, events = build_demo(40, seed=3, now=NOW)
    create_store(store, directory, events, now=NOW)
    config_path = tmp_path / "config.toml"
    monkeypatch.setenv("ESCTUI_CONFIG", str(config_path))
    monkeypatch.setenv("TZ", "UTC")  # the header names the display zone
    return Console(store, config_path)


def on_incident(status: Status, *keys: str, tab: str | None = None) -> Any:
    """Before the picture: wait for the queue, put the cursor on the first incident with
    `status`, wait for its detail, then press `keys`."""

    async def before(pilot: Pilot[None]) -> None:
        app = await opened(pilot)
        assert isinstance(app, ConsoleApp)
        model = app.model
        # The first in the view, else the first of the store (a resolved one: view 5).
        target = next(
            i
            for i in [*model.rows, *sorted(model.incidents)]
            if model.incidents[i].status is status
        )
        await put_cursor_on(pilot, target)
        await settle(pilot, lambda: app.queue.detail.incident_id == target)
        if tab is not None:
            app.query_one("#detail-tabs").active = tab  # type: ignore[attr-defined]
        for key in keys:
            await pilot.press(key)
        await pilot.pause()

    return before


def test_queue_at_80x24(pictured: Console, snap_compare: SnapCompare) -> None:
    assert snap_compare(
        pictured.app(), terminal_size=(80, 24), run_before=on_incident(Status.TRIGGERED)
    )


def test_queue_at_120x35(pictured: Console, snap_compare: SnapCompare) -> None:
    assert snap_compare(
        pictured.app(), terminal_size=(120, 35), run_before=on_incident(Status.TRIGGERED)
    )


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
@pytest.mark.parametrize("key", ["h", "c"])
def test_hand_off_and_communication_fit(
    pictured: Console, snap_compare: SnapCompare, key: str, size: tuple[int, int]
) -> None:
    assert snap_compare(
        pictured.app(), terminal_size=size, run_before=on_incident(Status.ACKNOWLEDGED, key)
    )


def test_queue_at_160x50(pictured: Console, snap_compare: SnapCompare) -> None:
    assert snap_compare(
        pictured.app(), terminal_size=(160, 50), run_before=on_incident(Status.TRIGGERED)
    )


@pytest.mark.parametrize("tab", ["timeline", "communications", "details"])
def test_detail_tabs(pictured: Console, snap_compare: SnapCompare, tab: str) -> None:
    assert snap_compare(
        pictured.app(),
        terminal_size=(120, 40),
        run_before=on_incident(Status.ACKNOWLEDGED, tab=tab),
    )


@pytest.mark.parametrize(
    ("name", "status", "keys"),
    [
        ("resolve", Status.ACKNOWLEDGED, ("r",)),
        ("hand_off", Status.ACKNOWLEDGED, ("h",)),
        ("hand_off_filtered", Status.ACKNOWLEDGED, ("h", "a", "l")),
        ("escalate_to", Status.TRIGGERED, ("E",)),
        ("snooze", Status.ACKNOWLEDGED, ("s",)),
        ("note", Status.ACKNOWLEDGED, ("n", "l", "o", "o", "k", "i", "n", "g")),
        ("note_discard", Status.ACKNOWLEDGED, ("n", "x", "escape")),
        ("communication", Status.ACKNOWLEDGED, ("c",)),
        ("help", Status.TRIGGERED, ("question_mark",)),
        ("command_line", Status.TRIGGERED, ("colon", "e", "s", "c", "space", "2")),
        ("filter", Status.TRIGGERED, ("slash", "k", "a", "f")),
        ("reroute", Status.ACKNOWLEDGED, ("R",)),
        ("review", Status.RESOLVED, ("v",)),
        ("updates_due_view", Status.TRIGGERED, ("6",)),
        ("team_view", Status.TRIGGERED, ("7",)),
    ],
)
def test_dialogs(
    pictured: Console, snap_compare: SnapCompare, name: str, status: Status, keys: tuple[str, ...]
) -> None:
    assert snap_compare(
        pictured.app(), terminal_size=(100, 32), run_before=on_incident(status, *keys)
    )


@pytest.mark.parametrize("theme", ["esctui-light", "esctui-ansi", "esctui-high-contrast"])
def test_themes(pictured: Console, snap_compare: SnapCompare, theme: str) -> None:
    assert snap_compare(
        pictured.app(config=Config(theme=theme)),
        terminal_size=(120, 32),
        run_before=on_incident(Status.TRIGGERED),
    )


def test_read_only_footer(pictured: Console, snap_compare: SnapCompare) -> None:
    assert snap_compare(
        pictured.app(read_only=True),
        terminal_size=(100, 24),
        run_before=on_incident(Status.TRIGGERED),
    )


def on_kpis(*keys: str) -> Any:
    """Before the picture: open the KPI screen and wait for its figures, then press `keys`."""

    async def before(pilot: Pilot[None]) -> None:
        app = await opened(pilot)
        await pilot.press("m")
        await settle(pilot, lambda: type(app.screen).__name__ == "KpiScreen")
        title = app.screen.query_one("#kpi-title")
        await settle(pilot, lambda: "last " in str(title.render()), 10)
        for key in keys:
            await pilot.press(key)
        await settle(pilot, lambda: "last " in str(title.render()), 10)
        await pilot.pause()

    return before


@pytest.mark.parametrize(
    ("theme", "size", "keys"),
    [
        ("esctui-ansi", (80, 24), ()),
        ("esctui-dark", (120, 35), ()),
        ("esctui-dark", (120, 35), ("1",)),
        ("esctui-dark", (120, 35), ("3", "pagedown")),
    ],
)
def test_kpi_screen(
    pictured: Console,
    snap_compare: SnapCompare,
    theme: str,
    size: tuple[int, int],
    keys: tuple[str, ...],
) -> None:
    assert snap_compare(
        pictured.app(config=Config(theme=theme)), terminal_size=size, run_before=on_kpis(*keys)
    )
