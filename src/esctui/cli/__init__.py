"""The headless CLI: `esctui [--store DIR | --server URL] [--as NAME] COMMAND`.

Commands build domain commands and hand them to the backend; they never open store files. Exit
codes: 0 done, 1 refused by the rules, 2 usage, 3 the store (or server) could not be read or
written.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
import types
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from esctui import __version__
from esctui.backends.base import Backend, Queue, StoreError, StoreExists
from esctui.config import (
    Config,
    ConfigError,
    Platform,
    display_zone,
    load_config,
    resolve_identity,
    resolve_server,
    resolve_store,
    resolve_token,
)
from esctui.domain.cadence import CadenceBook, cadence_book
from esctui.domain.errors import DomainError
from esctui.domain.sla import SlaBook, sla_book

# Importing httpx imports its own command line (`httpx._main`, with rich and pygments), which
# esctui never runs: about 100 ms of every command that talks to a server or a platform. An
# empty module in its place has httpx go without it (httpx expects it may be missing).
sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))

if TYPE_CHECKING:
    from esctui.backends.local import LocalBackend

T = TypeVar("T")

DONE, REFUSED, USAGE, STORE_FAILURE = 0, 1, 2, 3


def open_backend(where: str | Path, *, lock_wait: float | None = None) -> LocalBackend:
    """The incident service over the store at `where`: a journal directory on this machine,
    or a PostgreSQL database (`postgresql://...`). `lock_wait`: how long a write waits for
    another process's lock on a journal store (default: the CLI's)."""
    from esctui.backends.local import open_local

    return open_local(str(where), lock_wait=lock_wait)


def open_server(url: str, token: str | None) -> Backend:
    """The team server at `url`, as the responder `token` belongs to."""
    if not token:
        raise click.UsageError(
            f"No token for the server {url}: set ESCTUI_TOKEN or `token` in the config file "
            "(`esctui token create NAME` on the server's host makes one)."
        )
    from esctui.backends.http.backend import HttpBackend

    return HttpBackend(url, token)


class Session:
    """What every command needs: config, store, identity, the time, and a way to run async."""

    def __init__(
        self,
        store_flag: str | None,
        as_flag: str | None,
        *,
        server_flag: str | None = None,
        alertmanager_flag: str | None = None,
        pagerduty_flag: bool = False,
        read_only: bool = False,
        redact: bool = False,
    ) -> None:
        self.store_flag = store_flag
        self.server_flag = server_flag
        self.alertmanager_flag = alertmanager_flag
        self.pagerduty_flag = pagerduty_flag
        self.as_flag = as_flag
        self.read_only = read_only
        self.redact = redact
        self.now = datetime.now(UTC)
        self.lock_wait: float | None = None  # a server's writers wait less than a CLI

    @cached_property
    def config(self) -> Config:
        return load_config()

    @cached_property
    def zone(self) -> tzinfo:
        """The zone times are shown in (config `time_zone`, else the system's)."""
        return display_zone(self.config)

    @cached_property
    def store_where(self) -> str:
        """The store this session opens itself: a directory, or a PostgreSQL URL. Asking for
        it while a server is chosen is a mistake (a command that only works on a store must
        not quietly use another one)."""
        if self.platform is not None:
            raise click.UsageError(
                f"This command works on esctui's own store, not on {self.platform}; leave out "
                "--alertmanager and --pagerduty (or `backend` in the config file)."
            )
        if self.server_url is not None:
            raise click.UsageError(
                "This command works on a store on this machine (or a database it opens itself); "
                "leave out --server (or give --store DIR when ESCTUI_SERVER or the config names "
                "a server)."
            )
        return resolve_store(self.store_flag, self.config)

    @cached_property
    def store_path(self) -> Path:
        """The store's directory, for the commands that make or read a journal store."""
        from esctui.backends.local import is_database

        if is_database(self.store_where):
            raise click.UsageError(
                "This command works on a journal store directory, not a database; give "
                "--store DIR (`esctui db` moves a journal store into a database and back)."
            )
        return Path(self.store_where)

    @cached_property
    def server_url(self) -> str | None:
        if self.server_flag and self.store_flag:
            raise click.UsageError("Choose one of --store and --server.")
        if self.store_flag:
            return None
        return resolve_server(self.server_flag, self.config)

    @cached_property
    def platform(self) -> Platform | None:
        """The platform the incidents live on (Alertmanager, PagerDuty), if one is chosen."""
        from esctui.cli.platforms import chosen_platform

        chosen = chosen_platform(self.alertmanager_flag, self.pagerduty_flag, self.config)
        if chosen is not None and (self.store_flag or self.server_flag):
            raise click.UsageError(f"Choose one of --store, --server and the {chosen} backend.")
        return chosen

    @cached_property
    def backend(self) -> Backend:
        if self.platform == "alertmanager":
            from esctui.cli.platforms import open_alertmanager

            return open_alertmanager(self.alertmanager_flag, self.config, self.identity)
        if self.platform == "pagerduty":
            from esctui.cli.platforms import open_pagerduty

            return open_pagerduty(self.config)
        if self.server_url is not None:
            return open_server(self.server_url, resolve_token(self.config))
        return self.local

    @cached_property
    def local(self) -> LocalBackend:
        """The store this session opens itself (commands that need one: `serve`, `token`)."""
        return open_backend(self.store_where, lock_wait=self.lock_wait)

    @property
    def identity(self) -> str:
        """Who I am: through a server, whoever my token belongs to (asked of the server); else
        `--as`, the config, `ESCTUI_USER` or my login name; on PagerDuty, the `From` user."""
        if self.platform == "pagerduty":
            from esctui.cli.platforms import pagerduty_user

            return pagerduty_user(self.config)
        if self.platform is not None:
            return resolve_identity(self.as_flag, self.config)
        if self.server_url is not None:
            return self.token_responder
        return resolve_identity(self.as_flag, self.config)

    @cached_property
    def token_responder(self) -> str:
        name = self.run(lambda backend: backend.whoami())
        assert name is not None  # a server always says whose token it is
        return name

    async def me(self, backend: Backend, queue: Queue, *, required: bool) -> str | None:
        """Who I am, checked against the store's responders. Unknown: a usage error when I
        must act (or asked with --as), otherwise None so read-only views just leave out "mine".
        Through a server I am whoever my token says."""
        remote = await backend.whoami()
        if remote is not None:
            if self.as_flag and self.as_flag != remote:
                raise click.UsageError(
                    f"Through the server you act as your token's responder, {remote}, "
                    f"not {self.as_flag!r}."
                )
            return remote
        name = resolve_identity(self.as_flag, self.config)
        if queue.directory.responder(name) is not None:
            return name
        if required or self.as_flag:
            known = ", ".join(queue.directory.responder_names()) or "none"
            raise click.UsageError(
                f"{name!r} is not a responder in this store; known responders: {known}. "
                "Choose one with --as NAME, ESCTUI_USER or `identity` in the config file."
            )
        return None

    def sla(self, queue: Queue) -> SlaBook:
        return sla_book(queue.directory, self.config.sla_overrides())

    def cadence(self, queue: Queue) -> CadenceBook:
        return cadence_book(queue.directory, self.config.update_overrides())

    def run(self, work: Callable[[Backend], Awaitable[T]]) -> T:
        """Run one piece of work against the backend, then close it."""
        results: list[T] = []

        async def body() -> None:
            try:
                results.append(await work(self.backend))
            finally:
                await self.backend.close()

        if getattr(self.backend, "runs_inline", False):
            from esctui.stores.inline import run_inline

            run_inline(body())
        else:
            import asyncio

            # The task returns nothing: on Python 3.11, asyncio.run's Ctrl+C handling can repr
            # the main task, and with it a whole queue, costing hundreds of milliseconds.
            asyncio.run(body())
        # Actions sent from the outbox that the server refused: never dropped silently.
        for notice in self.backend.take_notices():
            say_error(notice)
        return results[0]


def say_error(message: str) -> None:
    """One sentence on stderr; whatever it quotes from data is shown, never obeyed."""
    from esctui.wording import scrub

    click.echo(f"esctui: {scrub(message)}", err=True)


def fail(message: str, code: int) -> NoReturn:
    say_error(message)
    raise SystemExit(code)


# Where each command lives: a command's module is imported only when that command runs (or
# help lists them all), so `esctui status` does not pay for the code of `metrics`.
COMMAND_MODULES = {
    **dict.fromkeys(
        [
            "trigger",
            "ack",
            "unack",
            "handoff",
            "escalate",
            "snooze",
            "resolve",
            "reopen",
            "note",
            "comm",
            "reroute",
        ],
        "actions",
    ),
    **dict.fromkeys(["review", "followups", "followup"], "learning"),
    **dict.fromkeys(["status", "ls", "show", "oncall"], "views"),
    **dict.fromkeys(["export", "metrics", "compact", "report"], "reports"),
    **dict.fromkeys(["init", "directory"], "setup"),
    "demo": "demo",
    **dict.fromkeys(["serve", "token"], "server"),
    "db": "database",
    **dict.fromkeys(["integration", "maintenance"], "integrations"),
    **dict.fromkeys(["notify", "page", "pages", "webhook"], "paging"),
}


class Group(click.Group):
    """Loads commands on demand; turns the errors a responder can cause into one sentence and
    an exit code."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"esctui.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DomainError, StoreExists) as error:
            # A store already there is refused like a rule would be: nothing is wrong with it.
            fail(str(error), REFUSED)
        except StoreError as error:
            fail(str(error), STORE_FAILURE)
        except ConfigError as error:
            fail(str(error), USAGE)
        except OSError as error:
            # A file the store needs and the system refused: still a sentence, not a trace.
            where = f" ({error.filename})" if error.filename else ""
            fail(f"{error.strerror or error}{where}.", STORE_FAILURE)


@click.group(
    cls=Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option("--store", metavar="DIR", help="Store directory [env ESCTUI_STORE].")
@click.option(
    "--server", metavar="URL", help="A team server instead of a store [env ESCTUI_SERVER]."
)
@click.option(
    "--alertmanager",
    metavar="URL",
    help="Prometheus Alertmanager's alert groups as the queue (URL,URL for one HA cluster).",
)
@click.option(
    "--pagerduty",
    is_flag=True,
    help="PagerDuty's incidents as the queue [env ESCTUI_PAGERDUTY_TOKEN].",
)
@click.option("--as", "as_", metavar="NAME", help="Act as this responder [env ESCTUI_USER].")
@click.option("--read-only", is_flag=True, help="Console: show the queue, offer no actions.")
@click.option("--redact", is_flag=True, help="Console: mask titles and customer names.")
@click.version_option(__version__, prog_name="esctui")
@click.pass_context
def cli(
    ctx: click.Context,
    store: str | None,
    server: str | None,
    alertmanager: str | None,
    pagerduty: bool,
    as_: str | None,
    read_only: bool,
    redact: bool,
) -> None:
    """esctui: the on-call console. With no command, opens the console on the queue (or,
    without a terminal, prints its status)."""
    ctx.obj = Session(
        store,
        as_,
        server_flag=server,
        alertmanager_flag=alertmanager,
        pagerduty_flag=pagerduty,
        read_only=read_only,
        redact=redact,
    )
    if ctx.invoked_subcommand is None:
        from esctui.cli.console import open_console

        open_console(ctx.obj)


def session() -> Session:
    obj = click.get_current_context().obj
    assert isinstance(obj, Session)
    return obj


def main() -> None:
    """The `esctui` command. A short-lived process: no cyclic garbage collection while it
    works, and no tearing down of the whole queue's objects on the way out (every write has
    been fsynced before it was reported)."""
    gc.disable()
    # `esctui ls | head`: end quietly when the reader goes away, as Unix tools do. Only a pipe
    # on stdout can go away so; on a terminal (the console) SIGPIPE stays ignored, so a server
    # that hangs up costs a failed request, not the console (`serve` ignores it itself).
    if not sys.stdout.isatty():
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code: int | str | None = 0
    try:
        cli(prog_name="esctui")
    except SystemExit as exit_:
        code = exit_.code
    sys.stdout.flush()
    sys.stderr.flush()
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
