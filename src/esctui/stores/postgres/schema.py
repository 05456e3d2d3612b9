"""The database's schema: numbered SQL migrations shipped with esctui, applied in order.

`migrations/NNNN_what.sql` are applied in one transaction, each recorded in `schema_migrations`,
so a migration cut short leaves the database as it was. A store opens a database only at the
schema this esctui knows: one migrated by a newer esctui is refused (its tables may mean things
this one does not know), one that is behind is told to run `esctui db migrate`.
"""

from __future__ import annotations

from importlib import resources

import asyncpg
import msgspec

from esctui.stores.postgres.connection import connect, translated, url_without_password
from esctui.stores.records import StoreError

# Advisory lock (class, object) held while migrating: two `db migrate` at once take turns.
MIGRATING = (0x45534354, 1)


class Migration(msgspec.Struct, frozen=True):
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration this esctui ships, oldest first."""
    found = []
    for file in resources.files("esctui.stores.postgres").joinpath("migrations").iterdir():
        number, _, rest = file.name.partition("_")
        if file.name.endswith(".sql") and number.isdigit():
            found.append(Migration(int(number), rest.removesuffix(".sql"), file.read_text("utf-8")))
    return sorted(found, key=lambda migration: migration.version)


LATEST = migrations()[-1].version


async def applied_version(connection: asyncpg.Connection) -> int | None:
    """The newest migration applied to the database; None if it has no esctui schema."""
    exists = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return None
    version: int = await connection.fetchval(
        "SELECT coalesce(max(version), 0) FROM schema_migrations"
    )
    return version


def newer(location: str, version: int) -> StoreError:
    return StoreError(
        f"The database {location} was migrated by a newer esctui (schema {version}; this one "
        f"knows up to {LATEST}); upgrade esctui."
    )


async def check(connection: asyncpg.Connection, location: str) -> None:
    """Refuse a database whose schema is not the one this esctui knows, with what to do."""
    with translated(location):
        version = await applied_version(connection)
    if version is None or version == 0:
        raise StoreError(
            f"The database {location} has no esctui schema yet: run `esctui db migrate` "
            "(or `esctui db import --from DIR` to move a journal store into it)."
        )
    if version > LATEST:
        raise newer(location, version)
    if version < LATEST:
        raise StoreError(
            f"The database {location} is at schema {version}; this esctui needs {LATEST}: "
            "run `esctui db migrate`."
        )


async def migrate(url: str) -> list[str]:
    """Bring the database at `url` to the newest schema; the names of the migrations applied
    (none if it was already there)."""
    location = url_without_password(url)
    connection = await connect(url)
    try:
        with translated(location, "nothing was changed"):
            async with connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *MIGRATING)
                await connection.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                    " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                )
                version = await applied_version(connection) or 0
                if version > LATEST:
                    raise newer(location, version)
                done = []
                for migration in migrations():
                    if migration.version <= version:
                        continue
                    await connection.execute(migration.sql)
                    await connection.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        migration.version,
                        migration.name,
                    )
                    done.append(f"{migration.version:04d}_{migration.name}")
                return done
    finally:
        await connection.close()
