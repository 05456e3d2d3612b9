"""Not a test to run: mypy reads this file (pyproject's `files`) to check that each store
has the shape of the ports the service calls."""

from __future__ import annotations

from esctui.service.ports import EventStore, Leading, TokenStore, Transaction
from esctui.stores.journal.events import JournalEvents
from esctui.stores.postgres.store import PostgresStore
from esctui.stores.postgres.tokens import PostgresTokens
from esctui.stores.postgres.transaction import PostgresTransaction


def postgres_store(store: PostgresStore) -> EventStore:
    return store


def postgres_transaction(transaction: PostgresTransaction) -> Transaction:
    return transaction


def postgres_tokens(tokens: PostgresTokens) -> TokenStore:
    return tokens


def postgres_leading(store: PostgresStore) -> Leading:
    return store


def journal_leading(store: JournalEvents) -> Leading:
    return store
