"""The nouns of on-call: who responds, how they rotate, how incidents escalate, and the incident.

Everything here is plain, frozen data. Times are timezone-aware UTC `datetime`s; durations in
the directory are whole minutes, as teams write them in their runbooks.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

# Bounds on what reaches date arithmetic, checked wherever a directory is read (a file, the
# API): past them Python's datetime overflows, and no team means them.
LONGEST_MINUTES = 366 * 24 * 60  # a year: a level's timeout, an SLA target
LONGEST_HOURS = 366 * 24  # a year: a shift
MOST_REPEATS = 100
FIRST_YEAR, LAST_YEAR = 2000, 2200

Severity = Annotated[int, msgspec.Meta(ge=1, le=4)]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=LONGEST_MINUTES)]
Hours = Annotated[int, msgspec.Meta(ge=1, le=LONGEST_HOURS)]
# Minutes between customer updates; 0: no regular updates at that severity.
UpdateMinutes = Annotated[int, msgspec.Meta(ge=0, le=LONGEST_MINUTES)]
Url = Annotated[str, msgspec.Meta(max_length=2000)]
Guidance = Annotated[str, msgspec.Meta(max_length=2000)]
Template = Annotated[str, msgspec.Meta(max_length=4000)]


def check_year(when: date, what: str) -> None:
    """`ValueError` naming `what` unless `when` falls in the years esctui takes."""
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise ValueError(
            f"{what} is in the year {when.year}; esctui takes the years {FIRST_YEAR} to {LAST_YEAR}"
        )


class Status(enum.StrEnum):
    """Where an incident stands. Snooze is a flag beside the status, not a status."""

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Channel(enum.StrEnum):
    """How something was said to (or heard from) someone outside the responders."""

    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    BRIDGE = "bridge"
    STATUS_PAGE = "status-page"
    OTHER = "other"


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class ContactMethod(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """How a responder is paged: an Apprise notification URL (`ntfy://...`, `mailtos://...`,
    `slack://...`), tried `after_minutes` after the page falls due if nobody acknowledged by
    then, for the `severities` it lists."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    url: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    after_minutes: Annotated[int, msgspec.Meta(ge=0, le=LONGEST_MINUTES)] = 0
    severities: tuple[Severity, ...] = (1, 2, 3, 4)


class QuietHours(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """From `start` to `end` ("HH:MM", in the responder's time zone; across midnight when
    `start` is later than `end`), pages for SEV3 and SEV4 wait until `end`. SEV1 and SEV2 are
    never held. `start` equal to `end`: no quiet hours."""

    start: str
    end: str


class Responder(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A person who can hold incidents. `name` is the short handle used everywhere (`carol`).

    `contact` is how they are paged; `time_zone` and `quiet_hours`, when set, stand over the
    team's (`Directory.paging`)."""

    name: str
    full_name: str = ""
    email: str = ""
    team: str = ""
    contact: tuple[ContactMethod, ...] = ()
    time_zone: str = ""
    quiet_hours: QuietHours | None = None


class Override(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`responder` covers the rotation from `start` (inclusive) to `end` (exclusive)."""

    responder: str
    start: Instant
    end: Instant

    def __post_init__(self) -> None:
        check_year(self.start, "'start'")
        check_year(self.end, "'end'")


class Rotation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Members take shifts in order; the first shift starts on `start_date` at `handoff_time`.

    `handoff_time` is "HH:MM" in the rotation's `time_zone` (an IANA name), so a daily rotation
    hands off at 09:00 Berlin time in winter and in summer alike.
    """

    name: str
    members: tuple[str, ...]
    shift_hours: Hours = 168
    handoff_time: str = "09:00"
    time_zone: str = "UTC"
    start_date: str = "2026-01-05"
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        try:
            first = date.fromisoformat(self.start_date)
        except ValueError:
            return  # not a date at all: `directory_problems` says so, with the handoff time
        check_year(first, "'start_date'")


class Target(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Who a level pages: a responder by name, or whoever is on call in a rotation."""

    kind: Literal["responder", "rotation"]
    name: str


class EscalationLevel(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    targets: tuple[Target, ...]
    timeout_minutes: Minutes = 30


class EscalationPolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Ordered levels; after the last one the policy starts again at level 1 `repeat` times.

    With `acknowledge_timeout_minutes`, an acknowledgement lasts that long: an incident still
    unresolved then goes back to triggered and pages its holder again.
    """

    name: str
    levels: tuple[EscalationLevel, ...]
    repeat: Annotated[int, msgspec.Meta(ge=0, le=MOST_REPEATS)] = 0
    acknowledge_timeout_minutes: Minutes | None = None


class SlaTarget(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Minutes allowed from trigger to acknowledge, and from trigger to resolve."""

    acknowledge_minutes: Minutes
    resolve_minutes: Minutes


class Service(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A thing that breaks. `sla` overrides the targets for the severities it names (1-4), and
    `update_minutes` how often its customers hear from us. `runbook_url` is where responders
    read what to do; `escalate_when` says when to call the next level."""

    name: str
    policy: str
    description: str = ""
    sla: dict[int, SlaTarget] = {}
    update_minutes: dict[int, UpdateMinutes] = {}
    runbook_url: Url = ""
    escalate_when: Guidance = ""


class PagingDefaults(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """The team's paging rules, for every responder who sets none of their own: the time zone
    quiet hours are read in, and the quiet hours (none unless set)."""

    time_zone: str = "UTC"
    quiet_hours: QuietHours | None = None


class Directory(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Everything an incident's rules refer to: people, rotations, policies, services, SLAs,
    and how long a snooze may hold an incident's escalation (a week unless it says); how often
    customers hear from us (`update_minutes` per severity, over the defaults), the templates
    of those updates, and how soon after a resolution the customer is followed up; and the
    team's paging rules."""

    responders: tuple[Responder, ...] = ()
    rotations: tuple[Rotation, ...] = ()
    policies: tuple[EscalationPolicy, ...] = ()
    services: tuple[Service, ...] = ()
    sla: dict[int, SlaTarget] = {}
    max_snooze_hours: Hours = 168
    update_minutes: dict[int, UpdateMinutes] = {}
    update_templates: dict[int, Template] = {}
    follow_up_hours: Hours = 24
    paging: PagingDefaults = PagingDefaults()

    def team_members(self, team: str) -> frozenset[str]:
        """The responders of `team` (none for a team nobody is in)."""
        return frozenset(r.name for r in self.responders if r.team == team)

    def teams(self) -> list[str]:
        return sorted({r.team for r in self.responders if r.team})

    def responder(self, name: str) -> Responder | None:
        return next((r for r in self.responders if r.name == name), None)

    def rotation(self, name: str) -> Rotation | None:
        return next((r for r in self.rotations if r.name == name), None)

    def policy(self, name: str) -> EscalationPolicy | None:
        return next((p for p in self.policies if p.name == name), None)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def service_policy(self, service: str) -> EscalationPolicy | None:
        """The escalation policy of the service named `service` (None: no such service, or
        its policy is not here)."""
        found = self.service(service)
        return self.policy(found.policy) if found is not None else None

    def responder_names(self) -> list[str]:
        return sorted(r.name for r in self.responders)


class CauseCategory(enum.StrEnum):
    """What a review says caused an incident, in the words teams count them by."""

    DEPLOY = "deploy"
    CONFIG = "config"
    BUG = "bug"
    CAPACITY = "capacity"
    DEPENDENCY = "dependency"
    INFRASTRUCTURE = "infrastructure"
    SECURITY = "security"
    HUMAN = "human"
    UNKNOWN = "unknown"


class FollowUp(msgspec.Struct, frozen=True):
    """An action a review decided on: what, who owns it, by when (a date); done once
    `done_at` is set. `number` counts from 1 within its incident."""

    number: int
    action: str
    owner: str
    due: date
    done_at: datetime | None = None
    done_by: str | None = None

    def overdue(self, today: date) -> bool:
        return self.done_at is None and self.due < today


class AlertState(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What monitoring has said of an incident its alerts opened: through which integration,
    under which key (an Alertmanager group key, an Events API dedup key), which alerts fire now
    (their fingerprints), how many notifications it recorded (repeats included), when the last
    came, and a digest of what the last one said (the same again is a repeat)."""

    integration: str
    key: str
    firing: tuple[str, ...] = ()
    received: int = 0
    last_at: datetime | None = None
    digest: str = ""


class Incident(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The state of one incident: a fold of its events (see `lifecycle.apply`).

    `opened_at` is the trigger or the latest reopen: SLA clocks count from it. `level` is the
    escalation level (1-based) it is paged at; `level_since` is when that level's timeout started
    counting; `cycle` counts how often the policy has started over. `alerts` says what
    monitoring told of it, where its alerts opened it; a `quiet` one was opened during its
    service's maintenance.
    """

    id: str
    title: str
    service: str
    severity: Severity
    status: Status
    created_at: datetime
    opened_at: datetime
    version: int
    assignee: str | None = None
    level: int = 1
    level_since: datetime | None = None
    cycle: int = 0
    exhausted: bool = False
    snoozed_until: datetime | None = None
    customer: str = ""
    labels: dict[str, str] = {}
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    last_customer_update: datetime | None = None
    notes: int = 0
    communications: int = 0
    reviewed_at: datetime | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    # Opened by monitoring's alerts (see `AlertState`); None for one a responder triggered.
    alerts: AlertState | None = None
    # Opened while its service was in maintenance: it neither escalates nor pages, and keeps
    # no SLA clock, until it is woken.
    quiet: bool = False

    @property
    def review_due(self) -> bool:
        """A resolved SEV1 or SEV2 without its review."""
        return self.status is Status.RESOLVED and self.severity <= 2 and self.reviewed_at is None

    def follow_ups_open(self) -> list[FollowUp]:
        return [f for f in self.follow_ups if f.done_at is None]

    @property
    def is_open(self) -> bool:
        return self.status is not Status.RESOLVED

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now
