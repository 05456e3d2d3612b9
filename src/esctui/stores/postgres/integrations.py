"""Monitoring's integrations, the services' maintenance windows and the heartbeats' last beats,
in their tables (migration 0002): the same as a journal store's `integrations.json`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg
import msgspec

from esctui.stores.postgres import codec
from esctui.stores.records import IntegrationRecord, MaintenanceWindow

if TYPE_CHECKING:
    from esctui.stores.postgres.store import PostgresStore

integration_decoder = msgspec.json.Decoder(IntegrationRecord)
window_decoder = msgspec.json.Decoder(MaintenanceWindow)


class PostgresIntegrations:
    """The integrations of the store's database (`store.integrations`)."""

    blocking = False

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    async def integrations(self) -> list[IntegrationRecord]:
        async def look(connection: asyncpg.Connection) -> list[str]:
            return [
                row[0]
                for row in await connection.fetch(
                    "SELECT record::text FROM integrations ORDER BY made"
                )
            ]

        return [integration_decoder.decode(text) for text in await self.store.run(look)]

    async def find_integration(self, sha256: str) -> IntegrationRecord | None:
        async def look(connection: asyncpg.Connection) -> str | None:
            found: str | None = await connection.fetchval(
                "SELECT record::text FROM integrations WHERE sha256 = $1", sha256
            )
            return found

        found = await self.store.run(look)
        return None if found is None else integration_decoder.decode(found)

    async def create_integration(self, record: IntegrationRecord) -> bool:
        async def insert(connection: asyncpg.Connection) -> bool:
            made = await connection.fetchval(
                "INSERT INTO integrations (name, sha256, created_at, record)"
                " VALUES ($1, $2, $3, $4::jsonb)"
                " ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING RETURNING true",
                record.name,
                record.sha256,
                record.created_at,
                codec.text(record),
            )
            return made is not None

        return await self.store.run(insert, again=False)

    async def revoke_integration(self, name: str, now: datetime) -> IntegrationRecord | None:
        revoked = msgspec.json.encode({"revoked_at": now}).decode()

        async def update(connection: asyncpg.Connection) -> str | None:
            found: str | None = await connection.fetchval(
                "UPDATE integrations SET revoked_at = $2, record = record || $3::jsonb"
                " WHERE name = $1 AND revoked_at IS NULL RETURNING record::text",
                name,
                now,
                revoked,
            )
            return found

        found = await self.store.run(update)
        return None if found is None else integration_decoder.decode(found)

    async def beat(self, name: str, at: datetime) -> None:
        async def upsert(connection: asyncpg.Connection) -> None:
            await connection.execute(
                "INSERT INTO heartbeats (name, beat_at) VALUES ($1, $2)"
                " ON CONFLICT (name) DO UPDATE SET beat_at = greatest(heartbeats.beat_at,"
                " excluded.beat_at)",
                name,
                at,
            )

        await self.store.run(upsert)

    async def beats(self) -> dict[str, datetime]:
        async def look(connection: asyncpg.Connection) -> dict[str, datetime]:
            rows = await connection.fetch("SELECT name, beat_at FROM heartbeats")
            return {row[0]: row[1] for row in rows}

        return await self.store.run(look)

    async def maintenance(self) -> list[MaintenanceWindow]:
        async def look(connection: asyncpg.Connection) -> list[str]:
            rows = await connection.fetch("SELECT record::text FROM maintenance ORDER BY service")
            return [row[0] for row in rows]

        return [window_decoder.decode(text) for text in await self.store.run(look)]

    async def start_maintenance(self, window: MaintenanceWindow) -> None:
        async def upsert(connection: asyncpg.Connection) -> None:
            await connection.execute(
                "INSERT INTO maintenance (service, starts_at, ends_at, record)"
                " VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (service) DO UPDATE SET"
                " starts_at = excluded.starts_at, ends_at = excluded.ends_at,"
                " record = excluded.record",
                window.service,
                window.start,
                window.end,
                codec.text(window),
            )

        await self.store.run(upsert)

    async def end_maintenance(self, service: str, at: datetime) -> MaintenanceWindow | None:
        ended = msgspec.json.encode({"end": at}).decode()

        async def update(connection: asyncpg.Connection) -> str | None:
            found: str | None = await connection.fetchval(
                "UPDATE maintenance SET ends_at = $2, record = record || $3::jsonb"
                " WHERE service = $1 AND starts_at <= $2 AND ends_at > $2"
                " RETURNING record::text",
                service,
                at,
                ended,
            )
            return found

        found = await self.store.run(update)
        return None if found is None else window_decoder.decode(found)
