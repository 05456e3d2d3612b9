from __future__ import annotations

from datetime import timedelta

import pytest

from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.events import communications
from esctui.domain.models import Channel, Direction, Status

from .support import ID, T0, Story, triggered


def test_trigger_pages_level_one() -> None:
    story = triggered()  # 03:00 UTC on 23 Nov is before 09:00 Berlin: the 22 Nov shift
    state = story.state
    assert state.status is Status.TRIGGERED
    assert state.version == 1
    assert state.level == 1
    assert state.assignee in ("alice", "bob")
    assert state.opened_at == state.created_at == T0


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (c.Trigger(title="  ", service="web", severity=1), "An incident needs a title."),
        (
            c.Trigger(title="x", service="mail", severity=1),
            "There is no service 'mail'; known services: db, web.",
        ),
        (
            c.Trigger(title="x", service="web", severity=5),
            "Severity must be 1 to 4 (SEV1 is the most severe), not 5.",
        ),
        (c.Acknowledge(incident="INC-9"), "There is no incident INC-9."),
    ],
)
def test_refused_triggers_and_unknown_incidents(command: c.AnyCommand, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        Story().do(command)
    assert str(caught.value) == message


def test_acknowledge_makes_it_yours_and_twice_is_refused() -> None:
    story = triggered().later(12)
    story.do(c.Acknowledge(incident=ID), "carol")
    assert story.state.status is Status.ACKNOWLEDGED
    assert story.state.assignee == "carol"
    story.later(5)
    with pytest.raises(DomainError) as caught:
        story.do(c.Acknowledge(incident=ID), "bob")
    assert str(caught.value) == "INC-1001 was already acknowledged by carol at 03:12."


def test_an_acknowledgement_from_another_day_names_the_date() -> None:
    story = triggered().later(12)
    story.do(c.Acknowledge(incident=ID), "carol")
    story.later(24 * 60)
    with pytest.raises(DomainError, match="by carol on 2026-11-23 at 03:12"):
        story.do(c.Acknowledge(incident=ID), "bob")


def test_an_unknown_actor_is_refused_with_the_known_names() -> None:
    with pytest.raises(DomainError) as caught:
        triggered().do(c.Acknowledge(incident=ID), "mallory")
    assert str(caught.value) == (
        "'mallory' is not a responder here; known responders: alice, bob, carol, dave."
    )


def test_unacknowledge_returns_it_to_the_queue_and_restarts_the_level_clock() -> None:
    story = triggered().later(3)
    with pytest.raises(DomainError, match="INC-1001 is triggered, not acknowledged."):
        story.do(c.Unacknowledge(incident=ID))
    story.do(c.Acknowledge(incident=ID), "bob")
    story.later(30).do(c.Unacknowledge(incident=ID, reason="off shift"), "bob")
    assert story.state.status is Status.TRIGGERED
    assert story.state.acknowledged_at is None
    assert story.state.level_since == story.at


def test_hand_off_resets_to_triggered_for_the_new_holder() -> None:
    story = triggered().later(1)
    story.do(c.Acknowledge(incident=ID), "alice")
    story.later(5).do(c.HandOff(incident=ID, to="dave", note="yours"), "alice")
    assert story.state.assignee == "dave"
    assert story.state.status is Status.TRIGGERED
    with pytest.raises(DomainError, match="INC-1001 is already assigned to dave."):
        story.do(c.HandOff(incident=ID, to="dave"), "alice")
    with pytest.raises(DomainError) as caught:
        story.do(c.HandOff(incident=ID, to="zed"), "alice")
    assert str(caught.value) == (
        "Cannot hand INC-1001 to 'zed': no such responder; known "
        "responders: alice, bob, carol, dave."
    )


def test_taking_an_acknowledged_incident_yourself_keeps_it_acknowledged() -> None:
    story = triggered().later(1)
    story.do(c.Acknowledge(incident=ID), "alice")
    story.do(c.HandOff(incident=ID, to="bob"), "bob")
    assert story.state.status is Status.ACKNOWLEDGED
    assert story.state.assignee == "bob"


def test_escalate_pages_the_next_level_and_retriggers() -> None:
    story = triggered().later(1)
    story.do(c.Acknowledge(incident=ID), "alice")
    [event] = story.do(c.Escalate(incident=ID, reason="need help"), "alice")
    assert story.state.level == 2
    assert story.state.assignee == "carol"
    assert story.state.status is Status.TRIGGERED
    assert event.by == "alice"
    with pytest.raises(DomainError) as caught:
        story.do(c.Escalate(incident=ID), "alice")
    assert str(caught.value) == (
        "INC-1001 is already at the last level (2) of policy 'web'; choose a level to escalate to."
    )
    with pytest.raises(DomainError, match="INC-1001 is already at level 2."):
        story.do(c.Escalate(incident=ID, level=2), "alice")
    with pytest.raises(DomainError, match="Policy 'web' has levels 1 to 2, not 3."):
        story.do(c.Escalate(incident=ID, level=3), "alice")
    story.do(c.Escalate(incident=ID, level=1), "carol")
    assert story.state.level == 1
    assert story.state.cycle == 0  # a responder going back is not the policy starting over


def test_snooze_must_end_in_the_future_and_resolve_clears_it() -> None:
    story = triggered()
    with pytest.raises(DomainError, match="A snooze of INC-1001 must end in the future."):
        story.do(c.Snooze(incident=ID, until=story.at))
    story.do(c.Snooze(incident=ID, until=story.at + timedelta(hours=1)))
    assert story.state.snoozed(story.at)
    assert not story.state.snoozed(story.at + timedelta(hours=1))
    story.later(10).do(c.Resolve(incident=ID, note="  fixed  "), "bob")
    assert story.events[-1].note == "fixed"  # type: ignore[union-attr]
    assert story.state.snoozed_until is None
    assert story.state.resolved_by == "bob"


def test_nothing_but_notes_and_reopen_on_a_resolved_incident() -> None:
    story = triggered().later(20)
    story.do(c.Resolve(incident=ID), "bob")
    for command in (
        c.Acknowledge(incident=ID),
        c.HandOff(incident=ID, to="carol"),
        c.Escalate(incident=ID),
        c.Snooze(incident=ID, until=story.at + timedelta(1)),
    ):
        with pytest.raises(DomainError, match=r"INC-1001 was resolved by bob at 03:20; reopen"):
            story.do(command)
    with pytest.raises(DomainError, match="INC-1001 was already resolved by bob at 03:20."):
        story.do(c.Resolve(incident=ID))
    story.do(c.AddNote(incident=ID, text="postmortem on Tuesday"))
    story.do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            counterpart="Acme",
            summary="RCA sent",
        )
    )
    assert story.state.notes == 1
    assert story.state.communications == 1


def test_reopen_starts_over_at_level_one() -> None:
    story = triggered().later(1)
    with pytest.raises(DomainError) as caught:
        story.do(c.Reopen(incident=ID))
    assert str(caught.value) == (
        "INC-1001 is still open (triggered); only a resolved incident can be reopened."
    )
    story.do(c.Escalate(incident=ID))
    story.later(30).do(c.Resolve(incident=ID), "carol")
    story.later(60).do(c.Reopen(incident=ID, reason="back"), "carol")
    state = story.state
    assert state.status is Status.TRIGGERED
    assert (state.level, state.cycle, state.exhausted) == (1, 0, False)
    assert state.opened_at == story.at
    assert state.resolved_at is None
    assert state.created_at == T0


def test_notes_and_communications_need_content() -> None:
    story = triggered()
    with pytest.raises(DomainError, match="A note on INC-1001 needs some text."):
        story.do(c.AddNote(incident=ID, text=" \n "))
    with pytest.raises(DomainError, match="Say who the communication on INC-1001 was with."):
        story.do(
            c.LogCommunication(
                incident=ID,
                channel=Channel.PHONE,
                direction=Direction.INBOUND,
                counterpart=" ",
                summary="x",
            )
        )
    with pytest.raises(DomainError, match="needs a summary"):
        story.do(
            c.LogCommunication(
                incident=ID,
                channel=Channel.PHONE,
                direction=Direction.INBOUND,
                counterpart="Acme",
                summary="",
            )
        )


def test_only_outbound_communications_count_as_customer_updates() -> None:
    story = triggered().later(5)
    story.do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            counterpart="Acme",
            summary="?",
        )
    )
    assert story.state.last_customer_update is None
    story.later(5).do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.STATUS_PAGE,
            direction=Direction.OUTBOUND,
            counterpart="Acme",
            summary="investigating",
        )
    )
    assert story.state.last_customer_update == story.at


def test_every_event_bumps_the_version_by_one() -> None:
    story = triggered().later(1)
    story.do(c.AddNote(incident=ID, text="a"))
    story.do(c.Acknowledge(incident=ID))
    story.do(c.Resolve(incident=ID))
    assert [e.version for e in story.events] == [1, 2, 3, 4]
    assert story.state.version == 4


def test_communications_are_read_from_the_timeline() -> None:
    story = triggered().later(5)
    story.do(c.AddNote(incident=ID, text="looking"))
    story.do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            counterpart="Acme",
            summary="is it down?",
        ),
        "bob",
    )
    [talk] = communications(story.events)
    assert (talk.author, talk.channel, talk.counterpart) == ("bob", Channel.PHONE, "Acme")
    assert talk.at == story.at
