"""Opening the console: `esctui` with no command, and `esctui demo`."""

from __future__ import annotations

import sys

from esctui.cli import STORE_FAILURE, Session, fail


def open_console(s: Session) -> None:
    """The TUI on the session's backend. Without a terminal (a script, a pipe) the queue's
    status is printed instead, so `esctui > file` still tells the truth."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from esctui.cli.views import print_status

        print_status(s, as_json=False)
        return
    from esctui.backends.base import ReadAhead

    backend = s.backend
    if isinstance(backend, ReadAhead):  # its answer travels while the console starts
        backend.read_ahead()
    from esctui.config import config_path
    from esctui.tui import ConsoleOptions, run_console

    options = ConsoleOptions(
        me=s.identity,
        config=s.config,
        config_path=config_path(),
        read_only=s.read_only,
        redact=s.redact,
    )
    code, failure = run_console(backend, options)
    if failure:
        fail(failure, code or STORE_FAILURE)
    if code:
        raise SystemExit(code)
