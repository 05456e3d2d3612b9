"""After the shift: how fast incidents were acknowledged and resolved (and the trend, per hour,
day or week), how often they escalated (too often, too late), changed hands or came back, how
many met their SLA, whether customers heard from us as often as promised and how satisfied they
were, who was paged how often (at night too), and which sources keep coming back. Overall, per
service, per responder: `esctui metrics` and the console's KPI screen both read `metrics`.

All figures come from the events; only incidents created at or after `since` count. Each
incident's part is worked out once (`incident_facts.py`) and added up here (`summarize`), so
facts kept from an earlier look are counted the same as fresh ones.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo

import msgspec

from esctui.domain import events as e
from esctui.domain.cadence import CadenceBook
from esctui.domain.incident_facts import Credit, Facts, incident_facts
from esctui.domain.models import Incident
from esctui.domain.sla import SlaBook

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

    def count(self, f: Facts, bucket: int, under: bool, owed: int, in_time: int) -> None:
        """One incident: its first acknowledgement and resolution, and whether they were in
        time; its escalations, hand-offs, reopening; the updates its customer was owed (and
        whether it was under-escalated, as of the period's end)."""
        self.incidents += 1
        trend = self.trend.get(bucket)
        if trend is None:
            trend = self.trend[bucket] = ([], [], [0])
        trend[2][0] += 1
        if f.tta is not None:
            self.tta.append(f.tta)
            trend[0].append(f.tta)
            self.ack_met += f.tta_met
        if f.ttr is not None:
            self.ttr.append(f.ttr)
            trend[1].append(f.ttr)
            self.resolve_met += f.ttr_met
            self.resolved += 1
            self.escalated_up += f.escalated_up
        self.manual += f.manual
        self.timeout += f.timeout
        self.hand_offs += f.hand_offs
        self.reopened += f.reopened
        self.over += f.over_escalated
        self.under += under
        self.updates_owed += owed
        self.updates_in_time += in_time
        if f.scores:
            self.scores += [score for score, _ in f.scores]

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
        self.pages = 0
        self.pages_at_night = 0
        self.scores: list[int] = []
        self.held = Tally(buckets)

    def credit(self, credit: Credit, value: float) -> None:
        match credit:
            case Credit.ACKNOWLEDGED:
                self.acknowledged += 1
            case Credit.FIRST_ACKNOWLEDGED:
                self.tta.append(value)
            case Credit.RESOLVED:
                self.resolved += 1
            case Credit.ESCALATED_AWAY:
                self.escalated_away += 1
            case Credit.GAVE:
                self.given += 1
            case Credit.RECEIVED:
                self.received += 1
            case Credit.PAGED:
                self.pages += 1
            case Credit.PAGED_AT_NIGHT:
                self.pages_at_night += 1

    def figures(self, since: datetime, step: timedelta) -> ResponderFigures:
        return ResponderFigures(
            acknowledged=self.acknowledged,
            resolved=self.resolved,
            time_to_acknowledge=durations(self.tta),
            hand_offs_given=self.given,
            hand_offs_received=self.received,
            escalated_away=self.escalated_away,
            pages=self.pages,
            pages_at_night=self.pages_at_night,
            satisfaction=satisfaction(self.scores),
            held=self.held.figures(since, step) if self.held.incidents else None,
        )


def metrics(
    histories: Iterable[tuple[Incident, Sequence[e.AnyEvent]]],
    book: SlaBook,
    since: datetime,
    until: datetime,
    cadence: CadenceBook | None = None,
    zones: Mapping[str, tzinfo] | None = None,
) -> Metrics:
    """The figures for every incident created in [since, until], from its events.

    Time to acknowledge runs from the trigger to the first acknowledgement; time to resolve
    from the trigger to the first resolution; SLA shares are of those that got there (see
    `sla.sla_record`, which every face uses to say whether a deadline was kept). Customer
    updates count where `cadence` says they are owed; pages at night in each responder's
    time zone (`zones`; UTC where it names none).
    """
    facts = (
        incident_facts(incident, timeline, book, cadence, zones)
        for incident, timeline in histories
        if since <= incident.created_at <= until
    )
    return summarize(facts, since, until)


def summarize(facts: Iterable[Facts], since: datetime, until: datetime) -> Metrics:
    """The figures of the incidents whose `facts` were created in [since, until]."""
    every, step = bucket_size(since, until)
    first = bucket_start(since, step)
    buckets = max(1, -(-(until - first) // step))
    overall = Tally(buckets)
    services: dict[str, Tally] = {}
    people: dict[str, PersonTally] = {}
    sources: Counter[tuple[str, str]] = Counter()
    pages = 0

    def person(name: str) -> PersonTally:
        found = people.get(name)
        if found is None:
            found = people[name] = PersonTally(buckets)
        return found

    for f in facts:
        if not since <= f.created_at <= until:
            continue
        service = services.get(f.service)
        if service is None:
            service = services[f.service] = Tally(buckets)
        bucket = min(buckets - 1, int((f.created_at - first) / step))
        under = f.under_escalated(until)
        owed, in_time = f.updates(until)
        overall.count(f, bucket, under, owed, in_time)
        service.count(f, bucket, under, owed, in_time)
        if f.holder:
            person(f.holder).held.count(f, bucket, under, owed, in_time)
        for score, name in f.scores:
            if name:
                person(name).scores.append(score)
        for name, credit, value in f.credits:
            person(name).credit(credit, value)
        sources[(f.service, f.alertname)] += 1
        pages += f.pages
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
        pages_recorded=pages,
    )
