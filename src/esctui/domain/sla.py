"""Service-level targets: how long an incident may wait for an acknowledgement and a resolution."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta

import msgspec

from esctui.domain.models import Directory, Incident, SlaTarget, Status

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
        """Acknowledge-by for a triggered incident, resolve-by for an acknowledged one."""
        status = incident.status
        if status is Status.RESOLVED:
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
