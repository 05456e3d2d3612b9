"""Not a test to run: mypy reads this file (pyproject's `files`) to check that each store
has the shape of the ports the service calls."""

from __future__ import annotations

from esctui.service.ports import (
    AlertIndex,
    AlertLookup,
    EventStore,
    IntegrationStore,
    Leading,
    TokenStore,
    Transaction,
)
from esctui.stores.journal.events import JournalEvents, JournalTransaction
from esctui.stores.journal.integrations import JournalIntegrations
from esctui.stores.postgres.integrations import PostgresIntegrations
from esctui.stores.postgres.store import PostgresStore
from esctui.stores.postgres.tokens import PostgresTokens
from esctui.stores.postgres.transaction import PostgresTransaction


def postgres_store(store: PostgresStore) -> EventStore:
    return store


def postgres_transaction(transaction: PostgresTransaction) -> Transaction:
    return transaction


def postgres_tokens(tokens: PostgresTokens) -> TokenStore:
    return tokens


def postgres_alert_index(transaction: PostgresTransaction) -> AlertIndex:
    return transaction


def postgres_integrations(integrations: PostgresIntegrations) -> IntegrationStore:
    return integrations


def journal_alert_index(transaction: JournalTransaction) -> AlertIndex:
    return transaction


def journal_integrations(integrations: JournalIntegrations) -> IntegrationStore:
    return integrations


def postgres_alert_lookup(store: PostgresStore) -> AlertLookup:
    return store


def journal_alert_lookup(store: JournalEvents) -> AlertLookup:
    return store


def postgres_leading(store: PostgresStore) -> Leading:
    return store


def journal_leading(store: JournalEvents) -> Leading:
    return store
