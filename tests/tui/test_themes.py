"""Theme files become Textual themes; a bad one is a warning; NO_COLOR is honoured."""

from __future__ import annotations

from pathlib import Path

import pytest

from esctui.config import Config
from esctui.theme_files import bundled_themes_folder
from esctui.tui.themes import load_themes

from .conftest import Console, Toasts, opened, run, settle


def test_every_bundled_theme_loads() -> None:
    themes, problems = load_themes(bundled_themes_folder())
    assert problems == []
    assert {t.name for t in themes} == {
        "esctui-dark",
        "esctui-light",
        "esctui-high-contrast",
        "esctui-ansi",
    }
    ansi = next(t for t in themes if t.name == "esctui-ansi")
    assert ansi.ansi and ansi.primary == "ansi_blue"


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text)


GOOD = (bundled_themes_folder() / "esctui-dark.toml").read_text()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name = 'broken'\ndark = tru", "is not valid TOML"),
        (
            GOOD.replace('name = "esctui-dark"', 'name = "broken"').replace("primary", "primry"),
            "unknown key 'primry'",
        ),
        (
            GOOD.replace('name = "esctui-dark"', 'name = "broken"').replace("#5B9BD5", "#XYZXYZ"),
            "cannot be used",
        ),
        (GOOD, "it must be 'broken'"),
    ],
)
def test_a_bad_user_theme_is_a_sentence(tmp_path: Path, text: str, says: str) -> None:
    write(tmp_path, "broken", text)
    themes, problems = load_themes(bundled_themes_folder(), tmp_path)
    assert len(themes) == 4
    assert len(problems) == 1 and says in problems[0]


def test_a_user_theme_is_offered_and_a_bad_one_does_not_stop_the_console(
    console: Console,
) -> None:
    user_themes = console.config_path.parent / "themes"
    write(user_themes, "night-shift", GOOD.replace("esctui-dark", "night-shift"))
    write(user_themes, "broken", "this is not toml")

    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(config=Config(theme="night-shift"))
        async with app.run_test(size=(120, 30), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            assert app.theme == "night-shift"
            await settle(pilot, lambda: bool(toasts.saying("broken")))

    run(scenario)


def test_an_unknown_theme_in_the_config_falls_back_with_a_warning(console: Console) -> None:
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(config=Config(theme="sparkly"))
        async with app.run_test(size=(120, 30), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            assert app.theme == "esctui-dark"
            await settle(pilot, lambda: bool(toasts.saying("sparkly")))

    run(scenario)


def test_no_color_is_honoured(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def scenario() -> None:
        app = console.app()
        async with app.run_test(size=(120, 30)) as pilot:
            await opened(pilot)
            assert app.no_color
            strip = app.queue.table.render_line(2)
            # Textual strips colour on the way to the terminal; the line itself still renders.
            assert strip.text.strip()

    run(scenario)
