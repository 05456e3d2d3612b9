"""The embedded store: a snapshot and an append-only journal of events in one directory."""

from esctui.stores.journal.events import JournalEvents
from esctui.stores.journal.snapshot import create_store
from esctui.stores.journal.store import JournalStore
from esctui.stores.journal.tokens import JournalTokens

__all__ = ["JournalEvents", "JournalStore", "JournalTokens", "create_store"]
