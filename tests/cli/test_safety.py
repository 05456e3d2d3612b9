"""Bad input and hostile data: clear sentences, the right exit codes, nothing lost."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from esctui.cli.render import write_csv
from esctui.wording import scrub

from .conftest import Run, esctui, reopen

HOSTILE = "[bold red]boom[/] \x1b[31mred\x1b[0m \x07bell\r \x9bcsi \x1b]52;c;aGk=\x07"


def test_scrub_makes_every_control_character_visible() -> None:
    shown = scrub(HOSTILE)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in shown)
    assert "\\x1b[31mred" in shown and "\\x07bell" in shown and "\\x9bcsi" in shown
    assert "[bold red]boom[/]" in shown  # markup is plain text to a plain terminal


def test_no_output_carries_control_characters_from_data(run: Run, store_path: Path) -> None:
    created = run(
        "trigger",
        "--title",
        HOSTILE,
        "--service",
        "dns",
        "--severity",
        "1",
        "--customer",
        "Evil\x1b[2JCorp",
    )
    incident = created.output.strip()
    run("note", incident, "line one\x1b[1A\x1b[2Kerased")
    run("comm", incident, "--channel", "chat", "--direction", "in", "--with", "\x1b[5mX", "hi\x07")
    outputs = [
        run(*args).output
        for args in (
            ("ls",),
            ("ls", "--csv"),
            ("status",),
            ("show", incident),
            ("export", "--csv"),
            ("metrics",),
            ("report",),
            ("ls", "--breaching"),
        )
    ]
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output
    assert "\\x1b[31mred" in run("show", incident).output
    # JSON escapes them as JSON does; a JSON reader gets the data back unchanged.
    data = json.loads(run("show", incident, "--json").output)
    assert data["incident"]["title"] == HOSTILE.strip()


def test_a_malformed_store_is_exit_3_and_left_untouched(run: Run, store_path: Path) -> None:
    snapshot = store_path / "snapshot.json"
    snapshot.write_bytes(b"{not json")
    for args in (("status",), ("ack", "INC-1001"), ("ls",)):
        result = run(*args)
        assert result.exit_code == 3, args
        assert "snapshot.json is not valid JSON" in result.stderr
    assert snapshot.read_bytes() == b"{not json"


def test_a_missing_store_says_how_to_make_one(run: Run, tmp_path: Path) -> None:
    result = run("--store", str(tmp_path / "none"), "status")
    assert result.exit_code == 3
    assert "There is no esctui store at" in result.stderr
    assert "demo --no-tui" in result.stderr
    assert f"esctui --store {tmp_path / 'none'} init --directory team.toml" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('identity = "frank"\n[sla.sev1]\nack = "5m"\n', "unknown key 'sla.sev1.ack'"),
        (
            'time_zone = "Mars/Olympus"\n',
            "bad value for 'time_zone': 'Mars/Olympus' is not a time zone",
        ),
        (
            '[sla.sev1]\nacknowledge = "5m"\nresolve = "999999d"\n',
            "bad value for 'sla.sev1.resolve': '999999d' is longer than esctui takes",
        ),
        (
            '[sla.sev1]\nacknowledge = "5m"\nresolve = "400d"\n',
            "'sla.sev1.resolve' (400d) is longer than a year, the most an SLA target may be",
        ),
    ],
)
def test_a_bad_config_is_exit_2_naming_the_key(
    run: Run, config_file: Callable[[str], Path], text: str, message: str
) -> None:
    config_file(text)
    result = run("status")
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_real_command_exit_codes(store_path: Path) -> None:
    env = {**os.environ}
    ok = esctui("ls", "--json", env=env)
    assert ok.returncode == 0 and json.loads(ok.stdout)
    refused = esctui("reopen", json.loads(ok.stdout)[0]["id"], env=env)
    assert refused.returncode == 1
    assert "only a resolved incident can be reopened" in refused.stderr
    usage = esctui("ls", "--severity", "9", env=env)
    assert usage.returncode == 2
    broken = esctui("--store", str(store_path / "snapshot.json"), "status", env=env)
    assert broken.returncode == 3
    assert "Traceback" not in broken.stderr + refused.stderr + usage.stderr


def test_the_state_after_a_refusal_is_unchanged(run: Run, store_path: Path) -> None:
    before = reopen(store_path).revision
    run("reopen", "INC-1001")
    run("handoff", "INC-1001", "--to", "nobody-here")
    after = reopen(store_path)
    assert after.revision == before


def test_error_sentences_do_not_replay_escapes_from_input(run: Run) -> None:
    result = run("note", "INC-\x1b[2J", "hello")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    assert "There is no incident INC-\\x1b[2J." in result.stderr


def test_a_store_that_cannot_be_locked_is_exit_3(run: Run, store_path: Path) -> None:
    lock = store_path / "store.lock"
    lock.unlink()
    lock.mkdir()  # something in the way of the lock file
    result = run("note", "INC-1001", "hello")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"esctui: Cannot lock {lock} for writing: ")
    assert run("ls").exit_code == 0  # reading needs no lock


def test_a_store_path_the_system_refuses_is_exit_3(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    team = tmp_path / "team.toml"
    team.write_text(run("directory", "export").output)
    result = run("--store", str(blocker / "store"), "init", "--directory", str(team))
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert str(blocker) in result.stderr


def test_a_config_nested_too_deep_is_exit_2_without_a_traceback(
    store_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("keymap = " + "[" * 3000 + "]" * 3000 + "\n")
    result = esctui("status", env={**os.environ, "ESCTUI_CONFIG": str(config)})
    assert result.returncode == 2
    assert result.stderr == f"esctui: config file {config} is nested too deeply to be read.\n"


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(run: Run) -> None:
    created = [
        run(
            "trigger", "--title", f, "--service", "dns", "--severity", "1", "--customer", f
        ).output.strip()
        for f in FORMULAS
    ]
    # The rules trim a title, so a leading tab leaves a leading `=`.
    tabbed = run("trigger", "--title", "\t=1+1", "--service", "dns", "--severity", "1")
    created.append(tabbed.output.strip())
    for args in (("ls", "--csv"), ("export", "--csv")):
        rows = list(csv.DictReader(io.StringIO(run(*args).output)))
        ours = [row for row in rows if row["id"] in created]
        assert len(ours) == len(created), args
        for row in ours:
            for value in row.values():
                assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), (args, value)
        titles = sorted(row["title"] for row in ours)
        assert titles == sorted(["'=1+1", *(f"'{f}" for f in FORMULAS)]), args
        assert {row["customer"] for row in ours} == {"", *(f"'{f}" for f in FORMULAS)}


def test_csv_neutralises_every_formula_lead(capsys: pytest.CaptureFixture[str]) -> None:
    cells = ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1", "plain", "a=1"]
    write_csv(["cell"], [[cell] for cell in cells])
    written = [row[0] for row in csv.reader(io.StringIO(capsys.readouterr().out))][1:]
    assert written == ["'=1+1", "'+1", "'-1", "'@A1", "\\x09=1+1", "\\x0d=1+1", "plain", "a=1"]


INVISIBLE = "\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u2028\u2029"


def test_scrub_shows_bidi_overrides_and_invisible_characters() -> None:
    shown = scrub(f"pay{INVISIBLE}ment")
    assert shown == "pay" + "".join(f"\\u{ord(ch):04x}" for ch in INVISIBLE) + "ment"
    assert scrub("Zürich ✓ 東京") == "Zürich ✓ 東京"  # everything else is left as it is


def test_no_output_lets_a_title_spoof_another(run: Run) -> None:
    spoof = "Disk full on db-1\u202e\u2066 (fixed)\u2069\u200b"
    created = run("trigger", "--title", spoof, "--service", "dns", "--severity", "1")
    incident = created.output.strip()
    run("note", incident, "see\u202erunbook")
    for args in (("ls",), ("show", incident), ("report",), ("ls", "--csv"), ("status",)):
        output = run(*args).output
        assert not any(ch in output for ch in INVISIBLE), args
        if args != ("status",):  # status lists only what breaches
            assert "db-1\\u202e\\u2066 (fixed)\\u2069\\u200b" in output, args
    assert "see\\u202erunbook" in run("show", incident).output
