"""Which incident monitoring's alerts map to, in a journal store: an index over the incidents it
holds (open and recently resolved), by the integration and key their alerts came under.

Nothing is written for it: the incidents' states say which alerts opened them, so the index is
built from the states the store holds and kept up to date from the changes it takes in (a
compaction, or a gap, builds it again). A crash can leave it out of step with nothing.
"""

from __future__ import annotations

from esctui.domain.events import AlertsReceived
from esctui.domain.models import Incident
from esctui.stores.ids import incident_number
from esctui.stores.journal.store import JournalStore


class AlertIndex:
    """(integration, key) → the id of the newest incident their alerts opened."""

    def __init__(self) -> None:
        self.generation: str | None = None
        self.revision = -1
        self.newest: dict[tuple[str, str], str] = {}

    def find(self, store: JournalStore, integration: str, key: str) -> Incident | None:
        """The incident (call it holding the store, so it is caught up)."""
        with store.mutex:
            self.catch_up(store)
            found = self.newest.get((integration, key))
            return store.incidents.get(found) if found is not None else None

    def catch_up(self, store: JournalStore) -> None:
        changes = (
            store.changes_after(self.revision) if self.generation == store.generation else None
        )
        if changes is None:
            self.newest = {}
            for incident in store.incidents.values():
                if incident.alerts is not None:
                    self.note(incident.alerts.integration, incident.alerts.key, incident.id)
        else:
            for change in changes:
                event = change.event
                if isinstance(event, AlertsReceived):
                    self.note(event.integration, event.key, event.incident)
        self.generation, self.revision = store.generation, store.revision

    def note(self, integration: str, key: str, incident_id: str) -> None:
        known = self.newest.get((integration, key))
        if known is None or incident_number(incident_id) > incident_number(known):
            self.newest[(integration, key)] = incident_id
