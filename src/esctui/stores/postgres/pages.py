"""Pages out in the database (migration 0003): the `pages` table (a page owed, with its tries),
the one-row `paging` table (when paging began, where the sender is) and `webhooks`.

`record` writes its records in one transaction, in order: a page owed twice is one row (its id
is its primary key), a try is appended to its page's `attempts` only while the page is pending.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg
import msgspec

from esctui.domain.paging import Webhook
from esctui.stores.page_records import (
    AFTER_TRY,
    Attempted,
    Cancelled,
    Cursor,
    Owed,
    PageRecord,
    PageState,
    Paging,
    Started,
)
from esctui.stores.postgres import codec

if TYPE_CHECKING:
    from esctui.stores.postgres.store import PostgresStore

STATES = """
SELECT '[' || coalesce(string_agg(json_build_object(
    'page', page, 'owed_at', owed_at, 'status', status, 'attempts', attempts, 'why', why
)::text, ',' ORDER BY made), '') || ']'
FROM pages
"""
states_decoder = msgspec.json.Decoder(list[PageState])
attempted_decoder = msgspec.json.Decoder(Attempted)


async def write(records: list[PageRecord], connection: asyncpg.Connection) -> list[str]:
    new: list[str] = []
    async with connection.transaction():
        for record in records:
            match record:
                case Owed():
                    made = await connection.fetchval(
                        "INSERT INTO pages (id, incident, owed_at, next_at, page)"
                        " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (id) DO NOTHING"
                        " RETURNING id",
                        record.page.id,
                        record.page.incident,
                        record.at,
                        record.page.send_at,
                        codec.text(record.page),
                    )
                    if made is not None:
                        new.append(made)
                case Attempted():
                    await connection.execute(
                        "UPDATE pages SET attempts = attempts || $2::jsonb, status = $3,"
                        " next_at = coalesce($4, next_at) WHERE id = $1 AND status = 'pending'",
                        record.page,
                        codec.text([record]),
                        AFTER_TRY[record.outcome],
                        record.next_at,
                    )
                case Cancelled():
                    await connection.execute(
                        "UPDATE pages SET status = 'cancelled', why = $2"
                        " WHERE id = $1 AND status = 'pending'",
                        record.page,
                        record.why,
                    )
                case Cursor():
                    await connection.execute(
                        "UPDATE paging SET revision = $1, at = $2", record.revision, record.at
                    )
                case Started():
                    await connection.execute(
                        "UPDATE paging SET started = coalesce(started, $1)", record.at
                    )
    return new


class PostgresPages:
    """The pages of the store's database (`store.pages`)."""

    blocking = False

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    async def paging(self) -> Paging:
        async def look(connection: asyncpg.Connection) -> Paging:
            async with connection.transaction(isolation="repeatable_read", readonly=True):
                started, revision, at = await connection.fetchrow(
                    "SELECT started, revision, at FROM paging"
                )
                pending = await connection.fetchval(STATES + " WHERE status = 'pending'")
            cursor = None if revision is None else Cursor(revision=revision, at=at)
            return Paging(started=started, cursor=cursor, pending=states_decoder.decode(pending))

        return await self.store.run(look)

    async def record(self, records: list[PageRecord]) -> list[str]:
        # Not tried twice on a new connection: a try appended twice would be two tries.
        return await self.store.run(functools.partial(write, records), again=False)

    async def pages(self, since: datetime, incident: str | None = None) -> list[PageState]:
        async def look(connection: asyncpg.Connection) -> list[PageState]:
            if incident is None:
                data = await connection.fetchval(STATES + " WHERE owed_at >= $1", since)
            else:
                data = await connection.fetchval(
                    STATES + " WHERE owed_at >= $1 AND incident = $2", since, incident
                )
            return states_decoder.decode(data)

        return await self.store.run(look)

    async def webhooks(self) -> list[Webhook]:
        async def look(connection: asyncpg.Connection) -> list[Webhook]:
            rows = await connection.fetch(
                "SELECT id, url, events, secret, created_at FROM webhooks ORDER BY made"
            )
            return [
                Webhook(id=r[0], url=r[1], events=tuple(r[2]), secret=r[3], created_at=r[4])
                for r in rows
            ]

        return await self.store.run(look)

    async def add_webhook(self, webhook: Webhook) -> None:
        async def insert(connection: asyncpg.Connection) -> None:
            await connection.execute(
                "INSERT INTO webhooks (id, url, events, secret, created_at)"
                " VALUES ($1, $2, $3, $4, $5)",
                webhook.id,
                webhook.url,
                list(webhook.events),
                webhook.secret,
                webhook.created_at,
            )

        await self.store.run(insert, again=False)

    async def remove_webhook(self, which: str) -> Webhook | None:
        async def delete(connection: asyncpg.Connection) -> Webhook | None:
            row = await connection.fetchrow(
                "DELETE FROM webhooks WHERE id = (SELECT id FROM webhooks WHERE id = $1"
                " OR url = $1 ORDER BY made LIMIT 1) RETURNING id, url, events, secret, created_at",
                which,
            )
            if row is None:
                return None
            return Webhook(
                id=row[0], url=row[1], events=tuple(row[2]), secret=row[3], created_at=row[4]
            )

        return await self.store.run(delete)
