"""The events that take an incident from what a platform showed before to what it shows now.

Alertmanager and PagerDuty keep no esctui journal: a platform backend reads the incidents as
they stand and describes each difference with the domain's own events, so the console,
metrics and timelines read them like any other. `events_between` answers None where no
events describe the difference (a title or labels that changed): the caller then sends the
whole queue again instead of pretending.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from esctui.domain import events as e
from esctui.domain.lifecycle import apply
from esctui.domain.models import Incident, Status

# What the events must reproduce for a description to count as exact.
SEEN = ("status", "assignee", "level", "acknowledged_by", "resolved_by")
# What no event changes once an incident is open.
FIXED = ("title", "service", "severity", "customer", "labels")


def events_between(
    old: Incident | None, new: Incident, now: datetime
) -> tuple[list[e.AnyEvent], Incident] | None:
    """The events from `old` (None: never seen) to `new`, and the incident they fold to;
    None where events cannot say it."""
    version = old.version if old is not None else 0
    made: list[e.AnyEvent] = []
    state = old

    def add(kind: type[e.AnyEvent], at: datetime, by: str | None, **fields: Any) -> None:
        nonlocal state, version
        version += 1
        event = kind(incident=new.id, at=at, version=version, by=by, **fields)
        made.append(event)
        state = apply(state, event)

    if old is None:
        add(
            e.Triggered,
            new.created_at,
            None,
            title=new.title,
            service=new.service,
            severity=new.severity,
            assignee=new.assignee if new.status is Status.TRIGGERED else None,
            customer=new.customer,
            labels=dict(new.labels),
        )
    elif any(getattr(old, name) != getattr(new, name) for name in FIXED):
        return None
    assert state is not None
    if state.status is Status.RESOLVED and new.status is not Status.RESOLVED:
        add(e.Reopened, now, None, assignee=new.assignee, reason="")
    if new.level != state.level and new.status is not Status.RESOLVED:
        add(
            e.Escalated,
            now,
            None,
            from_level=state.level,
            to_level=new.level,
            cycle=state.cycle,
            assignee=new.assignee,
        )
    acknowledged = new.status is Status.ACKNOWLEDGED
    if state.status is Status.ACKNOWLEDGED and new.status is Status.TRIGGERED:
        add(e.Unacknowledged, now, None)
    if acknowledged and (
        state.status is not Status.ACKNOWLEDGED or state.acknowledged_by != new.acknowledged_by
    ):  # acknowledged, or the acknowledgement passed to someone else
        add(e.Acknowledged, new.acknowledged_at or now, new.acknowledged_by)
    if new.status is Status.TRIGGERED and new.assignee != state.assignee and new.assignee:
        add(e.HandedOff, now, None, from_responder=state.assignee, to=new.assignee)
    snooze = new.snoozed_until
    if new.status is not Status.RESOLVED and snooze != state.snoozed_until and new.snoozed(now):
        assert snooze is not None
        add(e.Snoozed, now, None, until=snooze)
    if new.status is Status.RESOLVED and state.status is not Status.RESOLVED:
        add(e.Resolved, new.resolved_at or now, new.resolved_by)
    assert state is not None
    if any(getattr(state, name) != getattr(new, name) for name in SEEN):
        return None
    if state.snoozed(now) != new.snoozed(now):  # a snooze that ended early
        return None
    return made, state
