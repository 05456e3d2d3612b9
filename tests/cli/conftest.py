from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from esctui.cli import cli
from esctui.demo import build_demo
from esctui.stores.journal import JournalStore, create_store

Run = Callable[..., Result]


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo store with 60 incidents; the config (absent unless a test writes it, see
    `config_file`) and identity point nowhere else."""
    path = tmp_path / "store"
    directory, events = build_demo(60, seed=3, now=datetime.now(UTC))
    create_store(path, directory, events)
    monkeypatch.setenv("ESCTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("ESCTUI_STORE", str(path))
    monkeypatch.setenv("ESCTUI_USER", "frank")
    monkeypatch.setenv("COLUMNS", "160")
    return path


@pytest.fixture
def run(store_path: Path) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def config_file(store_path: Path, tmp_path: Path) -> Callable[[str], Path]:
    """Writes the config file the commands read."""

    def write(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text)
        return path

    return write


def reopen(path: Path) -> JournalStore:
    store = JournalStore(path)
    store.load()
    return store


def esctui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "esctui", *args], capture_output=True, text=True, timeout=60, env=env
    )
