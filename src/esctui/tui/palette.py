"""Ctrl+P: every action by name, and "go to incident" by id or title."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from esctui.wording import scrub

if TYPE_CHECKING:
    from esctui.tui.app import ConsoleApp

GO_TO_LIMIT = 50


def highlight(matcher: Matcher, text: str) -> Content:
    """`text` with the matched letters marked. Textual's own `Matcher.highlight` reads its
    argument as markup, and a title is data: `[bold]` in it must stay `[bold]`."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ActionCommands(Provider):
    """The console's actions, with the key each is on now."""

    @property
    def console(self) -> ConsoleApp:
        from esctui.tui.app import ConsoleApp

        assert isinstance(self.app, ConsoleApp)
        return self.app

    def entries(self) -> list[tuple[str, str, str]]:
        """(title, help, action) for each action that applies now."""
        return [
            (title, help_text, action)
            for title, help_text, action in self.console.palette_entries()
            if self.console.check_action(action.split("(")[0], ()) is not False
        ]

    async def discover(self) -> Hits:
        for title, help_text, action in self.entries():
            yield DiscoveryHit(
                Content(title), partial(self.console.run_from_palette, action), help=help_text
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self.entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, title),
                    partial(self.console.run_from_palette, action),
                    help=help_text,
                )


class GoToIncident(Provider):
    """`go to INC-1042` or any words of a title, across every incident in the store."""

    async def search(self, query: str) -> Hits:
        from esctui.tui.app import ConsoleApp

        console = self.app
        assert isinstance(console, ConsoleApp)
        query = query.removeprefix("go to").strip()
        if not query:
            return
        matcher = self.matcher(query)
        found = 0
        for incident in console.model.incidents.values():
            title = "(title hidden)" if console.redact else scrub(incident.title)
            text = f"{incident.id} {title}"
            score = matcher.match(text)
            if score <= 0:
                continue
            yield Hit(
                score,
                highlight(matcher, f"Go to {text}"),
                partial(console.go_to, incident.id),
                text=f"Go to {text}",
                help=f"{incident.status} · {scrub(incident.service)}",
            )
            found += 1
            if found >= GO_TO_LIMIT:
                return
