"""Ctrl+P: every action that applies now by name, esctui's themes, and "go to incident" by id
or title."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from esctui.tui.actions import ACTIONS
from esctui.wording import scrub

if TYPE_CHECKING:
    from esctui.tui.app import ConsoleApp

GO_TO_LIMIT = 50
BY_BINDING = {action.binding: action for action in ACTIONS.values()}


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
    """The console's actions that apply now, with the key each is on, and esctui's themes."""

    @property
    def console(self) -> ConsoleApp:
        from esctui.tui.app import ConsoleApp

        assert isinstance(self.app, ConsoleApp)
        return self.app

    def entries(self) -> list[tuple[str, str, str]]:
        """(title, help, action) for each action that applies now: the incident actions the
        console offers, the rest of its keys, then its themes."""
        console = self.console
        offered = console.offered_now()
        found: list[tuple[str, str, str]] = []
        for binding in console.all_bindings():
            keys = f"key {console.keys_of(binding)}"
            action = BY_BINDING.get(binding.id or "")
            if action is not None:
                if action.id in offered:
                    found.append((action.title, f"{keys} · {action.explains}", binding.action))
            elif not elsewhere(binding.id or "", read_only=console.options.read_only):
                found.append((binding.description, keys, binding.action))
        return found + [
            (f"Theme: {name}", "switch theme", f"use_theme('{name}')")
            for name in sorted(console.own_themes)
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


def elsewhere(binding_id: str, *, read_only: bool) -> bool:
    """Keys the palette leaves out: itself, moving about the queue and the detail pane, and
    undo where nothing can be done."""
    return (
        binding_id == "app.palette"
        or binding_id.startswith(("queue.", "detail."))
        or (read_only and binding_id == "incident.undo")
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
