"""What every store reads and writes, beyond the domain's own types: events with the revision
the store gave them, the queue as of a revision, an incident with its timeline, what a request
with an idempotency key recorded, the server's tokens, monitoring's integrations and the
services' maintenance windows, and the store's failures."""

from __future__ import annotations

from datetime import datetime

import msgspec

from esctui.domain.alerts import Kind, Settings
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident


class StoreError(Exception):
    """The store cannot be read or written. `str(error)` is one sentence naming what and where."""


class StoreExists(StoreError):
    """A store is already where a new one was to be created."""


class Change(msgspec.Struct, frozen=True):
    """One event as the store recorded it: `revision` is unique and grows by one per event."""

    revision: int
    event: AnyEvent


class Queue(msgspec.Struct):
    """What a face needs to draw the queue: the directory, and every open or recently resolved
    incident by id, as of `revision`."""

    directory: Directory
    incidents: dict[str, Incident]
    revision: int
    # Names the store's snapshot (or directory generation) the queue was read from: a
    # compaction or a new directory makes another without a new revision.
    snapshot: str = ""
    # The maintenance windows kept, by service (whether one is in force depends on the time).
    maintenance: dict[str, MaintenanceWindow] = {}


class IncidentHistory(msgspec.Struct, frozen=True):
    """An incident with its whole timeline, for `show`, reports, metrics and export."""

    incident: Incident
    timeline: list[AnyEvent]


class RecordedRequest(msgspec.Struct, frozen=True):
    """What a request sent with an idempotency key did: a fingerprint of the request (so the
    same key sent with another request can be told apart) and the changes it recorded."""

    fingerprint: str
    changes: list[Change]


class TokenRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """One token as a store keeps it: never the token itself. Fields at their defaults are
    left out, so a responder's token reads the same to an esctui that knows no `admin`."""

    id: str
    responder: str
    sha256: str
    created_at: datetime
    revoked_at: datetime | None = None
    admin: bool = False

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IntegrationRecord(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True
):
    """One integration as a store keeps it: through which monitoring speaks (`kind`), for
    which service, with which settings; never its key, only the key's SHA-256."""

    name: str
    kind: Kind
    service: str
    sha256: str
    created_at: datetime
    settings: Settings = msgspec.field(default_factory=Settings)
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class MaintenanceWindow(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A service in maintenance from `start` until `end`: its alerts open quiet incidents."""

    service: str
    start: datetime
    end: datetime
    reason: str = ""
    by: str | None = None

    def in_force(self, now: datetime) -> bool:
        return self.start <= now < self.end


class Followed(msgspec.Struct, frozen=True):
    """What a store's `follow` yields: new changes in revision order; or, when it cannot bridge
    the gap (compacted underneath, a new directory), a whole new `queue`, with `changes` empty."""

    changes: list[Change]
    queue: Queue | None = None


class Recorded(msgspec.Struct, frozen=True):
    """What an action did: its events with their revisions, and the incident after them (as it
    is now, for a request answered again from its idempotency key)."""

    incident: Incident
    changes: list[Change]
