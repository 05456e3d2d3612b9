"""A snooze is capped by the directory's `max_snooze_hours` (a week unless it says), for every
face alike: the rule is the domain's, not a check one face makes."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from esctui.domain import commands as c
from esctui.domain.errors import DomainError

from .support import ID, Story, team


def test_a_snooze_may_last_a_week() -> None:
    story = Story()
    story.do(c.Trigger(title="Checkout is down", service="web", severity=2), None)
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(hours=168)))
    assert story.state.snoozed_until == story.at + timedelta(hours=168)


def test_a_longer_snooze_is_refused_with_the_cap_and_the_end_it_asked_for() -> None:
    story = Story()
    story.do(c.Trigger(title="Checkout is down", service="web", severity=2), None)
    with pytest.raises(DomainError) as refused:
        story.do(c.Snooze(incident=ID, until=story.at + timedelta(days=400)))
    assert str(refused.value) == (
        "INC-1001 can be snoozed for at most 168h (this one would end on 2027-12-28 at 03:00); "
        "the directory's max_snooze_hours says so."
    )
    assert story.state.snoozed_until is None


def test_the_directory_sets_the_cap() -> None:
    story = Story(msgspec.structs.replace(team(), max_snooze_hours=24 * 30))
    story.do(c.Trigger(title="Checkout is down", service="web", severity=2), None)
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(days=30)))
    with pytest.raises(DomainError, match="at most 720h"):
        story.do(c.Snooze(incident=ID, until=story.at + timedelta(days=30, minutes=1)))
