"""The team server's wire format beyond the domain's own types: request bodies, answers and
problems. The server and the HTTP backend both speak it, so it lives below both.

Bodies are strict (unknown keys are refused) so a typo in a script is a 422, not an action
done differently from what was meant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from esctui.backends.integrations import Integration
from esctui.domain.alerts import IntegrationName, Kind, Settings
from esctui.domain.commands import Name, Text
from esctui.domain.events import AnyEvent, Communication, Paged
from esctui.domain.models import (
    LONGEST_MINUTES,
    Directory,
    Incident,
)
from esctui.stores.records import MaintenanceWindow


class Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


class CompactBody(Body, frozen=True):
    """Fold the journal into a new snapshot; archive incidents resolved longer ago than this
    (at most a century)."""

    archive_after_seconds: Annotated[int, msgspec.Meta(ge=0, le=3_155_760_000)] = 14 * 86_400


class Outcome(msgspec.Struct, frozen=True):
    """What an administrator's change to the whole store did, in a sentence, and the store's
    revision afterwards."""

    summary: str
    revision: int


class IncidentDetail(msgspec.Struct, frozen=True):
    """One incident with its whole timeline, its communications, and its pages (each page's
    latest record on the timeline: whom it paged, how, when, and how it went)."""

    incident: Incident
    timeline: list[AnyEvent]
    communications: list[Communication]
    pages: list[Paged] = []


class IncidentPage(msgspec.Struct, frozen=True):
    """One page of incidents in id order; pass `next_cursor` as `cursor` for the next."""

    incidents: list[Incident]
    next_cursor: str | None
    revision: int


class QueueOut(msgspec.Struct, frozen=True):
    """The whole queue at one revision, and who the caller's token says they are."""

    responder: str
    directory: Directory
    incidents: dict[str, Incident]
    revision: int
    # The store's snapshot: give it to `/v1/events` (`?snapshot=`) so a compaction or a new
    # directory while the stream was down is not missed (neither makes a new revision).
    snapshot: str = ""
    # The maintenance windows kept, by service (in force while the time is within them).
    maintenance: dict[str, MaintenanceWindow] = {}


class HistoryOut(msgspec.Struct, frozen=True):
    incident: Incident
    timeline: list[AnyEvent]


class Me(msgspec.Struct, frozen=True):
    responder: str
    token: str
    full_name: str = ""
    admin: bool = False


class LevelOnCall(msgspec.Struct, frozen=True):
    level: int
    timeout_minutes: int
    responders: list[str]


class PolicyOnCall(msgspec.Struct, frozen=True):
    policy: str
    levels: list[LevelOnCall]


class OnCall(msgspec.Struct, frozen=True):
    at: datetime
    policies: list[PolicyOnCall]


class Health(msgspec.Struct, frozen=True):
    status: str
    revision: int
    # The work this process leads among all that serve its store (`escalation`).
    leads: list[str] = []


class Revoked(msgspec.Struct, frozen=True):
    """The data of the `revoked` event that ends the event stream of a revoked token."""

    detail: str


class ProblemBody(msgspec.Struct, frozen=True, omit_defaults=True):
    """An error (RFC 9457): `status` and `title` from HTTP, `detail` in a sentence. A 412
    carries the incident as it is now, so the caller can show what changed without asking."""

    type: str
    title: str
    status: int
    detail: str
    incident: Incident | None = None
    errors: list[dict[str, Any]] = []


class IntegrationBody(Body, frozen=True):
    """A new integration: its name, the monitoring it takes (`kind`), the service its alerts
    open incidents on, and how (`settings`; a heartbeat's needs `every_seconds`)."""

    name: IntegrationName
    kind: Kind
    service: Name
    settings: Settings = msgspec.field(default_factory=Settings)


class IntegrationMade(msgspec.Struct, frozen=True):
    """A new integration, with its key: shown this once, kept only as a hash."""

    key: str
    integration: Integration


class MaintenanceBody(Body, frozen=True):
    """Put `service` in maintenance from now for `seconds` (at most a year)."""

    service: Name
    seconds: Annotated[int, msgspec.Meta(ge=1, le=LONGEST_MINUTES * 60)]
    reason: Text = ""
