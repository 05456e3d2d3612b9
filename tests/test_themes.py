"""The bundled theme files are well-formed: every colour a screen needs, named after the file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from esctui.theme_files import read_themes

THEMES = sorted((Path(__file__).resolve().parents[1] / "themes").glob("*.toml"))
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}|ansi_[a-z_]+")
KEYS = {
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
}


def test_the_four_bundled_themes_are_there() -> None:
    assert [t.stem for t in THEMES] == [
        "esctui-ansi",
        "esctui-dark",
        "esctui-high-contrast",
        "esctui-light",
    ]


@pytest.mark.parametrize("path", THEMES, ids=[t.stem for t in THEMES])
def test_a_theme_names_every_colour(path: Path) -> None:
    theme = tomllib.loads(path.read_text())
    assert theme["name"] == path.stem
    assert isinstance(theme["dark"], bool)
    assert KEYS | {"name", "dark"} <= set(theme) <= KEYS | {"name", "dark", "ansi", "variables"}
    for key in KEYS:
        assert COLOUR.fullmatch(theme[key]), (key, theme[key])
    if path.stem == "esctui-ansi":
        assert theme["ansi"] is True
        assert all(theme[k].startswith("ansi_") for k in KEYS)
        assert all(v.startswith("ansi_") for v in theme["variables"].values())


def test_a_theme_file_nested_too_deep_is_a_problem_and_the_others_load(tmp_path: Path) -> None:
    good = THEMES[0]
    (tmp_path / good.name).write_text(good.read_text())
    deep = tmp_path / "deep.toml"
    deep.write_text("variables = " + "[" * 3000 + "]" * 3000 + "\n")
    themes, problems = read_themes(tmp_path)
    assert [t.name for t in themes] == [good.stem]
    assert problems == [f"theme file {deep} is nested too deeply to be read."]
