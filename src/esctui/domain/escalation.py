"""Auto-escalation: what esctui does on its own when nobody acknowledges in time, or when an
acknowledgement runs out before the incident is resolved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from esctui.domain import commands as c
from esctui.domain.models import Directory, Incident, Status


def escalation_due_at(incident: Incident, directory: Directory) -> datetime | None:
    """When esctui next acts on the incident by itself: its level times out (triggered), or
    its acknowledgement runs out (acknowledged, where the policy says so). None when nothing
    will: resolved, exhausted, no policy. A snooze pushes either past its end."""
    policy = directory.service_policy(incident.service)
    if policy is None or incident.exhausted:
        return None
    if incident.status is Status.TRIGGERED and 1 <= incident.level <= len(policy.levels):
        start = incident.level_since or incident.opened_at
        minutes = policy.levels[incident.level - 1].timeout_minutes
    elif incident.status is Status.ACKNOWLEDGED and policy.acknowledge_timeout_minutes:
        assert incident.acknowledged_at is not None
        start, minutes = incident.acknowledged_at, policy.acknowledge_timeout_minutes
    else:
        return None
    if incident.snoozed_until is not None and incident.snoozed_until > start:
        start = incident.snoozed_until
    return start + timedelta(minutes=minutes)


AutoCommand = c.Escalate | c.MarkExhausted | c.Unacknowledge


def due(incidents: Iterable[Incident], directory: Directory, now: datetime) -> list[AutoCommand]:
    """The commands that bring every unacknowledged incident whose level timed out to its next
    level (after the last level the policy starts over `repeat` times, then the incident is
    marked exhausted, once), and send back to triggered every acknowledged incident whose
    acknowledgement ran out.

    Each command restarts its incident's clock at `now`, so applying the result and asking
    again at the same `now` gives nothing: any process holding the store may run it.
    """
    commands: list[AutoCommand] = []
    for incident in incidents:
        at = escalation_due_at(incident, directory)
        if at is None or at > now:
            continue
        policy = directory.service_policy(incident.service)
        assert policy is not None
        if incident.status is Status.ACKNOWLEDGED:
            minutes = policy.acknowledge_timeout_minutes
            reason = f"the acknowledgement ran out after {minutes} minutes"
            commands.append(c.Unacknowledge(incident=incident.id, reason=reason))
            continue
        at_last = incident.level >= len(policy.levels)
        if at_last and incident.cycle >= policy.repeat:
            commands.append(c.MarkExhausted(incident=incident.id))
        else:
            commands.append(c.Escalate(incident=incident.id, timeout=True))
    return commands
