"""The team server's commands: `serve`, and the tokens it accepts (`token create|list|revoke`).

Both work on a store on this machine (`--store`), never through `--server`.
"""

from __future__ import annotations

import gc
import signal
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from esctui.backends.base import Backend
from esctui.cli import STORE_FAILURE, USAGE, Session, cli, fail, session
from esctui.cli import render as r
from esctui.cli.views import emit_json
from esctui.stores.records import TokenRecord

if TYPE_CHECKING:
    from esctui.backends.local import LocalBackend

CERT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def local(s: Session, what: str) -> Session:
    if s.server_url is not None:
        raise click.UsageError(
            f"{what} works on the store on this machine; leave out --server (and ESCTUI_SERVER)."
        )
    return s


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8642, show_default=True, type=click.IntRange(0, 65535))
@click.option("--tls-cert", type=CERT_FILE, help="TLS certificate (PEM).")
@click.option("--tls-key", type=CERT_FILE, help="TLS private key (PEM).")
@click.option(
    "--insecure-bind",
    is_flag=True,
    help="Listen beyond this machine without TLS (a TLS proxy stands in front).",
)
@click.option(
    "--database",
    "database",
    metavar="URL",
    help="A PostgreSQL database instead of the store (several servers may share one) "
    "[env ESCTUI_DATABASE].",
)
@click.option(
    "--escalate-every",
    default=15.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    metavar="SECONDS",
    help="How often auto-escalation runs.",
)
def serve(
    host: str,
    port: int,
    tls_cert: Path | None,
    tls_key: Path | None,
    insecure_bind: bool,
    database: str | None,
    escalate_every: float,
) -> None:
    """Share the store over HTTP with every responder's console and CLI (`--server URL`)."""
    s = local(session(), "serve")
    if database is not None:
        from esctui.config import resolve_database

        if s.store_flag:
            raise click.UsageError("Choose one of --store and --database.")
        s.store_where = resolve_database(database, s.config) or database
    from esctui.server.app import ServerSettings, create_app
    from esctui.server.running import BindRefused, check_bind, listen, run, url_of

    try:
        tls = check_bind(host, tls_cert, tls_key, insecure_bind)
    except BindRefused as refused:
        fail(str(refused), USAGE)
    settings = ServerSettings(escalate_every=escalate_every)
    s.lock_wait = settings.lock_wait
    # Read once now, so a missing or damaged store stops `serve` before it listens.
    s.run(lambda backend: backend.open())
    backend = s.local
    intake = backend.intake(repeats_every=timedelta(seconds=settings.repeats_every))
    app = create_app(backend, backend.tokens, settings, intake, also=[page_sender(backend)])
    try:
        sock = listen(host, port)
    except BindRefused as refused:
        fail(str(refused), STORE_FAILURE)
    gc.enable()  # a long-lived process, unlike the one-shot commands
    # A client that went away before its answer was written must cost an error on that
    # connection, not the process: the one-shot commands' SIGPIPE rule is not for a server.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    click.echo(f"esctui: serving {backend.location} at {url_of(sock, tls)}", err=True)
    stopped = run(app, sock, tls)
    click.echo(f"esctui: {stopped.sentence()}", err=True)


def page_sender(backend: LocalBackend) -> Callable[[set[str]], Coroutine[Any, Any, None]]:
    """The store's page sender, to run beside the server: it sends while this process leads
    paging among all that serve the store (and any `esctui notify`), and says so in the
    server's `leading`."""
    from esctui.notify.apprise_sender import AppriseSender

    async def send(leading: set[str]) -> None:
        notifier = AppriseSender()
        try:
            await backend.paging.sender(notifier, leading=leading).run()
        finally:
            await notifier.close()

    return send


@cli.group("token")
def token_group() -> None:
    """Tokens for the team server: each lets one responder in."""


@token_group.command("create")
@click.argument("name")
@click.option(
    "--admin",
    is_flag=True,
    help="It may also compact the store and import a directory through the server.",
)
def create_token(name: str, admin: bool) -> None:
    """Make a token for the responder NAME; it is printed once, and only its hash is kept."""
    s = local(session(), "token create")

    async def make(backend: Backend) -> tuple[str, TokenRecord]:
        queue = await backend.open()
        if queue.directory.responder(name) is None:
            known = ", ".join(queue.directory.responder_names()) or "none"
            raise click.UsageError(f"{name!r} is not a responder in this store; known: {known}.")
        return await s.local.tokens.create(name, s.now, admin=admin)

    token, record = s.run(make)
    click.echo(token)
    kind = "An administrator's token" if admin else "Token"
    click.echo(
        f"{kind} {record.id} for {name}: it is shown this once; give it to {name} as "
        "ESCTUI_TOKEN (or `token` in their config file).",
        err=True,
    )


@token_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_tokens(as_json: bool) -> None:
    """Every token made for this store, revoked ones included (never the tokens themselves)."""
    s = local(session(), "token list")
    records = s.run(lambda _: s.local.tokens.records())
    if as_json:
        emit_json([rec_json(rec) for rec in records])
        return
    if not records:
        click.echo("No tokens yet: esctui token create NAME")
        return
    rows = [
        [
            rec.id,
            r.scrub(rec.responder),
            "admin" if rec.admin else "responder",
            f"{rec.created_at:%Y-%m-%d %H:%M}",
            f"revoked {rec.revoked_at:%Y-%m-%d %H:%M}" if rec.revoked_at else "active",
        ]
        for rec in records
    ]
    click.echo(r.table(["ID", "RESPONDER", "ROLE", "CREATED (UTC)", "STATE"], rows))


def rec_json(rec: object) -> dict[str, object]:
    import msgspec

    data: dict[str, object] = msgspec.to_builtins(rec)
    data.pop("sha256", None)
    data.setdefault("revoked_at", None)
    data.setdefault("admin", False)
    return data


@token_group.command("revoke")
@click.argument("which", metavar="ID|NAME")
def revoke_token(which: str) -> None:
    """Revoke the token ID, or every token of the responder NAME; refused at once."""
    s = local(session(), "token revoke")
    revoked = s.run(lambda _: s.local.tokens.revoke(which, s.now))
    if not revoked:
        raise click.UsageError(f"No active token has the id or responder {which!r}.")
    for rec in revoked:
        click.echo(f"Revoked {rec.id} ({r.scrub(rec.responder)}).")
