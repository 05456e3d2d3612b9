"""The examples in README.md work as written."""

from __future__ import annotations

from pathlib import Path

from esctui.config import load_config
from esctui.directory_file import load_directory

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def toml_block(after: str) -> str:
    return README.split(after, 1)[1].split("```toml", 1)[1].split("```", 1)[0]


def test_the_team_example_is_a_valid_directory(tmp_path: Path) -> None:
    file = tmp_path / "team.toml"
    file.write_text(toml_block("### Your team"))
    directory = load_directory(file)
    assert [s.name for s in directory.services] == ["checkout"]
    assert directory.rotations[0].overrides[0].responder == "carol"
    assert directory.team_members("web") == {"alice"}
    assert directory.services[0].runbook_url.startswith("https://")
    assert directory.services[0].update_minutes == {1: 15}


def test_the_config_example_is_a_valid_config(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text(toml_block("### Config"))
    config = load_config(file)
    assert config.identity == "carol"
    assert config.sla_overrides()[1].acknowledge_minutes == 5
    assert config.update_overrides() == {3: 120, 4: 0}


def test_the_quickstart_test_command_is_what_ci_runs() -> None:
    command = README.split("Install the test tools", 1)[1]
    command = command.split("```sh", 1)[1].split("```", 1)[0].strip()
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert command in ci.splitlines()
