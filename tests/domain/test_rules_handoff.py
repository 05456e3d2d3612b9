from __future__ import annotations

from datetime import timedelta

import msgspec

from esctui.domain import commands as c
from esctui.domain.handoff import handoff_report
from esctui.domain.models import Channel, Direction
from esctui.domain.sla import sla_book

from .support import ID, T0, triggered


def test_the_report_lists_what_is_open_and_what_happened_in_the_shift() -> None:
    before = triggered(service="db", severity=3, at=T0 - timedelta(hours=20))
    before.later(5).do(c.Acknowledge(incident=ID), "carol")  # before the shift: not counted
    burning = triggered(service="db", severity=1, at=T0)
    burning.later(3).do(c.HandOff(incident=ID, to="dave"), "alice")
    burning.later(10).do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            counterpart="Acme",
            summary="on it",
        ),
        "dave",
    )
    done = triggered(service="web", severity=2, at=T0 + timedelta(hours=1))
    done.later(30).do(c.Resolve(incident=ID), "bob")
    stories = [before, burning, done]
    for n, story in enumerate(stories):  # the stories share an id; the report names by state
        story.incident = msgspec.structs.replace(story.state, id=f"INC-{n + 1}")
    now = T0 + timedelta(hours=4)
    report = handoff_report(
        ((s.state, s.events) for s in stories),
        sla_book(before.directory),
        since=T0 - timedelta(minutes=1),
        now=now,
    )
    assert [o.id for o in report.open] == ["INC-2", "INC-1"]  # SEV1 first
    assert report.open[0].assignee == "dave"
    assert report.open[0].last_customer_update == T0 + timedelta(minutes=13)
    happened = report.happened
    assert happened.triggered == ["INC-2", "INC-3"]
    assert happened.resolved == ["INC-3"]
    assert happened.handed_off == ["INC-2"]
    assert happened.customer_updates == 1
    assert happened.breached == ["INC-2"]  # SEV1 acknowledge target: 5 minutes
