"""Keeping customers informed: regular updates while an incident is open, even when there is no
news, and a follow-up once it is resolved.

An open incident with a customer owes them an update every `interval` (per severity: built-in
defaults, then the directory's, then the responder's config, then the service's own), counted
from the last update sent (an outbound communication) or from when it was opened. A resolved
incident with a customer owes them a follow-up within the directory's `follow_up_hours` of the
resolution, until an outbound communication is logged after it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta

import msgspec

from esctui.domain.models import Directory, Incident, Status

DEFAULT_UPDATE_MINUTES: dict[int, int] = {1: 30, 2: 60, 3: 4 * 60, 4: 0}  # 0: no updates owed
DEFAULT_FOLLOW_UP_HOURS = 24
# An update is "about to be due" in the last quarter of its interval, as an SLA is at risk.
CLOSE_SHARE = 0.25
PLACEHOLDERS = ("{id}", "{title}", "{status}", "{next_update}")


class Owed(enum.StrEnum):
    UPDATE = "update"
    FOLLOW_UP = "follow-up"


class CustomerDue(msgspec.Struct, frozen=True):
    """What the customer is owed next (an update, or the follow-up after the resolution), and
    by when."""

    owed: Owed
    due_at: datetime
    window: timedelta

    def overdue(self, now: datetime) -> bool:
        return now >= self.due_at

    def close(self, now: datetime) -> bool:
        """Overdue, or in the last quarter of its window."""
        return self.due_at - now <= self.window * CLOSE_SHARE


class CadenceBook(msgspec.Struct, frozen=True):
    """Update intervals per severity (minutes; 0 for none), with the service's own winning,
    and the follow-up window after a resolution."""

    defaults: Mapping[int, int]
    per_service: Mapping[str, Mapping[int, int]]
    follow_up: timedelta

    def interval(self, service: str, severity: int) -> timedelta | None:
        minutes = self.per_service.get(service, {}).get(severity)
        if minutes is None:
            minutes = self.defaults.get(severity, 0)
        return timedelta(minutes=minutes) if minutes else None

    def due(self, incident: Incident) -> CustomerDue | None:
        """What `incident`'s customer is owed next; None without a customer, or with nothing
        owed (no updates at its severity, the follow-up done)."""
        if not incident.customer:
            return None
        last = incident.last_customer_update
        if incident.status is Status.RESOLVED:
            resolved = incident.resolved_at
            if resolved is None or (last is not None and last >= resolved):
                return None
            return CustomerDue(Owed.FOLLOW_UP, resolved + self.follow_up, self.follow_up)
        interval = self.interval(incident.service, incident.severity)
        if interval is None:
            return None
        since = incident.opened_at if last is None or last < incident.opened_at else last
        return CustomerDue(Owed.UPDATE, since + interval, interval)


def cadence_book(directory: Directory, overrides: Mapping[int, int] | None = None) -> CadenceBook:
    """The intervals in force for `directory`, with `overrides` (from config) over its own."""
    return CadenceBook(
        defaults={**DEFAULT_UPDATE_MINUTES, **directory.update_minutes, **(overrides or {})},
        per_service={
            s.name: dict(s.update_minutes) for s in directory.services if s.update_minutes
        },
        follow_up=timedelta(hours=directory.follow_up_hours),
    )


def fill_template(template: str, incident: Incident, next_update: str) -> str:
    """An update template with its placeholders filled: `{id}`, `{title}`, `{status}` and
    `{next_update}` (the time, as the face writes it). Anything else in braces stays as it is:
    a title with braces in it is never read as a placeholder."""
    return (
        template.replace("{id}", incident.id)
        .replace("{title}", incident.title)
        .replace("{status}", str(incident.status))
        .replace("{next_update}", next_update)
    )


def template_problems(directory: Directory) -> list[str]:
    """Sentences naming templates for severities that do not exist."""
    return [
        f"update_templates has a template for severity {severity}; severities are 1 to 4"
        for severity in directory.update_templates
        if not 1 <= severity <= 4
    ]
