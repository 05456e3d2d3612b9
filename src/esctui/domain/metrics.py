"""After the shift: how fast incidents were acknowledged and resolved (and the trend, per hour,
day or week), how often they escalated (too often, too late), changed hands or came back, how
many met their SLA, whether customers heard from us as often as promised and how satisfied they
were, who was paged how often (at night too), and which sources keep coming back. Overall, per
service, per responder: `esctui metrics` and the console's KPI screen both read `metrics`.

All figures come from the events; only incidents created at or after `since` count.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

import msgspec

from esctui.domain import events as e
from esctui.domain.cadence import CadenceBook
from esctui.domain.models import Direction, Incident, Status
from esctui.domain.sla import SlaBook, SlaRecord, sla_record
from esctui.domain.undo import what_stands

RECURRING = 10  # the most frequent sources listed


class Durations(msgspec.Struct, frozen=True):
    """Seconds: how many, mean, median and 90th percentile (None when there are none)."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None


class Satisfaction(msgspec.Struct, frozen=True):
    """Scores customers gave (1-5): how many, and their mean (None when there are none)."""

    count: int
    mean: float | None


class TrendPoint(msgspec.Struct, frozen=True):
    """The incidents created in one hour, day or week from `start`, and how fast they were
    acknowledged and resolved (seconds; None where none got there)."""

    start: datetime
    incidents: int
    time_to_acknowledge_p50: float | None
    time_to_acknowledge_p90: float | None
    time_to_resolve_p50: float | None
    time_to_resolve_p90: float | None


class Figures(msgspec.Struct, frozen=True):
    """A group's figures. Rates are shares (0.25 is 25%); escalation rates are escalations
    per incident. Over-escalated: escalated up, then resolved without anyone paged at the
    higher level acting on it. Under-escalated: an SLA deadline missed (or breached while
    still open) with no escalation at all. Update cadence kept: the share of customer updates
    owed that went out in time."""

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
    escalation_rate_manual: float | None = None
    escalation_rate_timeout: float | None = None
    over_escalated: int = 0
    over_escalation_rate: float | None = None
    under_escalated: int = 0
    under_escalation_rate: float | None = None
    updates_owed: int = 0
    updates_in_time: int = 0
    update_cadence_kept: float | None = None
    satisfaction: Satisfaction = Satisfaction(0, None)
    trend: list[TrendPoint] = []


class ResponderFigures(msgspec.Struct, frozen=True):
    """What one responder did, and (`held`) the figures of the incidents they held last: the
    one who resolved it, or holds it now. Pages: once esctui sends pages and records them."""

    acknowledged: int
    resolved: int
    time_to_acknowledge: Durations
    hand_offs_given: int
    hand_offs_received: int
    escalated_away: int
    pages: int = 0
    pages_at_night: int = 0
    satisfaction: Satisfaction = Satisfaction(0, None)
    held: Figures | None = None


class Source(msgspec.Struct, frozen=True):
    """Where incidents keep coming from: a service and the alert's name (its `alertname`
    label; empty for incidents opened by hand)."""

    service: str
    alertname: str
    incidents: int


class Metrics(msgspec.Struct, frozen=True):
    since: datetime
    until: datetime
    overall: Figures
    per_service: dict[str, Figures]
    per_responder: dict[str, ResponderFigures]
    trend_every: str = "day"
    recurring: list[Source] = []
    pages_recorded: int = 0


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


def satisfaction(scores: Sequence[int]) -> Satisfaction:
    return Satisfaction(
        count=len(scores), mean=round(statistics.fmean(scores), 2) if scores else None
    )


def bucket_size(since: datetime, until: datetime) -> tuple[str, timedelta]:
    """The trend's step: per hour over two days at most, per day over two months, else per
    week."""
    span = until - since
    if span <= timedelta(days=2):
        return "hour", timedelta(hours=1)
    if span <= timedelta(days=62):
        return "day", timedelta(days=1)
    return "week", timedelta(weeks=1)


def bucket_start(since: datetime, step: timedelta) -> datetime:
    """Where the bucket holding `since` starts: on the hour, at midnight, or on the Monday
    (in `since`'s zone, UTC in practice), so that figures asked a second apart agree."""
    start = since.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        start = start.replace(hour=0)
    if step >= timedelta(weeks=1):
        start -= timedelta(days=start.weekday())
    return start


class Facts(msgspec.Struct):
    """What one incident's timeline says, worked out once for every group it counts in."""

    record: SlaRecord
    manual: int = 0
    timeout: int = 0
    hand_offs: int = 0
    reopened: bool = False
    over_escalated: bool = False
    escalated_up: bool = False
    under_escalated: bool = False
    updates_owed: int = 0
    updates_in_time: int = 0
    scores: list[tuple[int, str | None]] = []


class Tally:
    """Running counts for one group of incidents."""

    def __init__(self, buckets: int) -> None:
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
        self.escalated_up = 0
        self.over = 0
        self.under = 0
        self.updates_owed = 0
        self.updates_in_time = 0
        self.scores: list[int] = []
        self.buckets = buckets
        self.trend: dict[int, tuple[list[float], list[float], list[int]]] = {}

    def count(self, facts: Facts, bucket: int) -> None:
        """One incident: its first acknowledgement and resolution, and whether they were in
        time; its escalations, hand-offs, reopening; the updates its customer was owed."""
        record = facts.record
        self.incidents += 1
        tta, ttr, seen = self.trend.setdefault(bucket, ([], [], [0]))
        seen[0] += 1
        if record.acknowledge is not None:
            after = record.acknowledge.after.total_seconds()
            self.tta.append(after)
            tta.append(after)
            self.ack_met += record.acknowledge.met
        if record.resolve is not None:
            after = record.resolve.after.total_seconds()
            self.ttr.append(after)
            ttr.append(after)
            self.resolve_met += record.resolve.met
            self.resolved += 1
        self.manual += facts.manual
        self.timeout += facts.timeout
        self.hand_offs += facts.hand_offs
        self.reopened += facts.reopened
        self.escalated_up += facts.escalated_up and record.resolve is not None
        self.over += facts.over_escalated
        self.under += facts.under_escalated
        self.updates_owed += facts.updates_owed
        self.updates_in_time += facts.updates_in_time
        self.scores += [score for score, _ in facts.scores]

    def figures(self, since: datetime, step: timedelta) -> Figures:
        trend = []
        for index in range(self.buckets):
            tta, ttr, seen = self.trend.get(index, ([], [], [0]))
            ack, res = durations(tta), durations(ttr)
            trend.append(
                TrendPoint(
                    start=since + step * index,
                    incidents=seen[0],
                    time_to_acknowledge_p50=ack.p50,
                    time_to_acknowledge_p90=ack.p90,
                    time_to_resolve_p50=res.p50,
                    time_to_resolve_p90=res.p90,
                )
            )
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
            escalation_rate_manual=share(self.manual, self.incidents),
            escalation_rate_timeout=share(self.timeout, self.incidents),
            over_escalated=self.over,
            over_escalation_rate=share(self.over, self.escalated_up),
            under_escalated=self.under,
            under_escalation_rate=share(self.under, self.incidents),
            updates_owed=self.updates_owed,
            updates_in_time=self.updates_in_time,
            update_cadence_kept=share(self.updates_in_time, self.updates_owed),
            satisfaction=satisfaction(self.scores),
            trend=trend,
        )


class PersonTally:
    def __init__(self, buckets: int) -> None:
        self.acknowledged = 0
        self.resolved = 0
        self.tta: list[float] = []
        self.given = 0
        self.received = 0
        self.escalated_away = 0
        self.scores: list[int] = []
        self.held = Tally(buckets)

    def figures(self, since: datetime, step: timedelta) -> ResponderFigures:
        return ResponderFigures(
            acknowledged=self.acknowledged,
            resolved=self.resolved,
            time_to_acknowledge=durations(self.tta),
            hand_offs_given=self.given,
            hand_offs_received=self.received,
            escalated_away=self.escalated_away,
            satisfaction=satisfaction(self.scores),
            held=self.held.figures(since, step) if self.held.incidents else None,
        )


def customer_updates(
    incident: Incident, events: list[e.AnyEvent], cadence: CadenceBook, until: datetime
) -> tuple[int, int]:
    """(owed, sent in time): every update the customer was owed while the incident was open,
    and how many went out before they were due (a lapse counts once, until the next one)."""
    interval = cadence.interval(incident.service, incident.severity)
    if not incident.customer or interval is None:
        return 0, 0
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
    if due is not None and until > due:
        owed += 1
    return owed, in_time


def metrics(
    histories: Iterable[tuple[Incident, Sequence[e.AnyEvent]]],
    book: SlaBook,
    since: datetime,
    until: datetime,
    cadence: CadenceBook | None = None,
) -> Metrics:
    """The figures for every incident created in [since, until], from its events.

    Time to acknowledge runs from the trigger to the first acknowledgement; time to resolve
    from the trigger to the first resolution; SLA shares are of those that got there (see
    `sla.sla_record`, which every face uses to say whether a deadline was kept). Customer
    updates count where `cadence` says they are owed.
    """
    every, step = bucket_size(since, until)
    first = bucket_start(since, step)
    buckets = max(1, -(-(until - first) // step))
    overall = Tally(buckets)
    services: dict[str, Tally] = {}
    people: dict[str, PersonTally] = {}
    sources: Counter[tuple[str, str]] = Counter()

    def person(name: str) -> PersonTally:
        found = people.get(name)
        if found is None:
            found = people[name] = PersonTally(buckets)
        return found

    for incident, timeline in histories:
        if not since <= incident.created_at <= until:
            continue
        service = services.get(incident.service)
        if service is None:
            service = services[incident.service] = Tally(buckets)
        events = what_stands(timeline)
        facts = incident_facts(incident, events, book, until, cadence, person)
        bucket = min(buckets - 1, int((incident.created_at - first) / step))
        overall.count(facts, bucket)
        service.count(facts, bucket)
        holder = incident.resolved_by if incident.status is Status.RESOLVED else incident.assignee
        if holder:
            person(holder).held.count(facts, bucket)
        for score, name in facts.scores:
            if name:
                person(name).scores.append(score)
        sources[(incident.service, incident.labels.get("alertname", ""))] += 1
    recurring = [
        Source(service=service, alertname=alert, incidents=count)
        for (service, alert), count in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))
        if count > 1
    ][:RECURRING]
    return Metrics(
        since=since,
        until=until,
        overall=overall.figures(first, step),
        per_service={name: t.figures(first, step) for name, t in sorted(services.items())},
        per_responder={name: t.figures(first, step) for name, t in sorted(people.items())},
        trend_every=every,
        recurring=recurring,
    )


def incident_facts(
    incident: Incident,
    events: list[e.AnyEvent],
    book: SlaBook,
    until: datetime,
    cadence: CadenceBook | None,
    person: Callable[[str], PersonTally],
) -> Facts:
    """What `incident`'s timeline (what stands of it) says; each responder's own part is
    counted on them (`person`) on the way."""
    record = sla_record(incident, events, book.target(incident.service, incident.severity))
    facts = Facts(record=record)
    first_acknowledgement = True
    holder = incident.assignee
    paged_up: dict[str, bool] = {}  # paged by an escalation up: whether they acted since
    for event in events:
        if event.by in paged_up:
            paged_up[event.by] = True
        match event:
            case e.Triggered():
                holder = event.assignee
            case e.Acknowledged():
                if event.by:
                    them = person(event.by)
                    them.acknowledged += 1
                    if first_acknowledgement and record.acknowledge is not None:
                        them.tta.append(record.acknowledge.after.total_seconds())
                first_acknowledgement = False
                holder = event.by or holder
            case e.Resolved():
                if event.by:
                    person(event.by).resolved += 1
            case e.Escalated():
                if event.by is None:
                    facts.timeout += 1
                else:
                    facts.manual += 1
                if holder:
                    person(holder).escalated_away += 1
                holder = event.assignee
                if event.to_level > event.from_level and event.assignee:
                    paged_up.setdefault(event.assignee, False)
            case e.HandedOff():
                facts.hand_offs += 1
                if event.from_responder:
                    person(event.from_responder).given += 1
                person(event.to).received += 1
                holder = event.to
            case e.Reopened() | e.Rerouted():
                facts.reopened = facts.reopened or isinstance(event, e.Reopened)
                holder = event.assignee
            case e.CommunicationLogged() if event.csat is not None:
                facts.scores.append((event.csat, holder or event.by))
    escalated = facts.manual + facts.timeout > 0
    facts.escalated_up = bool(paged_up)
    facts.over_escalated = (
        record.resolve is not None and bool(paged_up) and not any(paged_up.values())
    )
    deadline = book.deadline(incident)
    breached_open = deadline is not None and deadline.breached(until)
    facts.under_escalated = not escalated and (bool(record.missed()) or breached_open)
    if cadence is not None:
        facts.updates_owed, facts.updates_in_time = customer_updates(
            incident, events, cadence, until
        )
    return facts
