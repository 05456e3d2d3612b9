"""The learning loop's figures: over- and under-escalation, customer-update cadence,
satisfaction, the trend and the recurring sources, from known stories."""

from __future__ import annotations

from datetime import timedelta

from esctui.domain import commands as c
from esctui.domain.cadence import cadence_book
from esctui.domain.metrics import metrics
from esctui.domain.models import Channel, Direction
from esctui.domain.sla import sla_book

from .support import ID, T0, Story


def opened(severity: int = 2, customer: str = "", alert: str = "", at: float = 0) -> Story:
    story = Story(at=T0 + timedelta(hours=at))
    labels = {"alertname": alert} if alert else {}
    story.do(
        c.Trigger(title="x", service="web", severity=severity, customer=customer, labels=labels),
        None,
    )
    return story


def talk(story: Story, direction: Direction, csat: int | None = None) -> None:
    story.do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.EMAIL,
            direction=direction,
            counterpart="Acme",
            summary="news",
            csat=csat,
        ),
        story.state.assignee,
    )


def figures(*stories: Story, hours: float = 24):  # type: ignore[no-untyped-def]
    directory = stories[0].directory
    return metrics(
        ((s.state, s.events) for s in stories),
        sla_book(directory),
        since=T0,
        until=T0 + timedelta(hours=hours),
        cadence=cadence_book(directory),
    )


def test_over_and_under_escalation() -> None:
    # Escalated to carol, then resolved by alice without carol acting: over-escalated.
    over = opened(at=0)
    over.later(1).do(c.Acknowledge(incident=ID), "alice")
    over.do(c.Escalate(incident=ID), "alice")
    over.later(5).do(c.Resolve(incident=ID), "alice")
    # Escalated, and carol resolved it: the higher level acted.
    helped = opened(at=1)
    helped.later(1).do(c.Escalate(incident=ID), "alice")
    helped.later(5).do(c.Resolve(incident=ID), "carol")
    # Acknowledged an hour late (SEV2: 15 minutes) and never escalated: under-escalated.
    late = opened(at=2)
    late.later(60).do(c.Acknowledge(incident=ID), "bob")
    result = figures(over, helped, late).overall
    assert (result.over_escalated, result.over_escalation_rate) == (1, 0.5)
    assert (result.under_escalated, result.under_escalation_rate) == (1, round(1 / 3, 4))
    assert result.escalation_rate_manual == round(2 / 3, 4)


def test_update_cadence_kept_and_satisfaction() -> None:
    kept = opened(severity=1, customer="Acme")  # SEV1: an update every 30 minutes
    kept.later(1).do(c.Acknowledge(incident=ID), "alice")
    kept.later(20)
    talk(kept, Direction.OUTBOUND)  # in time
    kept.later(45)
    talk(kept, Direction.OUTBOUND)  # 15 minutes late
    kept.later(5)
    talk(kept, Direction.INBOUND, csat=2)
    kept.later(1).do(c.Resolve(incident=ID), "alice")
    happy = opened(severity=3, customer="Acme", at=3)
    happy.later(1).do(c.Acknowledge(incident=ID), "bob")
    talk(happy, Direction.INBOUND, csat=5)
    result = figures(kept, happy, hours=8)
    overall = result.overall
    # kept: 2 sent, 1 in time; happy: still open 5h later, its 4h update lapsed
    assert (overall.updates_owed, overall.updates_in_time) == (3, 1)
    assert overall.update_cadence_kept == round(1 / 3, 4)
    assert (overall.satisfaction.count, overall.satisfaction.mean) == (2, 3.5)
    assert result.per_responder["alice"].satisfaction.mean == 2
    assert result.per_responder["bob"].satisfaction.mean == 5
    assert result.per_service["web"].satisfaction.count == 2


def test_trend_per_hour_and_recurring_sources() -> None:
    stories = []
    for hour, alert in ((0, "DiskFull"), (0, "DiskFull"), (2, "DiskFull"), (3, "Latency")):
        story = opened(alert=alert, at=hour)
        story.later(10).do(c.Acknowledge(incident=ID), "alice")
        stories.append(story)
    result = figures(*stories)
    assert result.trend_every == "hour"
    trend = result.overall.trend
    assert len(trend) == 24 and trend[0].start == T0
    assert [p.incidents for p in trend[:4]] == [2, 0, 1, 1]
    assert trend[0].time_to_acknowledge_p50 == 600 and trend[1].time_to_acknowledge_p50 is None
    assert [(s.service, s.alertname, s.incidents) for s in result.recurring] == [
        ("web", "DiskFull", 3)
    ]
    assert result.pages_recorded == 0
    weekly = metrics([], sla_book(stories[0].directory), T0, T0 + timedelta(days=90))
    assert weekly.trend_every == "week" and len(weekly.overall.trend) == 13


def test_the_trend_starts_on_a_whole_hour_day_or_week() -> None:
    """Asked a few seconds apart, the figures are the same: the buckets do not move with the
    second they were asked at (the hour, midnight UTC, Monday)."""
    book = sla_book(opened().directory)
    asked = T0 + timedelta(minutes=17, seconds=5)
    for length, first in (
        (timedelta(hours=24), T0 - timedelta(days=1)),
        (timedelta(days=7), T0.replace(hour=0) - timedelta(days=7)),
        (timedelta(days=90), T0.replace(hour=0) - timedelta(weeks=13)),
    ):
        now = metrics([], book, asked - length, asked).overall.trend
        later = metrics([], book, asked - length + timedelta(seconds=3), asked).overall.trend
        assert now == later
        assert now[0].start == first
        assert now[-1].start <= asked < now[-1].start + (now[1].start - now[0].start)


def test_pages_are_counted_per_responder_once_each_and_at_night_in_their_zone() -> None:
    """T0 is 03:00 UTC: night for alice (UTC), 12:00 for bob (Tokyo). A page sent two ways
    counts once; one that failed and was not delivered counts not at all."""
    from zoneinfo import ZoneInfo

    from esctui.domain.incident_facts import responder_zones

    story = opened()
    for page, to, method, outcome in (
        ("p1", "alice", "email", "delivered"),
        ("p1", "alice", "sms", "delivered"),
        ("p2", "bob", "email", "delivered"),
        ("p3", "carol", "email", "gave-up"),
    ):
        story.do(c.RecordPage(incident=ID, page=page, to=to, method=method, outcome=outcome), None)
    directory = story.directory
    zones = {**responder_zones(directory), "bob": ZoneInfo("Asia/Tokyo")}
    result = metrics(
        [(story.state, story.events)],
        sla_book(directory),
        since=T0,
        until=T0 + timedelta(hours=24),
        zones=zones,
    )
    people = result.per_responder
    assert result.pages_recorded == 2
    assert (people["alice"].pages, people["alice"].pages_at_night) == (1, 1)
    assert (people["bob"].pages, people["bob"].pages_at_night) == (1, 0)
    assert "carol" not in people or people["carol"].pages == 0
