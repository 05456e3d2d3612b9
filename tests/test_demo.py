from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from esctui.demo import build_demo, demo_identity
from esctui.domain.events import AnyEvent, CommunicationLogged, Escalated, Reopened
from esctui.domain.lifecycle import replay
from esctui.domain.models import Incident, Status
from esctui.domain.oncall import directory_problems
from esctui.domain.sla import sla_book

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def states(events: list[AnyEvent]) -> tuple[dict[str, Incident], dict[str, list[AnyEvent]]]:
    timelines: dict[str, list[AnyEvent]] = defaultdict(list)
    for event in events:
        timelines[event.incident].append(event)
    result = {}
    for incident_id, timeline in timelines.items():
        assert [e.version for e in timeline] == list(range(1, len(timeline) + 1))
        state = replay(timeline)
        assert state is not None
        result[incident_id] = state
    return result, timelines


def test_the_demo_is_legal_and_covers_every_state() -> None:
    directory, events = build_demo(200, seed=7, now=NOW)
    assert directory_problems(directory) == []
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert all(e.at <= NOW for e in events)
    incidents, _ = states(events)
    assert sorted(incidents) == [f"INC-{n}" for n in range(1001, 1201)]
    statuses = {i.status for i in incidents.values()}
    assert statuses == set(Status)
    assert any(i.snoozed(NOW) for i in incidents.values())
    assert any(i.exhausted for i in incidents.values())
    assert any(isinstance(e, Reopened) for e in events)
    assert any(isinstance(e, Escalated) and e.by is None for e in events)
    assert any(isinstance(e, Escalated) and e.by is not None for e in events)
    assert any(isinstance(e, CommunicationLogged) and e.direction == "out" for e in events)
    assert any("\x1b" in i.title and "[bold" in i.title for i in incidents.values())
    assert any(i.assignee == demo_identity() and i.is_open for i in incidents.values())
    book = sla_book(directory)
    deadlines = [d for i in incidents.values() if (d := book.deadline(i))]
    assert any(d.breached(NOW) for d in deadlines)
    assert any(d.at_risk(NOW) and not d.breached(NOW) for d in deadlines) or len(deadlines) < 5
    assert any(not d.at_risk(NOW) for d in deadlines)


def test_the_same_seed_gives_the_same_store() -> None:
    assert build_demo(50, seed=4, now=NOW) == build_demo(50, seed=4, now=NOW)
    assert build_demo(50, seed=4, now=NOW) != build_demo(50, seed=5, now=NOW)


def test_a_large_demo_is_mostly_resolved() -> None:
    _, events = build_demo(3000, seed=1, now=NOW)
    incidents, _ = states(events)
    resolved = sum(i.status is Status.RESOLVED for i in incidents.values())
    assert 0.6 <= resolved / len(incidents) <= 0.8
