"""Theme files turned into Textual themes; a file Textual cannot use is a warning."""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

from esctui.theme_files import ThemeFile, bundled_themes_folder, read_themes, user_themes_folder

DEFAULT_THEME = "esctui-dark"

# Textual's own styles refer to these in a 16-colour theme; a theme file need not name them.
ANSI_VARIABLES = {"ansi-background": "ansi_default", "ansi-foreground": "ansi_default"}


def textual_theme(spec: ThemeFile) -> Theme:
    """`spec` as a Textual theme; `ValueError` if a colour cannot be parsed."""
    theme = Theme(
        name=spec.name,
        dark=spec.dark,
        primary=spec.primary,
        secondary=spec.secondary,
        accent=spec.accent,
        warning=spec.warning,
        error=spec.error,
        success=spec.success,
        foreground=spec.foreground,
        background=spec.background,
        surface=spec.surface,
        panel=spec.panel,
        boost=spec.background if spec.ansi else None,
        ansi=spec.ansi,
        variables={**(ANSI_VARIABLES if spec.ansi else {}), **spec.variables},
    )
    theme.to_color_system().generate()  # parses every colour now, not mid-render
    return theme


def load_themes(*folders: Path) -> tuple[list[Theme], list[str]]:
    """The bundled themes and the responder's own (by default), and what was wrong with any."""
    folders = folders or (bundled_themes_folder(), user_themes_folder())
    specs, problems = read_themes(*folders)
    themes: list[Theme] = []
    for spec in specs:
        try:
            themes.append(textual_theme(spec))
        except Exception as error:  # Textual raises several kinds for a colour it cannot read
            problems.append(f"theme {spec.name!r} has a colour that cannot be used: {error}.")
    return themes, problems
