"""Numbers and times that would overflow date arithmetic are refused at the door, with a
sentence naming what is wrong, and nothing already saved changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, reopen

HUGE = "99999999999999"


def exported(run: Run, tmp_path: Path, old: str, new: str) -> Path:
    text = run("directory", "export").output
    assert old in text
    team = tmp_path / "team.toml"
    team.write_text(text.replace(old, new, 1))
    return team


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("timeout_minutes = 15", f"timeout_minutes = {HUGE}", ".levels[0].timeout_minutes'"),
        ("shift_hours = 168", f"shift_hours = {HUGE}", ".shift_hours'"),
    ],
)
def test_directory_import_and_init_refuse_numbers_past_their_bound(
    run: Run, store_path: Path, tmp_path: Path, old: str, new: str, key: str
) -> None:
    team = exported(run, tmp_path, old, new)
    before = (store_path / "snapshot.json").read_bytes()
    for args in (
        ("directory", "import", str(team)),
        ("--store", str(tmp_path / "fresh"), "init", "--directory", str(team)),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "bad value for '" in result.stderr and key in result.stderr, result.stderr
        assert "expected `int` <=" in result.stderr
    assert (store_path / "snapshot.json").read_bytes() == before
    assert not (tmp_path / "fresh").exists()
    incident = min(i.id for i in reopen(store_path).incidents.values() if i.is_open)
    assert run("note", incident, "still writable").exit_code == 0


def test_directory_import_refuses_an_override_in_year_1(
    run: Run, store_path: Path, tmp_path: Path
) -> None:
    team = exported(
        run,
        tmp_path,
        "overrides = [\n",
        'overrides = [\n    { responder = "alice", start = 0001-01-01T00:00:00Z, '
        "end = 2026-01-01T00:00:00Z },\n",
    )
    result = run("directory", "import", str(team))
    assert result.exit_code == 2, result.output
    assert "'start' is in the year 1; esctui takes the years 2000 to 2200" in result.stderr
    assert "overrides[0]" in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("snooze", "INC-1001", "--for", "99999999999999999d"), "--for"),
        (("report", "--since", "999999d"), "--since"),
        (("metrics", "--since", "999999d"), "--since"),
        (("export", "--since", "999999d"), "--since"),
        (("compact", "--archive-after", "999999d"), "--archive-after"),
    ],
)
def test_durations_past_the_bound_are_usage_errors(
    run: Run, args: tuple[str, ...], option: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: " in result.output
    assert "is longer than esctui takes (3650d, about ten years)" in result.output


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1999-12-31"])
def test_oncall_at_a_time_outside_the_years_esctui_takes_is_a_usage_error(
    run: Run, at: str
) -> None:
    result = run("oncall", "--at", at)
    assert result.exit_code == 2, result.output
    assert "esctui takes the years 2000 to 2200" in result.output
