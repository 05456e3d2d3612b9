"""`esctui demo`: a realistic store to try everything on."""

from __future__ import annotations

from pathlib import Path

import click

from esctui.cli import cli, open_backend, session
from esctui.cli.console import open_console
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory


@cli.command()
@click.option(
    "--incidents",
    default=120,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="How many incidents to make.",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Same seed, same store.")
@click.option("--no-tui", is_flag=True, help="Only create the store.")
@click.option("--force", is_flag=True, help="Replace a store that is already there.")
def demo(incidents: int, seed: int, no_tui: bool, force: bool) -> None:
    """Build a demo store (teams, rotations, policies, incidents in every state) and open it.

    An existing store is opened as it is, unless --force replaces it; with --no-tui an
    existing store is refused."""
    from esctui.backends.base import StoreExists
    from esctui.demo import build_demo, demo_identity
    from esctui.stores.journal import create_store

    s = session()
    directory, events = build_demo(incidents, seed, now=s.now)
    try:
        create_store(s.store_path, directory, events, force=force, now=s.now)
        click.echo(f"Demo store with {incidents} incidents created at {s.store_path}.", err=True)
    except StoreExists:
        if no_tui:
            raise
        directory = refuse_unless_demo(s.store_path, directory)
    if directory.responder(s.identity) is None:
        s.as_flag = demo_identity()
    if not no_tui:
        open_console(s)


def refuse_unless_demo(path: Path, demo: Directory) -> Directory:
    """The directory of the store already at `path`, if it is a demo store (it has the demo's
    responders); a team's real store is refused, never opened as the demo's `frank`."""
    from esctui.stores.inline import run_inline

    # A backend of its own: the session's stays unopened for the console.
    directory = run_inline(open_backend(path).open()).directory
    if directory.responders != demo.responders:
        raise DomainError(
            f"The store at {path} is not a demo store (its responders are not the demo's); "
            f"open it with `esctui --store {path}`, or try the demo in a folder of its own "
            "with `esctui --store DIR demo`."
        )
    return directory
