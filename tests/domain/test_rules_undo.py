"""Undo: a responder takes back their own last change, and the incident is as it was before
it (holder, level, SLA clock and all), or the rules say why it cannot be."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esctui.domain import actions
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.actions import Action, allowed
from esctui.domain.errors import DomainError
from esctui.domain.lifecycle import offered, refusal
from esctui.domain.models import Incident, Status

from .support import ID, Story, triggered


def undo(story: Story, actor: str) -> e.Reverted:
    """Undo the change that made the incident what it is now."""
    [event] = story.do(c.Undo(incident=ID, version=story.state.version), actor)
    assert isinstance(event, e.Reverted)
    return event


def as_before(before: Incident, after: Incident) -> None:
    """Everything but the version and the counters of notes is as it was."""
    assert after.version > before.version
    for field in Incident.__struct_fields__:
        if field != "version":
            assert getattr(after, field) == getattr(before, field), field


def test_undoing_an_unacknowledgement_gives_it_back_to_whoever_held_it() -> None:
    story = triggered().later(3)
    story.do(c.Acknowledge(incident=ID), "bob")
    before = story.state
    story.later(10).do(c.Unacknowledge(incident=ID), "carol")
    event = undo(story.later(1), "carol")
    as_before(before, story.state)
    assert story.state.acknowledged_by == "bob" and story.state.assignee == "bob"
    assert (event.undone, event.undone_version, event.by) == ("unacknowledged", 3, "carol")


def test_undoing_an_acknowledgement_leaves_it_triggered_with_its_level_clock() -> None:
    story = triggered().later(4)
    before = story.state
    story.do(c.Acknowledge(incident=ID), "carol")
    undo(story.later(1), "carol")
    as_before(before, story.state)
    assert story.state.status is Status.TRIGGERED and story.state.level_since == before.opened_at


def test_undoing_a_resolution_keeps_the_sla_clock_it_had() -> None:
    story = triggered().later(90)
    story.do(c.Acknowledge(incident=ID), "alice")
    before = story.state
    story.later(5).do(c.Resolve(incident=ID, note="fixed"), "alice")
    undo(story.later(1), "alice")
    as_before(before, story.state)
    assert story.state.opened_at == before.opened_at  # no new clock: still breached


def test_undoing_a_reopening_resolves_it_as_it_was() -> None:
    story = triggered().later(5)
    story.do(c.Resolve(incident=ID), "bob")
    before = story.state
    story.later(60).do(c.Reopen(incident=ID, reason="flapping"), "bob")
    undo(story.later(1), "bob")
    as_before(before, story.state)
    assert story.state.resolved_by == "bob" and story.state.status is Status.RESOLVED


def test_undoing_an_escalation_puts_back_the_level_and_the_holder() -> None:
    story = triggered().later(2)
    story.do(c.Acknowledge(incident=ID), "alice")
    before = story.state
    story.later(1).do(c.Escalate(incident=ID), "alice")
    assert story.state.level == 2
    undo(story.later(1), "alice")
    as_before(before, story.state)


def test_undoing_a_hand_off_and_a_snooze() -> None:
    story = triggered().later(2)
    story.do(c.Acknowledge(incident=ID), "alice")
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(hours=1)), "alice")
    before_hand_off = story.state
    story.later(1).do(c.HandOff(incident=ID, to="dave"), "alice")
    undo(story, "alice")
    as_before(before_hand_off, story.state)
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(hours=4)), "alice")
    undo(story, "alice")
    assert story.state.snoozed_until == before_hand_off.snoozed_until  # the earlier snooze


def test_an_undo_is_refused_once_someone_else_acted() -> None:
    story = triggered().later(2)
    story.do(c.Acknowledge(incident=ID), "alice")
    mine = story.state.version
    story.later(1).do(c.AddNote(incident=ID, text="on it"), "bob")
    with pytest.raises(DomainError) as caught:
        story.do(c.Undo(incident=ID, version=mine), "alice")
    assert str(caught.value) == (
        "INC-1001 has changed since your acknowledgement (bob acted on it at 03:03); "
        "it can no longer be undone."
    )


@pytest.mark.parametrize(
    ("then", "actor", "says"),
    [
        (c.Acknowledge(incident=ID), "bob", "The acknowledgement of INC-1001 was alice's"),
        (c.AddNote(incident=ID, text="x"), "alice", "A note stays in the timeline"),
    ],
)
def test_what_cannot_be_undone_is_a_sentence(then: c.AnyCommand, actor: str, says: str) -> None:
    story = triggered().later(2)
    story.do(then, "alice")
    with pytest.raises(DomainError, match=says):
        undo(story, actor)


def test_an_undo_is_not_undone_and_a_version_it_never_had_is_refused() -> None:
    story = triggered().later(2)
    story.do(c.Acknowledge(incident=ID), "alice")
    undo(story, "alice")
    with pytest.raises(DomainError, match="An undo cannot itself be undone"):
        undo(story, "alice")
    with pytest.raises(DomainError, match="INC-1001 has no version 99"):
        story.do(c.Undo(incident=ID, version=99), "alice")
    with pytest.raises(DomainError, match="trigger of INC-1001 cannot be undone"):
        story.do(c.Undo(incident=ID, version=1), None)


def test_the_timeline_says_what_was_undone() -> None:
    from datetime import UTC

    from esctui.wording import describe

    story = triggered().later(2)
    story.do(c.Acknowledge(incident=ID), "alice")
    event = undo(story, "alice")
    assert describe(event, UTC).startswith("acknowledgement by alice undone")


def test_what_is_offered_follows_the_rules() -> None:
    story = triggered()
    now = story.at
    assert c.Acknowledge in offered(story.state)
    assert c.Reopen not in offered(story.state)
    assert refusal(story.state, c.Reopen, now) == (
        "INC-1001 is still open (triggered); only a resolved incident can be reopened."
    )
    story.do(c.Acknowledge(incident=ID), "carol")
    assert c.Acknowledge not in offered(story.state)
    assert refusal(story.state, c.Acknowledge, now) == (
        "INC-1001 was already acknowledged by carol at 03:00."
    )
    story.do(c.Resolve(incident=ID), "carol")
    assert offered(story.state) == {c.Reopen, c.AddNote, c.LogCommunication, c.RecordReview}
    assert refusal(story.state, c.HandOff, now) == (
        "INC-1001 was resolved by carol at 03:00; reopen it before you hand it off."
    )
    assert allowed(story.state) == {
        Action.REOPEN,
        Action.NOTE,
        Action.COMMUNICATE,
        Action.REVIEW,
    }
    assert actions.refusal(story.state, Action.ESCALATE_TO, now) == (
        "INC-1001 was resolved by carol at 03:00; reopen it before you escalate it."
    )


def test_figures_and_the_shift_report_leave_out_what_was_undone() -> None:
    from esctui.domain.handoff import handoff_report
    from esctui.domain.metrics import metrics
    from esctui.domain.sla import sla_book

    story = triggered().later(1)
    story.do(c.Resolve(incident=ID), "alice")  # by mistake
    undo(story.later(1), "alice")
    story.later(8).do(c.Acknowledge(incident=ID), "alice")
    book = sla_book(story.directory)
    since, until = story.at - timedelta(hours=1), story.at + timedelta(hours=1)
    figures = metrics([(story.state, story.events)], book, since, until).overall
    assert figures.resolved == 0 and figures.time_to_resolve.count == 0
    assert figures.time_to_acknowledge.mean == 10 * 60
    report = handoff_report([(story.state, story.events)], book, since, until)
    assert report.happened.resolved == []
