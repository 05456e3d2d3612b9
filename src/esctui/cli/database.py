"""The PostgreSQL database: `esctui db migrate`, `db import --from DIR`, `db export --to DIR`.

The database is `--database URL`, else `ESCTUI_DATABASE`, else `database` in the config file.
asyncpg is imported only when one of these commands runs; Textual never is.
"""

from __future__ import annotations

from pathlib import Path

import click

from esctui.cli import cli, session
from esctui.config import resolve_database

DATABASE_URL = click.option(
    "--database",
    "database_flag",
    metavar="URL",
    help="postgresql://USER@HOST:5432/NAME [env ESCTUI_DATABASE].",
)
STORE_DIR = click.Path(file_okay=False, path_type=Path)


def database_url(flag: str | None) -> str:
    url = resolve_database(flag, session().config)
    if url is None:
        raise click.UsageError(
            "Which database? Give --database URL, or set ESCTUI_DATABASE or `database` in the "
            "config file."
        )
    return url


def shown(url: str) -> str:
    from esctui.stores.postgres.connection import url_without_password

    return url_without_password(url)


@cli.group("db")
def db_group() -> None:
    """The PostgreSQL database: its tables, and moving a journal store in and out."""


@db_group.command("migrate")
@DATABASE_URL
def migrate(database_flag: str | None) -> None:
    """Create or update esctui's tables in the database (safe to run again)."""
    import asyncio

    from esctui.stores.postgres.schema import LATEST
    from esctui.stores.postgres.schema import migrate as apply

    url = database_url(database_flag)
    applied = asyncio.run(apply(url))
    if applied:
        click.echo(f"Migrated {shown(url)} to schema {LATEST}: {', '.join(applied)}.")
    else:
        click.echo(f"{shown(url)} is at schema {LATEST} already; nothing to do.")


@db_group.command("import")
@click.option(
    "--from",
    "journal_dir",
    required=True,
    type=STORE_DIR,
    help="The journal store to move in (stop whatever writes to it first).",
)
@DATABASE_URL
def import_store(journal_dir: Path, database_flag: str | None) -> None:
    """Move a journal store into an empty database: the directory, every incident with its
    whole timeline (archived ones too), tokens and recorded requests, keeping ids, versions
    and revisions. A database that holds anything is refused and left as it was."""
    import asyncio

    from esctui.stores.transfer import import_journal

    url = database_url(database_flag)
    holdings = asyncio.run(import_journal(journal_dir, url))
    click.echo(f"Imported {holdings.summary()} from {journal_dir} into {shown(url)}.")


@db_group.command("export")
@click.option(
    "--to", "journal_dir", required=True, type=STORE_DIR, help="Where the new journal store goes."
)
@DATABASE_URL
def export_store(journal_dir: Path, database_flag: str | None) -> None:
    """Write what the database holds as a new journal store (refused if one is there)."""
    import asyncio

    from esctui.stores.transfer import export_journal

    url = database_url(database_flag)
    holdings = asyncio.run(export_journal(url, journal_dir, session().now))
    click.echo(f"Exported {holdings.summary()} from {shown(url)} to {journal_dir}.")
