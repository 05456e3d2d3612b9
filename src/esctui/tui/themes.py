"""Theme files turned into Textual themes; a file Textual cannot use is a warning.

Besides Textual's own, the console's styles use four colours a theme file may set in its
`[variables]`: `alarm-background` and `alarm-foreground` for the badges of SEV1 and of a
breached deadline, `caution-background` and `caution-foreground` for a deadline at risk on the
cursor row. By default they are the theme's error and warning colours, each with black or white
text, whichever reads better on it; the cursor bar (Textual's `block-cursor-background`, by
default the primary colour) likewise gets black or white text. Under NO_COLOR the console
sends no colour at all (Textual would send greys): emphasis is bold, reverse video and
underline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor
from textual.theme import Theme

from esctui.theme_files import ThemeFile, bundled_themes_folder, read_themes, user_themes_folder

DEFAULT_THEME = "esctui-dark"

# Textual's own styles refer to these in a 16-colour theme; a theme file need not name them.
ANSI_VARIABLES = {"ansi-background": "ansi_default", "ansi-foreground": "ansi_default"}
NO_COLOUR = NoColor()
# The badge of SEV1 and of what is breached, in text outside the queue: reversed, so that under
# NO_COLOR it stays a reversed block.
ALARM = "bold reverse $alarm-background on $alarm-foreground"


def relative_luminance(color: Color) -> float:
    """WCAG's relative luminance of an opaque colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)


def readable_on(background: str) -> str:
    """Black or white, whichever has the higher WCAG contrast on `background` (a hex colour)."""
    # Against black the contrast is (L + 0.05) / 0.05, against white 1.05 / (L + 0.05): black
    # wins above L = 0.179.
    return "#000000" if relative_luminance(Color.parse(background)) > 0.179 else "#FFFFFF"


def badge_variables(spec: ThemeFile) -> dict[str, str]:
    """The badges' colours, unless the theme file names them."""
    if spec.ansi:
        return {
            "alarm-background": spec.error,
            "alarm-foreground": "ansi_bright_white",
            "caution-background": spec.warning,
            "caution-foreground": "ansi_black",
        }
    return {
        "alarm-background": spec.error,
        "alarm-foreground": readable_on(spec.error),
        "caution-background": spec.warning,
        "caution-foreground": readable_on(spec.warning),
        # The cursor bar in the primary colour, with the text that reads best on it.
        "block-cursor-foreground": readable_on(spec.primary),
    }


# For a theme that does not come from a theme file (Textual's own, in force while the console
# starts): its badges in plain red and amber.
BADGE_FALLBACK = {
    "alarm-background": "#C22D22",
    "alarm-foreground": "#FFFFFF",
    "caution-background": "#F0B030",
    "caution-foreground": "#000000",
}


def without_colour(filters: Sequence[LineFilter]) -> list[LineFilter]:
    """The line filters for NO_COLOR: Textual's greys replaced by no colour at all."""
    return [NO_COLOUR if isinstance(f, Monochrome) else f for f in filters]


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
        variables={
            **(ANSI_VARIABLES if spec.ansi else {}),
            **badge_variables(spec),
            **spec.variables,
        },
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
