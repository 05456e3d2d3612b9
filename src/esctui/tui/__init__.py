"""The responder's console: the Textual app over any `Backend`."""

from __future__ import annotations

from esctui.backends.base import Backend
from esctui.tui.app import ConsoleApp, ConsoleOptions

__all__ = ["ConsoleApp", "ConsoleOptions", "run_console"]


def run_console(backend: Backend, options: ConsoleOptions) -> tuple[int, str | None]:
    """Run the console until the responder quits: the exit code, and the sentence to print
    when it could not start."""
    app = ConsoleApp(backend, options)
    app.run()
    return app.return_code or 0, app.failure
