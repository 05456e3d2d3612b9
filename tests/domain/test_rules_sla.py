from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from esctui.domain import commands as c
from esctui.domain.models import SlaTarget
from esctui.domain.sla import Clock, sla_book

from .support import ID, team, triggered


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
