"""Opening the console: `esctui` with no command, and `esctui demo`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from esctui.cli import STORE_FAILURE, Session, fail

if TYPE_CHECKING:
    from esctui.backends.base import Backend, Queue


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
    opened = read_at_once(backend)
    from esctui.config import config_path
    from esctui.tui import ConsoleOptions, run_console

    options = ConsoleOptions(
        me=s.identity,
        config=s.config,
        config_path=config_path(),
        read_only=s.read_only,
        redact=s.redact,
        opened=opened,
    )
    code, failure = run_console(backend, options)
    if failure:
        fail(failure, code or STORE_FAILURE)
    if code:
        raise SystemExit(code)


def read_at_once(backend: Backend) -> Queue | None:
    """The queue of a store on this machine, read before the console starts, so that its
    first frame already holds the rows; None for a backend that reads over the network (the
    console reads it while it starts, saying "Opening ...").

    Reading 10,000 incidents from a journal takes about 30 ms. Read in a worker thread while
    Textual started, it shared the one interpreter with the start, and the rows came a frame
    later: first paint 476 ms before, 326 ms after (bench/tui_bench.py, 10k incidents).
    """
    if not getattr(backend, "runs_inline", False):
        return None
    from esctui.backends.base import StoreError
    from esctui.stores.inline import run_inline

    try:
        return run_inline(backend.open())
    except StoreError as error:
        fail(str(error), STORE_FAILURE)
