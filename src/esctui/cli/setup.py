"""Setting a store up for a real team: `init`, and the directory it works from."""

from __future__ import annotations

from pathlib import Path

import click

from esctui.cli import cli, session
from esctui.cli.views import emit_json

TOML_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command()
@click.option(
    "--directory",
    "directory_file",
    required=True,
    type=TOML_FILE,
    help="The team's directory (TOML): responders, rotations, policies, services.",
)
@click.option("--force", is_flag=True, help="Replace a store that is already there.")
def init(directory_file: Path, force: bool) -> None:
    """Create an empty store for a team, from its directory file."""
    from esctui.directory_file import load_directory
    from esctui.stores.journal import create_store

    s = session()
    directory = load_directory(directory_file)
    create_store(s.store_path, directory, [], force=force, now=s.now)
    click.echo(
        f"Store created at {s.store_path}: {len(directory.responders)} responders, "
        f"{len(directory.services)} services."
    )


@cli.group("directory")
def directory_group() -> None:
    """The store's directory: responders, rotations, policies, services, SLA targets."""


@directory_group.command("export")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of TOML.")
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Contact URLs whole, passwords and tokens too (they are masked otherwise).",
)
def export_directory(as_json: bool, with_secrets: bool) -> None:
    """Print the directory in force, in the format `directory import` reads."""
    from esctui.directory_file import directory_toml, without_secrets

    s = session()
    if with_secrets and s.server_url is not None:
        raise click.UsageError(
            "--with-secrets works on the store on this machine (or its database): a server "
            "never gives out the secrets in contact URLs."
        )
    queue = s.run(lambda backend: backend.open())
    if as_json:
        emit_json(queue.directory if with_secrets else without_secrets(queue.directory))
    else:
        click.echo(directory_toml(queue.directory, with_secrets=with_secrets), nl=False)


@directory_group.command("import")
@click.argument("directory_file", metavar="FILE", type=TOML_FILE)
def import_directory(directory_file: Path) -> None:
    """Put a new directory in force; every incident is kept.

    Through --server it needs an administrator's token (`token create NAME --admin`).
    """
    from esctui.cli.reports import administer
    from esctui.directory_file import load_directory

    directory = load_directory(directory_file)
    click.echo(session().run(lambda backend: administer(backend).replace_directory(directory)))
