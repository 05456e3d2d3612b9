"""After the shift: how fast incidents were acknowledged and resolved, how often they escalated,
changed hands or came back, and how many met their SLA. Overall, per service, per responder.

All figures come from the events; only incidents created at or after `since` count.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime

import msgspec

from esctui.domain import events as e
from esctui.domain.models import Incident
from esctui.domain.sla import SlaBook, SlaRecord, sla_record
from esctui.domain.undo import what_stands


class Durations(msgspec.Struct, frozen=True):
    """Seconds: how many, mean, median and 90th percentile (None when there are none)."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None


class Figures(msgspec.Struct, frozen=True):
    incidents: int
    resolved: int
    time_to_acknowledge: Durations
    time_to_resolve: Durations
    escalations_manual: int
    escalations_timeout: int
    hand_offs: int
    acknowledge_sla_met: float | None
    resolve_sla_met: float | None
    reopen_rate: float | None


class ResponderFigures(msgspec.Struct, frozen=True):
    acknowledged: int
    resolved: int
    time_to_acknowledge: Durations
    hand_offs_given: int
    hand_offs_received: int
    escalated_away: int


class Metrics(msgspec.Struct, frozen=True):
    since: datetime
    until: datetime
    overall: Figures
    per_service: dict[str, Figures]
    per_responder: dict[str, ResponderFigures]


def durations(seconds: Sequence[float]) -> Durations:
    if not seconds:
        return Durations(count=0, mean=None, p50=None, p90=None)
    ordered = sorted(seconds)
    return Durations(
        count=len(ordered),
        mean=round(statistics.fmean(ordered), 1),
        p50=round(statistics.median(ordered), 1),
        p90=round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
    )


def share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


class Tally:
    """Running counts for one group of incidents."""

    def __init__(self) -> None:
        self.incidents = 0
        self.resolved = 0
        self.tta: list[float] = []
        self.ttr: list[float] = []
        self.manual = 0
        self.timeout = 0
        self.hand_offs = 0
        self.ack_met = 0
        self.resolve_met = 0
        self.reopened = 0

    def count(self, record: SlaRecord) -> None:
        """One incident's first acknowledgement and resolution, and whether they were in time."""
        if record.acknowledge is not None:
            self.tta.append(record.acknowledge.after.total_seconds())
            self.ack_met += record.acknowledge.met
        if record.resolve is not None:
            self.ttr.append(record.resolve.after.total_seconds())
            self.resolve_met += record.resolve.met
            self.resolved += 1

    def figures(self) -> Figures:
        return Figures(
            incidents=self.incidents,
            resolved=self.resolved,
            time_to_acknowledge=durations(self.tta),
            time_to_resolve=durations(self.ttr),
            escalations_manual=self.manual,
            escalations_timeout=self.timeout,
            hand_offs=self.hand_offs,
            acknowledge_sla_met=share(self.ack_met, len(self.tta)),
            resolve_sla_met=share(self.resolve_met, len(self.ttr)),
            reopen_rate=share(self.reopened, self.resolved),
        )


class PersonTally:
    def __init__(self) -> None:
        self.acknowledged = 0
        self.resolved = 0
        self.tta: list[float] = []
        self.given = 0
        self.received = 0
        self.escalated_away = 0

    def figures(self) -> ResponderFigures:
        return ResponderFigures(
            acknowledged=self.acknowledged,
            resolved=self.resolved,
            time_to_acknowledge=durations(self.tta),
            hand_offs_given=self.given,
            hand_offs_received=self.received,
            escalated_away=self.escalated_away,
        )


def metrics(
    histories: Iterable[tuple[Incident, Sequence[e.AnyEvent]]],
    book: SlaBook,
    since: datetime,
    until: datetime,
) -> Metrics:
    """The figures for every incident created in [since, until], from its events.

    Time to acknowledge runs from the trigger to the first acknowledgement; time to resolve
    from the trigger to the first resolution; SLA shares are of those that got there (see
    `sla.sla_record`, which every face uses to say whether a deadline was kept).
    """
    overall = Tally()
    services: dict[str, Tally] = {}
    people: dict[str, PersonTally] = {}

    def person(name: str) -> PersonTally:
        return people.setdefault(name, PersonTally())

    for incident, timeline in histories:
        if not since <= incident.created_at <= until:
            continue
        groups = (overall, services.setdefault(incident.service, Tally()))
        record = sla_record(incident, timeline, book.target(incident.service, incident.severity))
        first_acknowledgement = True
        reopened = False
        holder = incident.assignee
        for event in what_stands(timeline):
            match event:
                case e.Triggered():
                    holder = event.assignee
                case e.Acknowledged():
                    if event.by:
                        person(event.by).acknowledged += 1
                        if first_acknowledgement and record.acknowledge is not None:
                            person(event.by).tta.append(record.acknowledge.after.total_seconds())
                    first_acknowledgement = False
                    holder = event.by or holder
                case e.Resolved():
                    if event.by:
                        person(event.by).resolved += 1
                case e.Escalated():
                    for tally in groups:
                        if event.by is None:
                            tally.timeout += 1
                        else:
                            tally.manual += 1
                    if holder:
                        person(holder).escalated_away += 1
                    holder = event.assignee
                case e.HandedOff():
                    for tally in groups:
                        tally.hand_offs += 1
                    if event.from_responder:
                        person(event.from_responder).given += 1
                    person(event.to).received += 1
                    holder = event.to
                case e.Reopened():
                    reopened = True
                    holder = event.assignee
        for tally in groups:
            tally.incidents += 1
            tally.count(record)
            tally.reopened += reopened
    return Metrics(
        since=since,
        until=until,
        overall=overall.figures(),
        per_service={name: tally.figures() for name, tally in sorted(services.items())},
        per_responder={name: tally.figures() for name, tally in sorted(people.items())},
    )
