"""The shift hand-off report: what is open and who holds it, and what happened in the shift."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import msgspec

from esctui.domain import events as e
from esctui.domain.models import Direction, Incident
from esctui.domain.sla import SlaBook
from esctui.domain.undo import what_stands


class OpenIncident(msgspec.Struct, frozen=True):
    id: str
    severity: int
    status: str
    title: str
    service: str
    assignee: str | None
    snoozed_until: datetime | None
    sla_clock: str | None
    sla_breach_at: datetime | None
    last_customer_update: datetime | None


class Happened(msgspec.Struct, frozen=True):
    """Counts of what happened in the shift, and the incidents behind the notable ones."""

    triggered: list[str]
    resolved: list[str]
    reopened: list[str]
    escalated_by_timeout: list[str]
    escalated_by_hand: list[str]
    handed_off: list[str]
    breached: list[str]
    customer_updates: int


class HandoffReport(msgspec.Struct, frozen=True):
    since: datetime
    until: datetime
    open: list[OpenIncident]
    happened: Happened


def handoff_report(
    histories: Iterable[tuple[Incident, Sequence[e.AnyEvent]]],
    book: SlaBook,
    since: datetime,
    now: datetime,
) -> HandoffReport:
    """Open incidents (most severe first) and what their timelines say happened in
    [since, now]: triggers, resolutions, reopens, escalations, hand-offs, SLA breaches, and
    updates sent to customers."""
    open_: list[OpenIncident] = []
    seen: dict[str, list[str]] = {
        key: [] for key in Happened.__struct_fields__ if key != "customer_updates"
    }
    updates = 0

    def note(key: str, incident_id: str) -> None:
        if incident_id not in seen[key]:
            seen[key].append(incident_id)

    for incident, timeline in histories:
        deadline = book.deadline(incident)
        if incident.is_open:
            open_.append(
                OpenIncident(
                    id=incident.id,
                    severity=incident.severity,
                    status=str(incident.status),
                    title=incident.title,
                    service=incident.service,
                    assignee=incident.assignee,
                    snoozed_until=incident.snoozed_until if incident.snoozed(now) else None,
                    sla_clock=str(deadline.clock) if deadline else None,
                    sla_breach_at=deadline.breach_at if deadline else None,
                    last_customer_update=incident.last_customer_update,
                )
            )
            if deadline is not None and since <= deadline.breach_at <= now:
                note("breached", incident.id)
        for event in what_stands(timeline):
            if not since <= event.at <= now:
                continue
            match event:
                case e.Triggered():
                    note("triggered", incident.id)
                case e.Resolved():
                    note("resolved", incident.id)
                case e.Reopened():
                    note("reopened", incident.id)
                case e.Escalated():
                    note(
                        "escalated_by_timeout" if event.by is None else "escalated_by_hand",
                        incident.id,
                    )
                case e.HandedOff():
                    note("handed_off", incident.id)
                case e.CommunicationLogged() if event.direction is Direction.OUTBOUND:
                    updates += 1
    open_.sort(key=lambda i: (i.severity, i.sla_breach_at or now, i.id))
    return HandoffReport(
        since=since, until=now, open=open_, happened=Happened(**seen, customer_updates=updates)
    )
