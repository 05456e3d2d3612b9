"""Fixtures for every test directory: one real PostgreSQL cluster per test session, started
only when a test asks for a database, and a new empty database for each such test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from live_postgres import Postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway cluster (live_postgres.py), removed after the session."""
    server = Postgres().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def database(postgres: Postgres) -> str:
    """The URL of a new, empty database in the session's cluster."""
    return postgres.create_database()
