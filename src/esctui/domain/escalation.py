"""Auto-escalation: what esctui does on its own when nobody acknowledges in time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from esctui.domain import commands as c
from esctui.domain.models import Directory, Incident, Status


def escalation_due_at(incident: Incident, directory: Directory) -> datetime | None:
    """When the incident's current level times out, or None if it cannot (acknowledged,
    resolved, already exhausted, or no policy). A snooze pushes the timeout past its end."""
    if incident.status is not Status.TRIGGERED or incident.exhausted:
        return None
    service = directory.service(incident.service)
    policy = directory.policy(service.policy) if service is not None else None
    if policy is None or not 1 <= incident.level <= len(policy.levels):
        return None
    start = incident.level_since or incident.opened_at
    if incident.snoozed_until is not None and incident.snoozed_until > start:
        start = incident.snoozed_until
    return start + timedelta(minutes=policy.levels[incident.level - 1].timeout_minutes)


def due(
    incidents: Iterable[Incident], directory: Directory, now: datetime
) -> list[c.Escalate | c.MarkExhausted]:
    """The commands that bring every unacknowledged incident whose level timed out to its next
    level; after the last level the policy starts over `repeat` times, then the incident is
    marked exhausted, once.

    Each command restarts its incident's level clock at `now`, so applying the result and
    asking again at the same `now` gives nothing: any process holding the store may run it.
    """
    commands: list[c.Escalate | c.MarkExhausted] = []
    for incident in incidents:
        at = escalation_due_at(incident, directory)
        if at is None or at > now:
            continue
        service = directory.service(incident.service)
        policy = directory.policy(service.policy) if service is not None else None
        assert policy is not None
        at_last = incident.level >= len(policy.levels)
        if at_last and incident.cycle >= policy.repeat:
            commands.append(c.MarkExhausted(incident=incident.id))
        else:
            commands.append(c.Escalate(incident=incident.id, timeout=True))
    return commands
