from __future__ import annotations

from datetime import datetime, timedelta

from esctui.domain import commands as c
from esctui.domain.escalation import due
from esctui.domain.events import Escalated, EscalationExhausted
from esctui.domain.models import Status

from .support import ID, Story, triggered


def run_due(story: Story, at: datetime) -> int:
    """Apply what `due` says at `at`; how many events it made."""
    story.at = at
    made = 0
    for command in due([story.state], story.directory, at):
        made += len(story.do(command, None))
    return made


def test_levels_time_out_one_at_a_time_then_repeat_then_exhaust_once() -> None:
    story = triggered()  # policy web: 10 min, 20 min, repeat once
    start = story.at
    assert run_due(story, start + timedelta(minutes=9)) == 0
    assert run_due(story, start + timedelta(minutes=10)) == 1
    assert (story.state.level, story.state.assignee, story.state.cycle) == (2, "carol", 0)
    assert run_due(story, story.at + timedelta(minutes=20)) == 1
    assert (story.state.level, story.state.cycle) == (1, 1)
    assert run_due(story, story.at + timedelta(minutes=10)) == 1
    assert (story.state.level, story.state.cycle) == (2, 1)
    assert run_due(story, story.at + timedelta(minutes=20)) == 1
    assert story.state.exhausted
    assert isinstance(story.events[-1], EscalationExhausted)
    assert run_due(story, story.at + timedelta(days=3)) == 0
    timeouts = [e for e in story.events if isinstance(e, Escalated)]
    assert all(e.by is None and "timed out" in e.reason for e in timeouts)


def test_applying_due_twice_at_the_same_time_changes_nothing() -> None:
    story = triggered()
    at = story.at + timedelta(hours=5)
    assert run_due(story, at) == 1
    state = story.state
    assert due([state], story.directory, at) == []
    assert story.state == state


def test_a_snooze_holds_escalation_until_it_ends() -> None:
    story = triggered()
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(hours=1)))
    assert run_due(story, story.at + timedelta(minutes=30)) == 0
    assert run_due(story, story.at + timedelta(minutes=39)) == 0  # 69 min from the trigger
    assert run_due(story, story.at + timedelta(minutes=1)) == 1  # snooze end + 10 min


def test_acknowledged_and_resolved_incidents_never_escalate() -> None:
    acked = triggered().later(1)
    acked.do(c.Acknowledge(incident=ID))
    assert due([acked.state], acked.directory, acked.at + timedelta(days=9)) == []
    resolved = triggered().later(1)
    resolved.do(c.Resolve(incident=ID))
    assert due([resolved.state], resolved.directory, resolved.at + timedelta(days=9)) == []


def test_unacknowledging_restarts_the_clock() -> None:
    story = triggered().later(8)
    story.do(c.Acknowledge(incident=ID))
    story.later(60).do(c.Unacknowledge(incident=ID))
    assert run_due(story, story.at + timedelta(minutes=9)) == 0
    assert run_due(story, story.at + timedelta(minutes=1)) == 1
    assert story.state.status is Status.TRIGGERED


def test_a_manual_escalation_clears_exhaustion() -> None:
    story = triggered(service="db")  # three levels, no repeat
    for _ in range(4):
        run_due(story, story.at + timedelta(hours=1))
    assert story.state.exhausted
    story.do(c.Escalate(incident=ID, level=1, reason="trying again"), "alice")
    assert not story.state.exhausted
    assert run_due(story, story.at + timedelta(minutes=15)) == 1


def test_an_acknowledgement_runs_out_where_the_policy_says_so() -> None:
    story = triggered(service="db").later(5)  # db: acknowledgements last 120 minutes
    story.do(c.Acknowledge(incident=ID), "carol")
    acked_at = story.at
    assert run_due(story, acked_at + timedelta(minutes=119)) == 0
    assert run_due(story, acked_at + timedelta(minutes=120)) == 1
    event = story.events[-1]
    assert event.by is None
    assert event.reason == "the acknowledgement ran out after 120 minutes"  # type: ignore[union-attr]
    assert story.state.status is Status.TRIGGERED
    assert story.state.assignee == "carol"  # paged again
    assert run_due(story, story.at) == 0
    # and from there the levels time out as for any triggered incident
    assert run_due(story, story.at + timedelta(minutes=15)) == 1
    assert story.state.level == 2


def test_a_snooze_stretches_an_acknowledgement() -> None:
    story = triggered(service="db").later(5)
    story.do(c.Acknowledge(incident=ID), "carol")
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(hours=4)))
    assert run_due(story, story.at + timedelta(hours=5, minutes=59)) == 0
    assert run_due(story, story.at + timedelta(minutes=1)) == 1  # snooze end + 120 min
