"""The PostgreSQL store's pool of connections: one goes back to the pool as it is, without a
statement of its own (a storm of reads costs only their own round trips), yet never with a
transaction left open on it."""

from __future__ import annotations

from typing import Any

from esctui.stores.postgres.connection import create_pool

from .test_contract import run


def test_a_connection_goes_back_to_the_pool_without_a_round_trip(database: str) -> None:
    async def scenario() -> Any:
        pool = await create_pool(database, 1)
        sent: list[str] = []
        try:
            async with pool.acquire() as connection:
                connection.add_query_logger(lambda record: sent.append(record.query))
                await connection.fetchval("SELECT 1")
            async with pool.acquire() as again:  # the same one: a pool of one
                await again.fetchval("SELECT 2")
        finally:
            await pool.close()
        return sent

    assert run(scenario()) == ["SELECT 1", "SELECT 2"]


def test_a_transaction_left_open_is_rolled_back_when_the_connection_goes_back(
    database: str,
) -> None:
    async def scenario() -> Any:
        pool = await create_pool(database, 1)
        try:
            async with pool.acquire() as connection:
                await connection.execute("BEGIN")
                await connection.execute("CREATE TABLE left_open (n int)")
            async with pool.acquire() as again:
                open_after = again.is_in_transaction()
                kept = await again.fetchval("SELECT to_regclass('left_open')::text")
        finally:
            await pool.close()
        return open_after, kept

    assert run(scenario()) == (False, None)
