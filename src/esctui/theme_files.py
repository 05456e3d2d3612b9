"""Colour themes as TOML files: the bundled `themes/` folder and the responder's own.

A theme file names the colours a screen needs (see `themes/esctui-dark.toml`). Reading them
never fails as a whole: each file is either a `ThemeFile` or a sentence saying what is wrong with
it, so one bad file is a warning, not a console that will not start.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from esctui.config import ConfigError, config_path, convert, read_toml


class ThemeFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One theme: the base colours; `ansi` themes use only the terminal's own 16 colours."""

    name: str
    dark: bool
    primary: str
    secondary: str
    accent: str
    warning: str
    error: str
    success: str
    foreground: str
    background: str
    surface: str
    panel: str
    ansi: bool = False
    variables: dict[str, str] = {}


def bundled_themes_folder() -> Path:
    """`themes/` beside the package when installed from a wheel, or in the source tree."""
    packaged = Path(__file__).parent / "themes"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "themes"


def user_themes_folder() -> Path:
    """`themes/` next to the config file."""
    return config_path().parent / "themes"


def read_theme(path: Path) -> ThemeFile:
    theme = convert(read_toml(path, "theme file"), ThemeFile, "theme file", path, strict=True)
    if theme.name != path.stem:
        raise ConfigError(f"theme file {path}: 'name' is {theme.name!r}; it must be {path.stem!r}.")
    return theme


def read_themes(*folders: Path) -> tuple[list[ThemeFile], list[str]]:
    """Every `*.toml` theme in `folders` (a later folder's theme replaces an earlier one of the
    same name), and a sentence for each file that could not be used."""
    found: dict[str, ThemeFile] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = read_theme(path)
            except ConfigError as error:
                problems.append(str(error))
                continue
            found[theme.name] = theme
    return list(found.values()), problems
