"""The server's access tokens in the `tokens` table: only their SHA-256 is kept.

The same tokens as the journal store's `tokens.json`: `esc_` and 43 random characters, shown
once when made; ids like `tok-1a2b3c`; revoked by id, or all of a responder's at once.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

from esctui.stores.records import TokenRecord

if TYPE_CHECKING:
    from esctui.stores.postgres.store import PostgresStore

PREFIX = "esc_"
COLUMNS = "id, responder, sha256, created_at, revoked_at, admin"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def record(row: asyncpg.Record) -> TokenRecord:
    return TokenRecord(
        id=row["id"],
        responder=row["responder"],
        sha256=row["sha256"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        admin=row["admin"],
    )


async def insert(kept: TokenRecord, connection: asyncpg.Connection) -> bool:
    """Whether `kept` was inserted (False: its id is taken)."""
    inserted = await connection.fetchval(
        "INSERT INTO tokens (id, responder, sha256, created_at, admin)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING true",
        kept.id,
        kept.responder,
        kept.sha256,
        kept.created_at,
        kept.admin,
    )
    return inserted is not None


class PostgresTokens:
    """The tokens of the store's database (`store.tokens`)."""

    blocking = False

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    async def find(self, token: str) -> TokenRecord | None:
        """The record of `token`, revoked or not; None if it was never made here."""
        wanted = digest(token)

        async def look(connection: asyncpg.Connection) -> asyncpg.Record | None:
            return await connection.fetchrow(
                f"SELECT {COLUMNS} FROM tokens WHERE sha256 = $1", wanted
            )

        row = await self.store.run(look)
        # The index found it; compare in constant time all the same.
        if row is None or not hmac.compare_digest(row["sha256"], wanted):
            return None
        return record(row)

    async def as_now(self, kept: TokenRecord) -> TokenRecord | None:
        """`kept` as the table has it now (revoked since, perhaps); None if it is gone."""

        async def look(connection: asyncpg.Connection) -> asyncpg.Record | None:
            return await connection.fetchrow(f"SELECT {COLUMNS} FROM tokens WHERE id = $1", kept.id)

        row = await self.store.run(look)
        return None if row is None else record(row)

    async def create(
        self, responder: str, now: datetime, *, admin: bool = False
    ) -> tuple[str, TokenRecord]:
        """A new token for `responder`: the token (shown once) and what is kept of it."""
        while True:
            token = f"{PREFIX}{secrets.token_urlsafe(32)}"
            kept = TokenRecord(
                id=f"tok-{secrets.token_hex(3)}",
                responder=responder,
                sha256=digest(token),
                created_at=now,
                admin=admin,
            )
            # Not tried twice: a token made on a connection that then dropped is never shown.
            if await self.store.run(functools.partial(insert, kept), again=False):
                return token, kept
            # The id was taken: draw another.

    async def revoke(self, which: str, now: datetime) -> list[TokenRecord]:
        """Revoke the token with id `which`, or every active token of responder `which`."""

        async def update(connection: asyncpg.Connection) -> list[asyncpg.Record]:
            rows: list[asyncpg.Record] = await connection.fetch(
                f"WITH revoked AS (UPDATE tokens SET revoked_at = $2 WHERE revoked_at IS NULL"
                f" AND (id = $1 OR responder = $1) RETURNING made, {COLUMNS})"
                f" SELECT {COLUMNS} FROM revoked ORDER BY made",
                which,
                now,
            )
            return rows

        return [record(row) for row in await self.store.run(update)]

    async def records(self) -> list[TokenRecord]:
        """Every token ever made, revoked ones included, oldest first."""

        async def look(connection: asyncpg.Connection) -> list[asyncpg.Record]:
            rows: list[asyncpg.Record] = await connection.fetch(
                f"SELECT {COLUMNS} FROM tokens ORDER BY made"
            )
            return rows

        return [record(row) for row in await self.store.run(look)]
