"""A real Alertmanager for each test that asks for one (live_alertmanager.py), and the CLI
run against it with a config that points nowhere else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from esctui.cli import cli
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
