"""Who is on call over PagerDuty is PagerDuty's answer (`GET /oncalls`), at each level of
each escalation policy: for `oncall` (now, or `--at` a time), for `show`, and for the
console, whose queue is given it once the incidents are shown (its Details tab names them)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from esctui.backends.base import OnCall
from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings
from esctui.config import Config
from esctui.theme_files import bundled_themes_folder
from esctui.tui import ConsoleApp, ConsoleOptions
from fake_pagerduty import FakePagerDuty
from platforms.conftest import Run
from tui.conftest import opened, put_cursor_on, settle

NOW = datetime.now(UTC)


@pytest.fixture
def rota(pagerduty: FakePagerDuty) -> FakePagerDuty:
    """carol at level 1 until tomorrow, then bob; bob at level 2 all along."""
    delays = (15, 45)
    pagerduty.on_call("PCAROL1", 1, NOW - timedelta(days=1), NOW + timedelta(days=1), delays=delays)
    pagerduty.on_call("PBOB001", 1, NOW + timedelta(days=1), NOW + timedelta(days=2), delays=delays)
    pagerduty.on_call("PBOB001", 2, NOW - timedelta(days=1), NOW + timedelta(days=2), delays=delays)
    return pagerduty


def test_oncall_is_pagerdutys_on_calls_now(esctui: Run, rota: FakePagerDuty) -> None:
    shown = esctui("--pagerduty", "oncall")
    assert shown.exit_code == 0, shown.output
    assert "web" in shown.stdout
    assert "1: carol@example.com (15m) · 2: bob@example.com (45m)" in shown.stdout
    [asked] = rota.requests("GET", "/oncalls")
    assert set(asked.query["include[]"]) == {"users", "escalation_policies"}


def test_oncall_at_a_time_asks_pagerduty_for_that_time(esctui: Run, rota: FakePagerDuty) -> None:
    later = (NOW + timedelta(days=1, hours=2)).isoformat()
    shown = esctui("--pagerduty", "oncall", "--at", later, "--json")
    assert shown.exit_code == 0, shown.output
    [web] = json.loads(shown.stdout)["policies"]
    assert [lv["on_call"] for lv in web["levels"]] == [["bob@example.com"], ["bob@example.com"]]
    [asked] = rota.requests("GET", "/oncalls")
    assert asked.query["since"] == asked.query["until"]


def test_show_names_who_is_on_call_for_the_incidents_policy(
    esctui: Run, rota: FakePagerDuty
) -> None:
    shown = esctui("--pagerduty", "show", "PAbc123", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["policy"] == "web"
    assert data["on_call"] == [
        {"level": 1, "responders": ["carol@example.com"]},
        {"level": 2, "responders": ["bob@example.com"]},
    ]


def test_the_followed_queue_is_given_who_is_on_call(rota: FakePagerDuty) -> None:
    settings = PagerDutySettings(
        from_email="carol@example.com", token=rota.token, url=rota.url, poll_every=60
    )

    async def followed() -> None:
        backend = PagerDutyBackend(settings)
        assert isinstance(backend, OnCall)
        queue = await backend.open()
        assert rota.requests("GET", "/oncalls") == []  # the incidents are shown first
        updates = backend.follow(queue.revision)
        update = await asyncio.wait_for(anext(updates), timeout=10)
        assert update.queue is not None  # a new directory: the console redraws from it
        web = update.queue.directory.policy("web")
        assert web is not None
        assert [[t.name for t in level.targets] for level in web.levels] == [
            ["carol@example.com"],
            ["bob@example.com"],
        ]
        assert len(rota.requests("GET", "/oncalls")) == 1
        await updates.aclose()
        await backend.close()

    asyncio.run(followed())


def test_the_consoles_details_name_who_pagerduty_has_on_call(
    rota: FakePagerDuty, tmp_path: Path
) -> None:
    backend = PagerDutyBackend(
        PagerDutySettings(from_email="carol@example.com", token=rota.token, url=rota.url)
    )
    options = ConsoleOptions(
        me="carol@example.com",
        config=Config(),
        config_path=tmp_path / "config.toml",
        theme_folders=(bundled_themes_folder(),),
    )

    async def scenario() -> None:
        app = ConsoleApp(backend, options)
        async with app.run_test(size=(160, 40)) as pilot:
            await opened(pilot)
            await put_cursor_on(pilot, "PAbc123")
            details = app.query_one("#details-text", Static)
            await settle(pilot, lambda: "bob@example.com" in str(details.render()))
            shown = str(details.render())
            assert "level 1 after 15m: carol@example.com" in shown
            assert "level 2 after 45m: bob@example.com" in shown

    asyncio.run(scenario())
