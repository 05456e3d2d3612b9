"""Pages out: `notify` (the page sender for a store without a server), `page test NAME`,
`pages` (what was sent, how it went) and `webhook add|ls|remove`.

All work on a store on this machine or a database (`--store`), never through `--server`: the
server sends its store's pages itself. Apprise is imported only by `notify` and `page test`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from esctui.cli import REFUSED, STORE_FAILURE, USAGE, Session, cli, fail, session
from esctui.cli import render as r
from esctui.cli.reports import since_option, window
from esctui.cli.views import emit_json

if TYPE_CHECKING:
    from esctui.backends.local import LocalBackend
    from esctui.stores.page_records import PageState


def local(what: str) -> Session:
    s = session()
    if s.server_url is not None:
        raise click.UsageError(
            f"{what} works on the store on this machine (or its database); leave out --server "
            "(and ESCTUI_SERVER): a server sends its store's pages itself."
        )
    return s


SECONDS = click.FloatRange(min=0.05, max=86400)


@cli.command()
@click.option(
    "--retry-after",
    default=30.0,
    show_default=True,
    type=SECONDS,
    metavar="SECONDS",
    help="The wait after a page's first failed try; it doubles each try, up to 15 minutes.",
)
@click.option(
    "--send-timeout",
    default=15.0,
    show_default=True,
    type=SECONDS,
    metavar="SECONDS",
    help="How long one try waits for its receiver.",
)
def notify(retry_after: float, send_timeout: float) -> None:
    """Send the store's pages, for as long as it runs (a team without a server runs one).

    Safe beside consoles and CLIs; a second `notify` (or a server) on the same store waits,
    and takes over if this one stops."""
    import asyncio
    import gc
    import logging
    import signal

    from esctui.notify.apprise_sender import AppriseSender
    from esctui.service.paging import PagingSettings

    s = local("notify")
    logging.basicConfig(format="esctui: %(message)s", level=logging.WARNING)
    settings = PagingSettings(
        first_retry=retry_after,
        longest_retry=max(retry_after, 900.0),
        send_timeout=send_timeout,
    )
    backend = s.local
    s.run(lambda b: b.open())  # a store that cannot be read stops it here, with a sentence
    gc.enable()  # a long-lived process, unlike the one-shot commands
    stopped: list[str] = []

    async def send() -> None:
        notifier = AppriseSender()
        pager = backend.paging.sender(
            notifier, settings, say=lambda m: click.echo(f"esctui: {m}", err=True)
        )
        sender = asyncio.create_task(pager.run())
        loop = asyncio.get_running_loop()

        def stop(sig: signal.Signals) -> None:
            stopped.append(sig.name)
            sender.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop, sig)

        try:
            await sender
        except asyncio.CancelledError:
            pass
        finally:
            await notifier.close()
            await backend.close()

    click.echo(f"esctui: sending the pages of {backend.location}", err=True)
    asyncio.run(send())
    click.echo(f"esctui: stopped on {stopped[0] if stopped else 'its own'}.", err=True)


# -- page test -------------------------------------------------------------------------------


@cli.group("page")
def page_group() -> None:
    """Pages to responders."""


@page_group.command("test")
@click.argument("name")
@click.option("--timeout", default=15.0, show_default=True, type=SECONDS, metavar="SECONDS")
def page_test(name: str, timeout: float) -> None:
    """Send a test page to NAME through each of their contact methods; print how each went.

    Exit code 3 if any did not arrive. Nothing is recorded."""
    import asyncio

    from esctui.notify.apprise_sender import AppriseSender
    from esctui.notify.contact_urls import masked
    from esctui.service.paging import test_pages

    s = local("page test")
    queue = s.run(lambda backend: backend.open())
    responder = queue.directory.responder(name)
    if responder is None:
        known = ", ".join(queue.directory.responder_names()) or "none"
        raise click.UsageError(f"{name!r} is not a responder in this store; known: {known}.")
    if not responder.contact:
        fail(
            f"{name} has no contact methods: add `contact = [...]` to them in the directory "
            "file, then `esctui directory import FILE`.",
            REFUSED,
        )

    async def send() -> list[tuple[str, Any]]:
        notifier = AppriseSender()
        try:
            return await test_pages(responder, notifier, timeout)
        finally:
            await notifier.close()

    outcomes = asyncio.run(send())
    urls = {method.name: method.url for method in responder.contact}
    for method, sent in outcomes:
        where = r.scrub(masked(urls[method]))
        said = "delivered" if sent.delivered else f"failed: {r.scrub(sent.detail)}"
        click.echo(f"{r.scrub(method)} ({where}): {said}")
    if not all(sent.delivered for _, sent in outcomes):
        raise SystemExit(STORE_FAILURE)


# -- pages -----------------------------------------------------------------------------------


@cli.command()
@click.option("--failed", is_flag=True, help="Only pages whose last try failed.")
@since_option("24h")
@click.option("--incident", "incident_id", metavar="ID", help="Only this incident's pages.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def pages(failed: bool, since_text: str, incident_id: str | None, as_json: bool) -> None:
    """Pages owed within --since: to whom, how, when, and whether they were delivered."""
    s = local("pages")
    since = s.now - window(since_text)
    backend: LocalBackend = s.local
    found = s.run(lambda _: backend.paging.pages(since, incident_id and incident_id.upper()))
    if failed:
        found = [state for state in found if failed_last(state)]
    if as_json:
        emit_json([page_json(state) for state in found])
        return
    if not found:
        click.echo("No pages" + (" failed" if failed else "") + f" in the last {since_text}.")
        return
    rows = [
        [
            r.clock(state.owed_at, s.now, s.zone),
            state.page.incident,
            r.scrub(state.page.to),
            r.scrub(state.page.method),
            status(state, s.now, s.zone),
            str(len(state.attempts)),
            r.scrub(state.why or (state.attempts[-1].detail if state.attempts else "")),
        ]
        for state in found
    ]
    headers = ["OWED", "INCIDENT", "TO", "BY", "STATUS", "TRIES", "WHY"]
    click.echo(r.table(headers, rows, droppable=["TRIES", "BY"]))


def failed_last(state: PageState) -> bool:
    return bool(state.attempts) and state.attempts[-1].outcome != "delivered"


def status(state: PageState, now: datetime, zone: Any) -> str:
    """`delivered 03:12`, `retrying 03:14`, `due 07:00`, `gave up`, `cancelled`."""
    last = state.attempts[-1] if state.attempts else None
    if state.status == "delivered" and last is not None:
        return f"delivered {r.clock(last.at, now, zone)}"
    if state.status == "pending":
        verb = "retrying" if last is not None else "held until" if state.page.held_until else "due"
        return f"{verb} {r.clock(state.next_at, now, zone)}"
    return {"gave-up": "gave up", "cancelled": "cancelled"}.get(state.status, state.status)


def page_json(state: PageState) -> dict[str, Any]:
    import msgspec

    page = state.page
    return {
        "id": page.id,
        "incident": page.incident,
        "kind": page.kind,
        "to": page.to,
        "method": page.method,
        "owed_at": state.owed_at,
        "due_at": page.due_at,
        "held_until": page.held_until,
        "status": state.status,
        "why": state.why,
        "attempts": msgspec.to_builtins(state.attempts),
    }


# -- webhooks --------------------------------------------------------------------------------


@cli.group("webhook")
def webhook_group() -> None:
    """Outbound webhooks: events sent as signed JSON to automation and chat."""


def events_option(text: str) -> tuple[str, ...]:
    from esctui.domain.paging import WEBHOOK_EVENTS

    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in WEBHOOK_EVENTS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"{', '.join(map(repr, unknown)) or 'no event'}: choose among "
            f"{', '.join(WEBHOOK_EVENTS)}.",
            param_hint="--events",
        )
    return chosen


@webhook_group.command("add")
@click.argument("url")
@click.option(
    "--events",
    default="triggered,acknowledged,escalated,handed-off,resolved,reopened",
    show_default=True,
    help="The events to send, by type, separated by commas.",
)
def add_webhook(url: str, events: str) -> None:
    """Send the store's EVENTS to URL as JSON, signed with HMAC-SHA256 (X-Esctui-Signature).

    The signing secret is printed once; the store keeps it (with the store's file modes, or
    in the database) to sign with."""
    from esctui.service.paging import new_webhook

    s = local("webhook add")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"{url!r} is not an http:// or https:// URL.", USAGE)
    hook = new_webhook(url, events_option(events), s.now)
    s.run(lambda _: s.local.paging.add_webhook(hook))
    click.echo(hook.secret)
    click.echo(
        f"Webhook {hook.id} sends {', '.join(hook.events)} to {r.scrub(url)}; the secret above "
        "signs them and is shown this once.",
        err=True,
    )


@webhook_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_webhooks(as_json: bool) -> None:
    """Every outbound webhook (never their secrets)."""
    s = local("webhook ls")
    hooks = s.run(lambda _: s.local.paging.webhooks())
    if as_json:
        emit_json(
            [
                {"id": h.id, "url": h.url, "events": h.events, "created_at": h.created_at}
                for h in hooks
            ]
        )
        return
    if not hooks:
        click.echo("No webhooks yet: esctui webhook add URL --events triggered,resolved")
        return
    rows = [
        [h.id, f"{h.created_at:%Y-%m-%d %H:%M}", ",".join(h.events), r.scrub(h.url)] for h in hooks
    ]
    click.echo(r.table(["ID", "CREATED (UTC)", "EVENTS", "URL"], rows))


@webhook_group.command("remove")
@click.argument("which", metavar="ID|URL")
def remove_webhook(which: str) -> None:
    """Stop sending to the webhook ID (or URL)."""
    s = local("webhook remove")
    gone = s.run(lambda _: s.local.paging.remove_webhook(which))
    if gone is None:
        raise click.UsageError(f"No webhook has the id or URL {which!r}.")
    click.echo(f"Removed {gone.id} ({r.scrub(gone.url)}).")
