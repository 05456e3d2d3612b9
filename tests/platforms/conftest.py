"""A real Alertmanager for each test that asks for one (live_alertmanager.py), and the CLI
run against it with a config that points nowhere else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from esctui.cli import cli
from fake_pagerduty import FakePagerDuty
from live_alertmanager import LiveAlertmanager

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No config file, no store, no server, no credentials from this machine."""
    config = tmp_path / "config.toml"
    monkeypatch.setenv("ESCTUI_CONFIG", str(config))
    for name in (
        "ESCTUI_STORE",
        "ESCTUI_SERVER",
        "ESCTUI_TOKEN",
        "ESCTUI_DATABASE",
        "ESCTUI_ALERTMANAGER_URL",
        "ESCTUI_ALERTMANAGER_TOKEN",
        "ESCTUI_ALERTMANAGER_USER",
        "ESCTUI_ALERTMANAGER_PASSWORD",
        "ESCTUI_PAGERDUTY_TOKEN",
        "ESCTUI_PAGERDUTY_URL",
        "ESCTUI_PAGERDUTY_FROM",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ESCTUI_USER", "carol")
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("TZ", "UTC")
    return config


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[LiveAlertmanager]:
    running = LiveAlertmanager(tmp_path / "alertmanager").start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def esctui() -> Run:
    """The CLI in this process: `esctui(*args)`."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def pagerduty(monkeypatch: pytest.MonkeyPatch, no_config: Path) -> Iterator[FakePagerDuty]:
    """The stateful fake with two users and three incidents, the CLI pointed at it as
    carol; every answer it gave is checked against PagerDuty's document at the end."""
    fake = FakePagerDuty().start()
    fake.user("PCAROL1", "Carol Crane", "carol@example.com")
    fake.user("PBOB001", "Bob Baker", "bob@example.com")
    fake.incident("PAbc123", "Checkout 5xx above 5%", assignee="PCAROL1")
    fake.incident("PDisk01", "Disk full on db-1", urgency="low", assignee="PBOB001")
    fake.incident("POld001", "Queue backlog", status="resolved")
    monkeypatch.setenv("ESCTUI_PAGERDUTY_TOKEN", fake.token)
    monkeypatch.setenv("ESCTUI_PAGERDUTY_URL", fake.url)
    no_config.write_text('from_email = "carol@example.com"\n')
    try:
        yield fake
        assert fake.problems == []
    finally:
        fake.stop()
