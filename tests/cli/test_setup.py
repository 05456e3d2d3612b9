from __future__ import annotations

from pathlib import Path

import msgspec

from esctui.directory_file import directory_toml, load_directory

from .conftest import Run, reopen


def test_init_from_an_exported_directory_makes_a_working_store(
    run: Run, store_path: Path, tmp_path: Path
) -> None:
    exported = run("directory", "export").output
    team = tmp_path / "team.toml"
    team.write_text(exported)
    assert load_directory(team) == reopen(store_path).directory
    fresh = tmp_path / "fresh"
    made = run("--store", str(fresh), "init", "--directory", str(team))
    assert made.exit_code == 0, made.output
    assert "14 responders" in made.output
    created = run(
        "--store", str(fresh), "trigger", "--title", "first", "--service", "dns", "--severity", "3"
    )
    assert created.output.strip() == "INC-1001"
    again = run("--store", str(fresh), "init", "--directory", str(team))
    assert again.exit_code == 1  # refused: it would replace a store
    assert "--force" in again.stderr


def test_importing_a_directory_keeps_incidents(run: Run, store_path: Path, tmp_path: Path) -> None:
    before = reopen(store_path)
    text = run("directory", "export").output.replace(
        'full_name = "Alice Adler"', 'full_name = "Alice Adler-Smith"'
    )
    team = tmp_path / "team.toml"
    team.write_text(text)
    result = run("directory", "import", str(team))
    assert result.exit_code == 0
    after = reopen(store_path)
    responder = after.directory.responder("alice")
    assert responder is not None
    assert responder.full_name == "Alice Adler-Smith"
    assert after.incidents == before.incidents


def test_a_directory_that_strands_open_incidents_is_refused(
    run: Run, store_path: Path, tmp_path: Path
) -> None:
    directory = reopen(store_path).directory
    smaller = msgspec.structs.replace(
        directory, services=tuple(s for s in directory.services if s.name != "checkout")
    )
    team = tmp_path / "team.toml"
    team.write_text(directory_toml(smaller))
    before = (store_path / "snapshot.json").read_bytes()
    result = run("directory", "import", str(team))
    assert result.exit_code == 1  # refused, like an illegal transition
    assert "Open incidents use services the new directory drops" in result.stderr
    assert (store_path / "snapshot.json").read_bytes() == before


def test_bad_directory_files_name_the_key(run: Run, tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text('[[responders]]\nnam = "a"\n')
    result = run("--store", str(tmp_path / "s"), "init", "--directory", str(team))
    assert result.exit_code == 2
    assert "unknown key 'responders[0].nam'" in result.stderr
    team.write_text('[[rotations]]\nname = "r"\nmembers = ["ghost"]\n')
    result = run("--store", str(tmp_path / "s"), "init", "--directory", str(team))
    assert "rotation 'r' lists unknown responder 'ghost'" in result.stderr
    assert not (tmp_path / "s").exists()


def test_a_directory_naming_someone_it_does_not_define_is_refused_with_1(
    run: Run, store_path: Path, tmp_path: Path
) -> None:
    team = tmp_path / "team.toml"
    team.write_text('[[rotations]]\nname = "r"\nmembers = ["ghost"]\n')
    before = (store_path / "snapshot.json").read_bytes()
    for args in (
        ("--store", str(tmp_path / "s"), "init", "--directory", str(team)),
        ("directory", "import", str(team)),
    ):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "rotation 'r' lists unknown responder 'ghost'" in result.stderr
    assert not (tmp_path / "s").exists()
    assert (store_path / "snapshot.json").read_bytes() == before


def test_demo_refuses_to_open_a_store_that_is_not_a_demo(run: Run, tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text(
        '[[responders]]\nname = "alice"\n[[policies]]\nname = "p"\n'
        'levels = [{ targets = [{ kind = "responder", name = "alice" }] }]\n'
    )
    real = tmp_path / "real"
    assert run("--store", str(real), "init", "--directory", str(team)).exit_code == 0
    before = (real / "snapshot.json").read_bytes()
    for who in ("frank", "alice"):
        result = run("--store", str(real), "--as", who, "demo")
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"esctui: The store at {real} is not a demo store (its responders are not the "
            f"demo's); open it with `esctui --store {real}`, or try the demo in a folder of "
            "its own with `esctui --store DIR demo`.\n"
        )
    assert (real / "snapshot.json").read_bytes() == before


def test_demo_opens_a_demo_store_that_is_there(run: Run, store_path: Path) -> None:
    result = run("demo")  # without a terminal, the console prints the status instead
    assert result.exit_code == 0, result.output
    assert "you are frank" in result.output
