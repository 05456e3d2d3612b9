from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from esctui.demo import build_demo, demo_identity
from esctui.domain.events import (
    AnyEvent,
    CommunicationLogged,
    Escalated,
    HandedOff,
    NoteAdded,
    Reopened,
    Triggered,
)
from esctui.domain.lifecycle import replay
from esctui.domain.models import Direction, Directory, Incident, Status
from esctui.domain.oncall import directory_problems
from esctui.domain.sla import sla_book

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def replayed(events: list[AnyEvent]) -> dict[str, Incident]:
    """Every incident's state, after checking its timeline is whole and in time order."""
    timelines: dict[str, list[AnyEvent]] = defaultdict(list)
    for event in events:
        timelines[event.incident].append(event)
    states = {}
    for incident_id, timeline in timelines.items():
        assert [e.version for e in timeline] == list(range(1, len(timeline) + 1)), incident_id
        assert isinstance(timeline[0], Triggered)
        state = replay(timeline)
        assert state is not None
        states[incident_id] = state
    return states


@dataclass
class Demo:
    directory: Directory
    events: list[AnyEvent]
    incidents: dict[str, Incident]


@pytest.fixture(scope="module")
def demo() -> Demo:
    directory, events = build_demo(200, seed=7, now=NOW)
    return Demo(directory, events, replayed(events))


def test_the_directory_has_no_dangling_references(demo: Demo) -> None:
    assert directory_problems(demo.directory) == []
    assert 12 <= len(demo.directory.responders) <= 16
    assert any(r.overrides for r in demo.directory.rotations)
    assert any(s.sla for s in demo.directory.services)


def test_events_are_in_time_order_and_none_is_in_the_future(demo: Demo) -> None:
    events = demo.events
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[-1].at <= NOW


def test_ids_follow_the_order_incidents_were_opened_in(demo: Demo) -> None:
    events, incidents = demo.events, demo.incidents
    opened = [e.incident for e in events if isinstance(e, Triggered)]
    assert opened == [f"INC-{n}" for n in range(1001, 1201)]
    assert sorted(incidents) == opened


def test_every_state_is_there(demo: Demo) -> None:
    events, incidents = demo.events, demo.incidents
    open_ = [i for i in incidents.values() if i.is_open]
    assert {i.status for i in incidents.values()} == set(Status)
    assert any(i.snoozed(NOW) and i.status is Status.TRIGGERED for i in open_)
    assert any(i.snoozed(NOW) and i.status is Status.ACKNOWLEDGED for i in open_)
    assert any(i.exhausted for i in open_)
    assert any(isinstance(e, Reopened) for e in events)
    assert any(isinstance(e, HandedOff) for e in events)
    assert any(isinstance(e, NoteAdded) for e in events)
    assert any(isinstance(e, Escalated) and e.by is None for e in events)
    assert any(isinstance(e, Escalated) and e.by is not None for e in events)


def test_customers_hear_from_us_and_we_from_them(demo: Demo) -> None:
    events, incidents = demo.events, demo.incidents
    talks = [e for e in events if isinstance(e, CommunicationLogged)]
    assert {t.direction for t in talks} == set(Direction)
    assert len({t.channel for t in talks}) >= 4
    assert all(t.counterpart == incidents[t.incident].customer for t in talks)


def test_the_queue_has_breaches_and_near_misses(demo: Demo) -> None:
    incidents = demo.incidents
    book = sla_book(demo.directory)
    deadlines = [d for i in incidents.values() if (d := book.deadline(i))]
    assert any(d.breached(NOW) for d in deadlines)
    assert any(d.at_risk(NOW) and not d.breached(NOW) for d in deadlines)
    assert any(not d.at_risk(NOW) for d in deadlines)


def test_the_demo_identity_holds_open_incidents(demo: Demo) -> None:
    incidents = demo.incidents
    mine = [i for i in incidents.values() if i.is_open and i.assignee == demo_identity()]
    assert {i.status for i in mine} == {Status.TRIGGERED, Status.ACKNOWLEDGED}


def test_a_title_with_markup_and_escapes_is_kept_as_it_was_typed(demo: Demo) -> None:
    incidents = demo.incidents
    assert any("\x1b[31m" in i.title and "[bold red]" in i.title for i in incidents.values())


def test_severities_lean_to_the_minor_ones() -> None:
    _, events = build_demo(2000, seed=2, now=NOW)
    severities = [e.severity for e in events if isinstance(e, Triggered)]
    assert severities.count(3) + severities.count(4) > 0.6 * len(severities)
    assert 0 < severities.count(1) < 0.1 * len(severities)


def test_the_same_seed_gives_the_same_store() -> None:
    assert build_demo(50, seed=4, now=NOW) == build_demo(50, seed=4, now=NOW)
    assert build_demo(50, seed=4, now=NOW) != build_demo(50, seed=5, now=NOW)


def test_rotations_are_staffed_whenever_the_demo_is_built() -> None:
    """The rotations start relative to `now`, so a demo built on any date pages someone."""
    for now in (datetime(2024, 2, 29, 23, 30, tzinfo=UTC), NOW + timedelta(days=800)):
        _, events = build_demo(40, seed=1, now=now)
        triggers = [e for e in events if isinstance(e, Triggered)]
        assert all(t.assignee for t in triggers)
        assert all(e.at <= now for e in events)


@pytest.mark.parametrize("size", [0, 1, 5])
def test_small_demos_are_whole(size: int) -> None:
    _, events = build_demo(size, now=NOW)
    assert len(replayed(events)) == size


def test_a_large_demo_is_legal_and_mostly_resolved() -> None:
    _, events = build_demo(10_000, seed=1, now=NOW)
    incidents = replayed(events)
    assert len(incidents) == 10_000
    assert [e.at for e in events] == sorted(e.at for e in events)
    resolved = sum(i.status is Status.RESOLVED for i in incidents.values())
    assert 0.6 <= resolved / len(incidents) <= 0.8
