"""The rules of the codebase that a reviewer would otherwise have to remember."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESCTUI_CONFIG": str(ROOT / "tests" / "data" / "no-such-config.toml")}
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed; install the test extras: pip install -e '.[test]'"
    return found


def test_layers_hold() -> None:
    """Faces above backends above the domain; the domain does no IO (import-linter)."""
    result = run(tool("lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cli_does_not_import_textual() -> None:
    code = "import sys, esctui.cli; sys.exit('textual' in sys.modules)"
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, "importing esctui.cli pulls in Textual"


def test_a_command_over_a_server_does_not_load_httpx_s_own_command_line() -> None:
    """httpx imports its command line (rich, pygments) unless told not to: ~85 ms a command."""
    code = (
        "import sys, esctui.cli, esctui.backends.http.backend; "
        "sys.exit(3 if 'pygments' in sys.modules or 'rich' in sys.modules else 0)"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_console_starts_without_its_dialogs_and_kpi_screen() -> None:
    """They load when first asked for: ~30 ms sooner to the console's first paint."""
    later = [
        "esctui.tui.questions",
        "esctui.tui.screens.confirm",
        "esctui.tui.screens.help",
        "esctui.tui.kpi.screen",
        "textual.widgets._text_area",
    ]
    code = f"import sys, esctui.cli, esctui.tui; print([m for m in {later!r} if m in sys.modules])"
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


def test_ruff_finds_nothing() -> None:
    result = run(tool("ruff"), "check", "src", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_check() -> None:
    result = run(tool("mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_cli_command_on_a_local_store_does_not_start_asyncio(tmp_path: Path) -> None:
    """Start-up is the CLI's budget: a one-shot command on the journal store runs inline."""
    store = tmp_path / "store"
    made = run(
        sys.executable,
        "-m",
        "esctui",
        "--store",
        str(store),
        "demo",
        "--no-tui",
        "--incidents",
        "20",
    )
    assert made.returncode == 0, made.stderr
    code = (
        "import sys\n"
        "from esctui.cli import cli\n"
        f"cli(['--store', {str(store)!r}, '--as', 'frank', 'status'], standalone_mode=False)\n"
        "sys.exit(3 if 'asyncio' in sys.modules else 0)\n"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "open " in result.stdout


def test_every_command_is_where_the_cli_looks_for_it() -> None:
    code = (
        "import importlib, esctui.cli as c\n"
        "for m in set(c.COMMAND_MODULES.values()):\n"
        "    importlib.import_module('esctui.cli.' + m)\n"
        "print(' '.join(sorted(c.cli.commands)))\n"
        "print(' '.join(sorted(c.COMMAND_MODULES)))\n"
    )
    result = run(sys.executable, "-c", code)
    registered, declared = result.stdout.splitlines()
    assert registered == declared


def test_only_what_sends_pages_or_reads_contact_urls_loads_apprise(tmp_path: Path) -> None:
    """Apprise takes a fifth of a second to load: `status`, `ls`, `show` and the console's
    start must not pay for it, even on a store whose responders have contact methods."""
    team = tmp_path / "team.toml"
    team.write_text(
        '[[responders]]\nname = "alice"\n'
        'contact = [{ name = "phone", url = "ntfy://alice-topic" }]\n'
        '[[policies]]\nname = "web"\n'
        'levels = [{ targets = [{ kind = "responder", name = "alice" }] }]\n'
        '[[services]]\nname = "checkout"\npolicy = "web"\n'
    )
    store = str(tmp_path / "store")
    made = run(sys.executable, "-m", "esctui", "--store", store, "init", "--directory", str(team))
    assert made.returncode == 0, made.stderr
    code = (
        "import sys\n"
        "from esctui.cli import cli\n"
        f"s = ['--store', {store!r}, '--as', 'alice']\n"
        "cli([*s, 'trigger', '--title', 't', '--service', 'checkout', '--severity', '1'],"
        " standalone_mode=False)\n"
        "for command in (['status'], ['ls'], ['show', 'INC-1001']):\n"
        "    cli([*s, *command], standalone_mode=False)\n"
        "import esctui.tui.app, esctui.cli.console\n"
        "sys.exit(3 if 'apprise' in sys.modules else 0)\n"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    exported = run(sys.executable, "-m", "esctui", "--store", store, "directory", "export")
    assert "ntfy://alice-topic" in exported.stdout  # read by Apprise there, and shown
