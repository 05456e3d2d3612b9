"""The embedded store: a snapshot and an append-only journal of events in one directory."""

from esctui.backends.journal.backend import JournalBackend
from esctui.backends.journal.snapshot import create_store
from esctui.backends.journal.store import JournalStore

__all__ = ["JournalBackend", "JournalStore", "create_store"]
