"""End to end in a real terminal: tmux runs the installed `esctui` on a temporary store, keys
act on it, and an incident triggered meanwhile by the CLI shows up on screen."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
ESCTUI = str(BIN / "esctui") if (BIN / "esctui").exists() else shutil.which("esctui") or "esctui"


# A tmux server started without a terminal puts COLUMNS=80 and LINES=24 in its sessions'
# environment, and Textual takes those over the window's real size.
UNSIZED = "env -u COLUMNS -u LINES"


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return done.stdout


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float) -> float:
        """Seconds until `text` is on screen; fails with the screen after `timeout`."""
        start = time.monotonic()
        while text not in self.screen():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{self.screen()}")
            time.sleep(0.05)
        return time.monotonic() - start

    def wait_until(self, shows: Callable[[str], bool], timeout: float) -> None:
        """Until the screen's text passes `shows`; fails with the screen after `timeout`."""
        start = time.monotonic()
        while not shows(self.screen()):
            if time.monotonic() - start > timeout:
                raise AssertionError(f"not there after {timeout}s:\n{self.screen()}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        tmux("send-keys", "-t", self.name, *keys)

    def alive(self) -> bool:
        return (
            subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode
            == 0
        )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "ESCTUI_STORE": str(tmp_path / "store"),
        "ESCTUI_CONFIG": str(tmp_path / "config.toml"),
        "ESCTUI_USER": "frank",
        "TERM": "xterm-256color",
    }
    environment.pop("NO_COLOR", None)
    return environment


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([ESCTUI, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def terminal(env: dict[str, str]) -> Iterator[Terminal]:
    cli(env, "demo", "--no-tui", "--incidents", "40")
    name = f"esctui-{uuid.uuid4().hex[:8]}"
    command = " ".join(
        [
            UNSIZED,
            *(f"{k}={v}" for k, v in env.items() if k.startswith("ESCTUI_")),
            "TERM=xterm-256color",
            ESCTUI,
        ]
    )
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "35", command)
    try:
        yield Terminal(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_keys_act_and_the_cli_is_seen_within_two_seconds(
    terminal: Terminal, env: dict[str, str]
) -> None:
    terminal.wait_for("INC-", timeout=20)
    terminal.wait_for("shown", timeout=5)

    # Unacknowledged view, then acknowledge the first one (the cursor's).
    terminal.keys("2")
    terminal.wait_until(lambda screen: " TRIG " in screen and " ACK " not in screen, timeout=5)
    queue = json.loads(cli(env, "ls", "--status", "triggered", "--json"))
    before = {i["id"] for i in queue}
    terminal.keys("a")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        after = {i["id"] for i in json.loads(cli(env, "ls", "--status", "triggered", "--json"))}
        if len(after) == len(before) - 1:
            break
        time.sleep(0.1)
    (acknowledged,) = before - after
    shown = json.loads(cli(env, "show", acknowledged, "--json"))
    assert shown["incident"]["status"] == "acknowledged"
    assert shown["timeline"][-1]["by"] == "frank"

    # Someone triggers an incident from a shell: it is on screen within 2 seconds.
    terminal.keys("3")
    title = "Payments down in the terminal test"
    cli(env, "trigger", "--service", "checkout", "--severity", "1", "--title", title)
    seen_after = terminal.wait_for("Payments down in the terminal", timeout=2)
    assert seen_after <= 2

    terminal.keys("q")
    deadline = time.monotonic() + 5
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminal.alive()


def test_a_store_that_cannot_be_read_is_said_before_the_console_takes_the_terminal(
    env: dict[str, str],
) -> None:
    cli(env, "demo", "--no-tui", "--incidents", "5")
    (Path(env["ESCTUI_STORE"]) / "snapshot.json").write_text("{")
    master, slave = os.openpty()
    started = subprocess.Popen([ESCTUI], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    output = b""
    with contextlib.suppress(OSError):  # the terminal's end is gone once the process is
        while chunk := os.read(master, 65536):
            output += chunk
    os.close(master)
    assert started.wait(30) == 3
    assert b"snapshot.json is not valid JSON" in output and b"Traceback" not in output
    assert b"\x1b[?1049h" not in output  # the console's screen was never opened
