"""`esctui db migrate`, `db import --from DIR`, `db export --to DIR`: the database from
`--database`, `ESCTUI_DATABASE` or the config file; a sentence and an exit code when it
cannot be used."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from esctui.cli import cli
from esctui.demo import build_demo
from esctui.stores.journal import JournalStore, create_store
from esctui.stores.postgres import schema
from live_postgres import free_port


@pytest.fixture(autouse=True)
def nowhere_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCTUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("ESCTUI_DATABASE", raising=False)


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    path = tmp_path / "journal"
    directory, events = build_demo(30, seed=4, now=datetime.now(UTC))
    create_store(path, directory, events)
    return path


def db(*args: str) -> Result:
    return CliRunner().invoke(cli, ["db", *args], catch_exceptions=False)


def test_migrate_then_again(database: str) -> None:
    first = db("migrate", "--database", database)
    again = db("migrate", "--database", database)
    assert (first.exit_code, again.exit_code) == (0, 0)
    shipped = ", ".join(f"{m.version:04d}_{m.name}" for m in schema.migrations())
    assert shipped.startswith("0001_initial, 0002_intake, 0003_")
    assert first.stdout == f"Migrated {database} to schema {schema.LATEST}: {shipped}.\n"
    assert again.stdout == f"{database} is at schema {schema.LATEST} already; nothing to do.\n"


def test_import_then_export_through_the_environment(
    journal: Path, tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCTUI_DATABASE", database)
    moved = db("import", "--from", str(journal))
    again = db("import", "--from", str(journal))
    exported = db("export", "--to", str(tmp_path / "exported"))
    over = db("export", "--to", str(journal))
    original, copy = JournalStore(journal), JournalStore(tmp_path / "exported")
    original.load()
    copy.load()
    revision = original.queue().revision
    summary = f"30 incidents ({revision} events, revision {revision}), 0 tokens and 0 recorded"
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout == f"Imported {summary} requests from {journal} into {database}.\n"
    assert again.exit_code == 1
    assert again.stderr == (
        f"esctui: The database {database} already holds 30 incidents; a store is moved only "
        "into an empty database. Nothing was changed.\n"
    )
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout.startswith(f"Exported {summary} requests from {database} to ")
    assert copy.queue().incidents == original.queue().incidents
    assert over.exit_code == 1
    assert over.stderr == (
        f"esctui: A store already exists at {journal}; export to a directory without one. "
        "Nothing was changed.\n"
    )


def test_the_database_from_the_config_file(database: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{database}"\n')
    done = CliRunner().invoke(cli, ["db", "migrate"], env={"ESCTUI_CONFIG": str(config)})
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"Migrated {database}")


def test_no_database_is_a_usage_error() -> None:
    done = db("migrate")
    assert done.exit_code == 2
    assert "Which database? Give --database URL, or set ESCTUI_DATABASE" in done.stderr


def test_a_database_url_that_is_not_postgresql_is_a_usage_error() -> None:
    done = db("migrate", "--database", "mysql://db/oncall")
    assert done.exit_code == 2
    assert done.stderr == (
        "esctui: The database must be a postgresql:// URL, like postgresql://USER@HOST:5432/NAME.\n"
    )


def test_a_database_out_of_reach_is_exit_code_3_without_the_password() -> None:
    port = free_port()
    done = db("migrate", "--database", f"postgresql://esctui:s3cret@127.0.0.1:{port}/oncall")
    assert done.exit_code == 3
    assert done.stderr == (
        f"esctui: Cannot reach the database postgresql://esctui@127.0.0.1:{port}/oncall: the "
        "connection was refused (is PostgreSQL running?).\n"
    )


def test_the_database_commands_run_without_textual(database: str) -> None:
    code = (
        "import sys\n"
        "from esctui.cli import cli\n"
        f"cli(['db', 'migrate', '--database', {database!r}], standalone_mode=False)\n"
        "sys.exit(3 if 'textual' in sys.modules else 0)\n"
    )
    done = esctui_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Migrated {database}")


def test_the_cli_imports_asyncpg_only_for_a_database() -> None:
    code = (
        "import sys, esctui.cli, esctui.cli.database\n"
        "sys.exit(3 if 'asyncpg' in sys.modules else 0)\n"
    )
    assert esctui_python(code).returncode == 0


def esctui_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


# Fields that name where the store is, or the second a command ran (`status`'s time, the span
# `metrics` covers): everything else must be the same wherever the demo is kept.
WHERE_AND_WHEN = ("store", "at", "since", "until")


def printed(where: str, *args: str) -> Any:
    done = CliRunner(env={"ESCTUI_USER": "frank"}).invoke(cli, ["--store", where, *args])
    assert done.exit_code == 0, done.stderr
    found = json.loads(done.stdout)
    if isinstance(found, dict):
        for key in WHERE_AND_WHEN:
            found.pop(key, None)
    return found


def side_by_side(journal: Path, database: str, *args: str) -> tuple[Any, Any]:
    """What a command prints on the journal store and on the database, at one moment: the
    journal's read before and after the database's is the same (no deadline passed, no
    incident left `--since`'s span, in between)."""
    for _ in range(5):
        before = printed(str(journal), *args)
        there = printed(database, *args)
        if printed(str(journal), *args) == before:
            return before, there
    raise AssertionError("the clock moved the figures on every try")


def test_the_demo_moved_into_a_database_reads_the_same_as_the_journal(
    tmp_path: Path, database: str
) -> None:
    demo = tmp_path / "demo"
    made = CliRunner(env={"ESCTUI_USER": "frank"}).invoke(
        cli, ["--store", str(demo), "demo", "--no-tui"]
    )
    assert made.exit_code == 0, made.stderr
    assert db("import", "--from", str(demo), "--database", database).exit_code == 0
    status = side_by_side(demo, database, "status", "--json")
    assert status[1] == status[0]
    assert status[0]["breached"] and status[0]["mine"], "a demo with something to compare"
    metrics = side_by_side(demo, database, "metrics", "--json")
    assert metrics[1] == metrics[0]
    assert metrics[0]["overall"]["incidents"] > 0
    exported = side_by_side(demo, database, "export", "--json", "--since", "30d")
    assert exported[1] == exported[0]
    assert len(exported[0]) > 60
