"""Service-level targets: how long an incident may wait for an acknowledgement and a resolution."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import msgspec

from esctui.domain import events as e
from esctui.domain.models import Directory, Incident, SlaTarget, Status
from esctui.domain.undo import what_stands

DEFAULT_TARGETS: dict[int, SlaTarget] = {
    1: SlaTarget(acknowledge_minutes=5, resolve_minutes=4 * 60),
    2: SlaTarget(acknowledge_minutes=15, resolve_minutes=8 * 60),
    3: SlaTarget(acknowledge_minutes=60, resolve_minutes=3 * 24 * 60),
    4: SlaTarget(acknowledge_minutes=4 * 60, resolve_minutes=7 * 24 * 60),
}


AT_RISK_SHARE = 0.25


class Clock(enum.StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class Deadline(msgspec.Struct, frozen=True):
    """The next SLA deadline of an open incident."""

    clock: Clock
    breach_at: datetime
    window: timedelta

    def time_left(self, now: datetime) -> timedelta:
        """Negative once breached."""
        return self.breach_at - now

    def breached(self, now: datetime) -> bool:
        return now >= self.breach_at

    def at_risk(self, now: datetime) -> bool:
        """Breached, or within the last quarter of the time allowed."""
        return self.time_left(now) <= self.window * AT_RISK_SHARE


class SlaBook(msgspec.Struct, frozen=True):
    """Targets per severity, with the more specific source winning: built-in defaults, then the
    store's directory, then the responder's config, then the service's own overrides."""

    defaults: Mapping[int, SlaTarget]
    per_service: Mapping[str, Mapping[int, SlaTarget]]

    def target(self, service: str, severity: int) -> SlaTarget:
        specific = self.per_service.get(service, {}).get(severity)
        return specific or self.defaults.get(severity) or DEFAULT_TARGETS[4]

    def deadline(self, incident: Incident) -> Deadline | None:
        """Acknowledge-by for a triggered incident, resolve-by for an acknowledged one; none
        for a quiet one (opened during its service's maintenance) until it is woken."""
        status = incident.status
        if status is Status.RESOLVED or incident.quiet:
            return None
        target = self.target(incident.service, incident.severity)
        if status is Status.TRIGGERED:
            minutes, clock = target.acknowledge_minutes, Clock.ACKNOWLEDGE
        else:
            minutes, clock = target.resolve_minutes, Clock.RESOLVE
        window = timedelta(minutes=minutes)
        return Deadline(clock=clock, breach_at=incident.opened_at + window, window=window)


def sla_book(directory: Directory, overrides: Mapping[int, SlaTarget] | None = None) -> SlaBook:
    """The targets in force for `directory`, with `overrides` (from config) over its defaults."""
    defaults = {**DEFAULT_TARGETS, **directory.sla, **(overrides or {})}
    return SlaBook(
        defaults=defaults,
        per_service={s.name: dict(s.sla) for s in directory.services if s.sla},
    )


# -- after the fact ---------------------------------------------------------------------------


class Reached(msgspec.Struct, frozen=True):
    """How long an incident took to get somewhere, and whether that kept its SLA target."""

    after: timedelta
    met: bool


class SlaRecord(msgspec.Struct, frozen=True):
    """What became of an incident's two deadlines: from its trigger to its first
    acknowledgement, and to its first resolution. None where it never got there."""

    acknowledge: Reached | None
    resolve: Reached | None

    def missed(self) -> list[Clock]:
        """The deadlines it got to late, acknowledge first."""
        reached = ((Clock.ACKNOWLEDGE, self.acknowledge), (Clock.RESOLVE, self.resolve))
        return [clock for clock, got in reached if got is not None and not got.met]

    def verdict(self, names: Mapping[Clock, str]) -> str:
        """`met`; `<name> missed` for one deadline (`names`: each face's word for each clock);
        `missed` for both."""
        missed = self.missed()
        if not missed:
            return "met"
        return "missed" if len(missed) > 1 else f"{names[missed[0]]} missed"


def sla_record(incident: Incident, timeline: Iterable[e.AnyEvent], target: SlaTarget) -> SlaRecord:
    """The record of `incident` against `target`, from its events (those that stand: an
    acknowledgement or resolution undone does not count). This is how metrics count SLA
    compliance, and how every face tells a responder whether a deadline was kept: the
    incident's state keeps only its latest acknowledgement, which can come after the first."""
    acknowledged = resolved = None
    for event in what_stands(timeline):
        if acknowledged is None and isinstance(event, e.Acknowledged):
            acknowledged = event.at
        elif resolved is None and isinstance(event, e.Resolved):
            resolved = event.at
    start = incident.created_at

    def reached(at: datetime | None, minutes: int) -> Reached | None:
        if at is None:
            return None
        return Reached(after=at - start, met=at - start <= timedelta(minutes=minutes))

    return SlaRecord(
        acknowledge=reached(acknowledged, target.acknowledge_minutes),
        resolve=reached(resolved, target.resolve_minutes),
    )
