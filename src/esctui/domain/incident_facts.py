"""What one incident's timeline says for the metrics, worked out once and counted in any period
it falls in (see `metrics.py`, which adds facts up).

Facts do not depend on the period asked for, so they can be kept: the console keeps them as
changes arrive and its KPI screen only adds them up. Only what is still open when a period
ends depends on that end, and `Facts` keeps what it needs: the SLA deadline the incident may
breach by then, and the customer update it may owe by then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from esctui.domain import events as e
from esctui.domain.cadence import CadenceBook
from esctui.domain.models import Direction, Directory, Incident, Status
from esctui.domain.sla import Deadline, SlaBook, sla_record
from esctui.domain.undo import what_stands

# A page delivered from 22:00 to 07:00 in the responder's time zone came at night.
NIGHT_STARTS, NIGHT_ENDS = time(22), time(7)


class Credit(StrEnum):
    """What a responder did on an incident, counted on them."""

    ACKNOWLEDGED = "acknowledged"
    FIRST_ACKNOWLEDGED = "first-acknowledged"  # the value: seconds from the trigger
    RESOLVED = "resolved"
    ESCALATED_AWAY = "escalated-away"
    GAVE = "gave"
    RECEIVED = "received"
    PAGED = "paged"
    PAGED_AT_NIGHT = "paged-at-night"


class Facts(msgspec.Struct):
    """One incident's part in every figure: its group (service, holder, source), its SLA
    figures, escalations, hand-offs, reopening, customer updates, satisfaction scores (with
    the responder holding it then), and what each responder did (`credits`)."""

    created_at: datetime
    service: str
    holder: str | None  # the one who resolved it, or holds it now
    alertname: str
    # Seconds from the trigger to the first acknowledgement and resolution, and whether each
    # was within the SLA (None where it never got there).
    tta: float | None = None
    tta_met: bool = False
    ttr: float | None = None
    ttr_met: bool = False
    manual: int = 0
    timeout: int = 0
    hand_offs: int = 0
    reopened: bool = False
    escalated: bool = False
    escalated_up: bool = False
    over_escalated: bool = False
    missed: bool = False
    deadline: Deadline | None = None  # the SLA deadline it may still breach (open)
    updates_owed: int = 0
    updates_in_time: int = 0
    update_due: datetime | None = None  # the customer update it owes next (open)
    pages: int = 0
    scores: list[tuple[int, str | None]] = []
    credits: list[tuple[str, Credit, float]] = []

    def under_escalated(self, until: datetime) -> bool:
        """An SLA deadline missed (or breached by `until` while still open) with no
        escalation at all."""
        breached = self.deadline is not None and self.deadline.breached(until)
        return not self.escalated and (self.missed or breached)

    def updates(self, until: datetime) -> tuple[int, int]:
        """(owed, sent in time) by `until`: an update still owed then counts as lapsed."""
        lapsed = self.update_due is not None and until > self.update_due
        return self.updates_owed + lapsed, self.updates_in_time


def responder_zones(directory: Directory) -> dict[str, tzinfo]:
    """Each responder's time zone, where the directory names one esctui knows."""
    zones: dict[str, tzinfo] = {}
    for responder in directory.responders:
        if responder.time_zone:
            try:
                zones[responder.name] = ZoneInfo(responder.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return zones


def at_night(at: datetime, zone: tzinfo) -> bool:
    local = at.astimezone(zone).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


def customer_updates(
    incident: Incident, events: Sequence[e.AnyEvent], cadence: CadenceBook
) -> tuple[int, int, datetime | None]:
    """(owed, sent in time, next due): every update the customer was owed while the incident
    was open, how many went out before they were due (a lapse counts once, until the next
    one), and when the next is due if it is still open."""
    interval = cadence.interval(incident.service, incident.severity)
    if not incident.customer or interval is None:
        return 0, 0, None
    owed = in_time = 0
    due: datetime | None = None
    for event in events:
        if isinstance(event, e.Triggered | e.Reopened):
            due = event.at + interval
        elif due is None:
            continue
        elif isinstance(event, e.CommunicationLogged) and event.direction is Direction.OUTBOUND:
            owed += 1
            in_time += event.at <= due
            due = event.at + interval
        elif isinstance(event, e.Resolved):
            if event.at > due:
                owed += 1  # it lapsed before the resolution
            due = None
    return owed, in_time, due


def incident_facts(
    incident: Incident,
    timeline: Sequence[e.AnyEvent],
    book: SlaBook,
    cadence: CadenceBook | None = None,
    zones: Mapping[str, tzinfo] | None = None,
) -> Facts:
    """What `incident`'s timeline (what stands of it) says. Pages are those delivered, once
    per page however many ways it went out; at night in the responder's zone (`zones`, UTC
    where it names none)."""
    events = what_stands(timeline)
    record = sla_record(incident, events, book.target(incident.service, incident.severity))
    resolved = incident.status is Status.RESOLVED
    facts = Facts(
        created_at=incident.created_at,
        service=incident.service,
        holder=(incident.resolved_by if resolved else incident.assignee) or None,
        alertname=incident.labels.get("alertname", ""),
    )
    if record.acknowledge is not None:
        facts.tta, facts.tta_met = record.acknowledge.after.total_seconds(), record.acknowledge.met
    if record.resolve is not None:
        facts.ttr, facts.ttr_met = record.resolve.after.total_seconds(), record.resolve.met
    credits = facts.credits
    first_acknowledgement = True
    holder = incident.assignee
    paged_up: dict[str, bool] = {}  # paged by an escalation up: whether they acted since
    pages: set[str] = set()
    for event in events:
        if event.by in paged_up:
            paged_up[event.by] = True
        match event:
            case e.Triggered():
                holder = event.assignee
            case e.Acknowledged():
                if event.by:
                    credits.append((event.by, Credit.ACKNOWLEDGED, 1))
                    if first_acknowledgement and facts.tta is not None:
                        credits.append((event.by, Credit.FIRST_ACKNOWLEDGED, facts.tta))
                first_acknowledgement = False
                holder = event.by or holder
            case e.Resolved():
                if event.by:
                    credits.append((event.by, Credit.RESOLVED, 1))
            case e.Escalated():
                if event.by is None:
                    facts.timeout += 1
                else:
                    facts.manual += 1
                if holder:
                    credits.append((holder, Credit.ESCALATED_AWAY, 1))
                holder = event.assignee
                if event.to_level > event.from_level and event.assignee:
                    paged_up.setdefault(event.assignee, False)
            case e.HandedOff():
                facts.hand_offs += 1
                if event.from_responder:
                    credits.append((event.from_responder, Credit.GAVE, 1))
                credits.append((event.to, Credit.RECEIVED, 1))
                holder = event.to
            case e.Reopened() | e.Rerouted():
                facts.reopened = facts.reopened or isinstance(event, e.Reopened)
                holder = event.assignee
            case e.CommunicationLogged() if event.csat is not None:
                facts.scores.append((event.csat, holder or event.by))
            case e.Paged() if event.outcome == "delivered" and event.page not in pages:
                pages.add(event.page)
                credits.append((event.to, Credit.PAGED, 1))
                zone = (zones or {}).get(event.to, UTC)
                if at_night(event.at, zone):
                    credits.append((event.to, Credit.PAGED_AT_NIGHT, 1))
    facts.pages = len(pages)
    facts.escalated = facts.manual + facts.timeout > 0
    facts.escalated_up = bool(paged_up)
    facts.over_escalated = (
        record.resolve is not None and bool(paged_up) and not any(paged_up.values())
    )
    facts.missed = bool(record.missed())
    facts.deadline = book.deadline(incident)
    if cadence is not None:
        facts.updates_owed, facts.updates_in_time, facts.update_due = customer_updates(
            incident, events, cadence
        )
    return facts
