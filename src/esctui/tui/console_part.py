"""The base of the console's mixins (`IncidentActions`, `LiveQueue`, `Navigation`,
`BottomLine`): to the type checker, the app they are mixed into, with what `ConsoleApp` and the
other parts provide them; at run time, nothing but `object`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from textual.app import App

    from esctui.backends.base import Backend, Link
    from esctui.domain import commands as c
    from esctui.domain.actions import Action
    from esctui.domain.models import Incident
    from esctui.tui.actions import Given
    from esctui.tui.app import ConsoleOptions
    from esctui.tui.queue_model import QueueModel
    from esctui.tui.queued import Queued
    from esctui.tui.undo import Done
    from esctui.tui.widgets.queue_table import QueueTable

    class ConsolePart(App[None]):
        backend: Backend
        options: ConsoleOptions
        me: str
        redact: bool
        clock: Callable[[], datetime]
        model: QueueModel
        link: Link
        updated: datetime | None
        last_done: Done | None
        queued: Queued
        line_mode: str
        failure: str | None
        bells_rung: int

        @property
        def table(self) -> QueueTable: ...

        def show_selected(self) -> None: ...

        def refresh_header(self) -> None: ...

        def send(
            self,
            action: Action,
            commands: list[c.AnyCommand],
            incidents: list[Incident],
            *,
            undoing: Done | None = None,
        ) -> None: ...

        def forget_sent(self) -> None: ...

        def request(self, action_id: Action, given: Given | None = None) -> None: ...

        def run_from_palette(self, action: str) -> None: ...

        def action_use_theme(self, name: str) -> None: ...

        def action_view(self, view: str) -> None: ...

        def set_filter(self, text: str) -> None: ...

        def go_to(self, incident_id: str) -> None: ...

        def close_line(self) -> None: ...

else:
    ConsolePart = object
