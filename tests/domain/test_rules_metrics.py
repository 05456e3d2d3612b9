from __future__ import annotations

from datetime import timedelta

import msgspec

from esctui.domain import commands as c
from esctui.domain.escalation import due
from esctui.domain.metrics import metrics
from esctui.domain.sla import sla_book

from .support import ID, T0, Story, triggered


def acked_after(
    minutes: float,
    by: str,
    resolve_after: float | None = None,
    service: str = "db",
    at_hours: float = 0,
) -> Story:
    story = triggered(service=service, severity=2, at=T0 + timedelta(hours=at_hours))
    story.later(minutes).do(c.Acknowledge(incident=ID), by)
    if resolve_after is not None:
        story.later(resolve_after - minutes).do(c.Resolve(incident=ID), by)
    return story


def test_figures_from_known_stories() -> None:
    a = acked_after(4, "carol", resolve_after=60)  # both within SEV2's 15m / 8h
    b = acked_after(20, "dave", resolve_after=600, at_hours=1)  # both breached
    c_ = acked_after(10, "carol", service="web", at_hours=2)  # still open
    c_.later(5).do(c.HandOff(incident=ID, to="bob"), "carol")
    c_.later(1).do(c.Escalate(incident=ID, reason="help"), "bob")
    d = triggered(service="web", at=T0 + timedelta(hours=3))
    for command in due([d.state], d.directory, d.at + timedelta(minutes=10)):
        d.at += timedelta(minutes=10)
        d.do(command, None)
    d.later(1).do(c.Resolve(incident=ID), "carol")
    d.later(30).do(c.Reopen(incident=ID), "carol")
    old = acked_after(1, "alice", resolve_after=2, at_hours=-48)
    stories = [a, b, c_, d, old]
    result = metrics(
        ((s.state, s.events) for s in stories),
        sla_book(a.directory),
        since=T0 - timedelta(hours=1),
        until=T0 + timedelta(days=1),
    )
    overall = result.overall
    assert overall.incidents == 4  # the one from two days ago is before `since`
    assert overall.resolved == 3
    assert overall.time_to_acknowledge.count == 3
    assert overall.time_to_acknowledge.mean == (4 + 20 + 10) * 60 / 3
    assert overall.time_to_acknowledge.p50 == 10 * 60
    assert overall.time_to_resolve.count == 3
    assert overall.time_to_resolve.p50 == 60 * 60
    assert overall.acknowledge_sla_met == round(2 / 3, 4)
    assert overall.resolve_sla_met == round(2 / 3, 4)
    assert (overall.escalations_manual, overall.escalations_timeout) == (1, 1)
    assert overall.hand_offs == 1
    assert overall.reopen_rate == round(1 / 3, 4)
    assert set(result.per_service) == {"db", "web"}
    assert result.per_service["db"].incidents == 2
    carol = result.per_responder["carol"]
    assert (carol.acknowledged, carol.resolved, carol.hand_offs_given) == (2, 2, 1)
    assert result.per_responder["bob"].hand_offs_received == 1
    # bob: the escalation he asked for, and the timeout while he was paged for the fourth
    assert result.per_responder["bob"].escalated_away == 2
    decoded = msgspec.json.decode(msgspec.json.encode(result))
    assert decoded["overall"]["incidents"] == 4


def test_no_incidents_gives_empty_figures() -> None:
    result = metrics([], sla_book(Story().directory), since=T0, until=T0)
    assert result.overall.incidents == 0
    assert result.overall.time_to_acknowledge.mean is None
    assert result.overall.reopen_rate is None
