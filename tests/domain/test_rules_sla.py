from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain.events import AnyEvent
from esctui.domain.lifecycle import replay
from esctui.domain.metrics import metrics
from esctui.domain.models import SlaTarget
from esctui.domain.sla import Clock, Reached, sla_book, sla_record

from .support import ID, T0, team, triggered


@pytest.mark.parametrize(
    ("severity", "acknowledge", "resolve"),
    [(1, 5, 4 * 60), (2, 15, 8 * 60), (3, 60, 3 * 24 * 60), (4, 4 * 60, 7 * 24 * 60)],
)
def test_default_targets(severity: int, acknowledge: int, resolve: int) -> None:
    assert sla_book(team()).target("db", severity) == SlaTarget(
        acknowledge_minutes=acknowledge, resolve_minutes=resolve
    )


def test_the_more_specific_source_wins() -> None:
    directory = msgspec.structs.replace(
        team(), sla={2: SlaTarget(acknowledge_minutes=20, resolve_minutes=600)}
    )
    config = {
        2: SlaTarget(acknowledge_minutes=10, resolve_minutes=300),
        1: SlaTarget(acknowledge_minutes=7, resolve_minutes=100),
    }
    assert sla_book(directory).target("db", 2).acknowledge_minutes == 20
    assert sla_book(directory, config).target("db", 2).acknowledge_minutes == 10
    assert sla_book(directory, config).target("web", 1).acknowledge_minutes == 2  # service's own
    assert sla_book(directory, config).target("db", 1).acknowledge_minutes == 7


def test_the_next_clock_and_its_breach() -> None:
    story = triggered(service="db", severity=2)
    book = sla_book(story.directory)
    deadline = book.deadline(story.state)
    assert deadline is not None
    assert deadline.clock is Clock.ACKNOWLEDGE
    assert deadline.breach_at == story.at + timedelta(minutes=15)
    # at risk in the last quarter, breached at the deadline itself
    assert not deadline.at_risk(story.at + timedelta(minutes=11, seconds=14))
    assert deadline.at_risk(story.at + timedelta(minutes=11, seconds=15))
    assert not deadline.breached(story.at + timedelta(minutes=14, seconds=59))
    assert deadline.breached(story.at + timedelta(minutes=15))
    assert deadline.time_left(story.at + timedelta(minutes=20)) == timedelta(minutes=-5)
    story.later(3).do(c.Acknowledge(incident=ID))
    resolve = book.deadline(story.state)
    assert resolve is not None
    assert resolve.clock is Clock.RESOLVE
    assert resolve.breach_at == story.state.opened_at + timedelta(hours=8)
    story.do(c.Resolve(incident=ID))
    assert book.deadline(story.state) is None


def test_a_resolved_incident_says_what_became_of_each_deadline() -> None:
    story = triggered(service="db", severity=2)  # 15m to acknowledge, 8h to resolve
    story.later(20).do(c.Acknowledge(incident=ID))
    story.later(40).do(c.Resolve(incident=ID))
    record = sla_record(story.state, story.events, sla_book(story.directory).target("db", 2))
    assert record.acknowledge == Reached(after=timedelta(minutes=20), met=False)
    assert record.resolve == Reached(after=timedelta(hours=1), met=True)
    assert record.missed() == [Clock.ACKNOWLEDGE]
    assert record.verdict({Clock.ACKNOWLEDGE: "ack", Clock.RESOLVE: "res"}) == "ack missed"


def test_the_first_acknowledgement_counts_as_metrics_count_it() -> None:
    story = triggered(service="db", severity=2)
    story.later(4).do(c.Acknowledge(incident=ID))
    story.later(1).do(c.Unacknowledge(incident=ID))
    story.later(60).do(c.Acknowledge(incident=ID))
    story.later(30).do(c.Resolve(incident=ID))
    target = sla_book(story.directory).target("db", 2)
    record = sla_record(story.state, story.events, target)
    # The state keeps only the last acknowledgement (65m, late); the first was in time.
    assert story.state.acknowledged_at == T0 + timedelta(minutes=65)
    assert record.acknowledge == Reached(after=timedelta(minutes=4), met=True)
    assert record.missed() == []
    assert record.verdict({Clock.ACKNOWLEDGE: "a", Clock.RESOLVE: "r"}) == "met"


def test_never_acknowledged_and_both_missed() -> None:
    never = triggered(service="db", severity=2)
    never.later(9 * 60).do(c.Resolve(incident=ID))
    target = sla_book(never.directory).target("db", 2)
    record = sla_record(never.state, never.events, target)
    assert record.acknowledge is None
    assert record.resolve == Reached(after=timedelta(hours=9), met=False)
    assert record.verdict({Clock.ACKNOWLEDGE: "a", Clock.RESOLVE: "r"}) == "r missed"
    late = triggered(service="db", severity=2)
    late.later(16).do(c.Acknowledge(incident=ID))
    late.later(8 * 60).do(c.Resolve(incident=ID))
    both = sla_record(late.state, late.events, target)
    assert both.missed() == [Clock.ACKNOWLEDGE, Clock.RESOLVE]
    assert both.verdict({Clock.ACKNOWLEDGE: "a", Clock.RESOLVE: "r"}) == "missed"


def test_metrics_and_the_record_agree_on_every_demo_incident() -> None:
    directory, events = build_demo(60, seed=5, now=T0)
    timelines: dict[str, list[AnyEvent]] = {}
    for event in events:
        timelines.setdefault(event.incident, []).append(event)
    book = sla_book(directory)
    histories = [(replay(timeline), timeline) for timeline in timelines.values()]
    figures = metrics(
        ((i, t) for i, t in histories if i is not None), book, T0 - timedelta(days=365), T0
    ).overall
    records = [
        sla_record(i, t, book.target(i.service, i.severity)) for i, t in histories if i is not None
    ]
    acknowledged = [r.acknowledge for r in records if r.acknowledge is not None]
    resolved = [r.resolve for r in records if r.resolve is not None]
    assert any(not r.met for r in acknowledged) and any(r.met for r in acknowledged)
    assert figures.acknowledge_sla_met == round(
        sum(r.met for r in acknowledged) / len(acknowledged), 4
    )
    assert figures.resolve_sla_met == round(sum(r.met for r in resolved) / len(resolved), 4)
