"""The actions this console put in the outbox while the server could not be reached, until the
backend says none wait: their rows carry a mark, the same action is not queued twice, and a
further action on the same incident expects the version the waiting ones will have made."""

from __future__ import annotations

from esctui.domain.models import Incident


class Queued:
    def __init__(self) -> None:
        self.actions: dict[str, list[str]] = {}  # incident id -> action ids, in order

    def add(self, incident_id: str, action: str) -> None:
        self.actions.setdefault(incident_id, []).append(action)

    def holds(self, incident_id: str, action: str) -> bool:
        return action in self.actions.get(incident_id, [])

    def expected(self, incident: Incident) -> int:
        """The version `incident` will be at once what waits for it is sent (each action makes
        one event): a later action must expect that one, or the server refuses it as stale."""
        return incident.version + len(self.actions.get(incident.id, []))

    @property
    def incidents(self) -> set[str]:
        return set(self.actions)

    def sent(self) -> list[str]:
        """Forget everything (the outbox is empty); the incidents whose marks go."""
        gone = list(self.actions)
        self.actions.clear()
        return gone
