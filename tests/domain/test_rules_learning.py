"""Customer-update cadence, follow-ups after resolve, satisfaction, reroute, reviews and their
follow-up actions: the rules, as a responder meets them."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
import pytest

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.cadence import Owed, cadence_book, fill_template
from esctui.domain.errors import DomainError
from esctui.domain.models import CauseCategory, Channel, Direction, Service, Status
from esctui.domain.oncall import directory_problems
from esctui.wording import describe

from .support import ID, T0, Story, team

UTC_ZONE = T0.tzinfo
assert UTC_ZONE is not None


def with_customer(severity: int = 1, service: str = "web") -> Story:
    story = Story()
    story.do(c.Trigger(title="Down", service=service, severity=severity, customer="Acme"), None)
    return story


def tell(story: Story, direction: Direction = Direction.OUTBOUND, csat: int | None = None) -> None:
    story.do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.EMAIL,
            direction=direction,
            counterpart="Acme",
            summary="We are on it.",
            csat=csat,
        )
    )


def test_an_update_is_due_by_severity_from_the_last_one_sent() -> None:
    story = with_customer(severity=1)
    book = cadence_book(story.directory)
    first = book.due(story.state)
    assert first is not None and first.owed is Owed.UPDATE
    assert first.due_at == T0 + timedelta(minutes=30)  # SEV1: every 30 minutes
    story.later(20)
    tell(story)
    after = book.due(story.state)
    assert after is not None and after.due_at == T0 + timedelta(minutes=50)
    assert not after.close(T0 + timedelta(minutes=40))
    assert after.close(T0 + timedelta(minutes=43)) and not after.overdue(T0 + timedelta(minutes=43))
    assert after.overdue(T0 + timedelta(minutes=50))


def test_an_inbound_message_is_no_update_and_sev4_or_no_customer_owes_none() -> None:
    story = with_customer(severity=2)
    story.later(10)
    tell(story, Direction.INBOUND)
    due = cadence_book(story.directory).due(story.state)
    assert due is not None and due.due_at == T0 + timedelta(hours=1)
    assert cadence_book(story.directory).due(with_customer(severity=4).state) is None
    quiet = Story()
    quiet.do(c.Trigger(title="Down", service="web", severity=1), None)
    assert cadence_book(quiet.directory).due(quiet.state) is None


def test_the_service_and_the_config_set_the_interval() -> None:
    story = with_customer(severity=3)
    directory = msgspec.structs.replace(
        story.directory,
        update_minutes={3: 120},
        services=tuple(
            msgspec.structs.replace(s, update_minutes={3: 15}) if s.name == "db" else s
            for s in story.directory.services
        ),
    )
    book = cadence_book(directory, {3: 90})
    assert book.interval("web", 3) == timedelta(minutes=90)  # config over directory
    assert book.interval("db", 3) == timedelta(minutes=15)  # the service wins
    assert cadence_book(directory).interval("web", 3) == timedelta(hours=2)


def test_after_resolve_a_follow_up_is_due_until_one_is_sent() -> None:
    story = with_customer()
    story.later(5).do(c.Resolve(incident=ID))
    book = cadence_book(story.directory)
    due = book.due(story.state)
    assert due is not None and due.owed is Owed.FOLLOW_UP
    assert due.due_at == T0 + timedelta(minutes=5, hours=24)
    story.later(60)
    tell(story)
    assert book.due(story.state) is None


def test_satisfaction_is_for_inbound_communications_only() -> None:
    story = with_customer()
    tell(story, Direction.INBOUND, csat=4)
    last = story.events[-1]
    assert isinstance(last, e.CommunicationLogged) and last.csat == 4
    assert describe(last, UTC_ZONE).endswith("[satisfaction 4/5]")
    with pytest.raises(DomainError, match="inbound"):
        tell(story, Direction.OUTBOUND, csat=5)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"incident": ID, "channel": "email", "direction": "in",
                         "counterpart": "x", "summary": "y", "csat": 6},
                        c.LogCommunication)  # fmt: skip


def test_reroute_pages_the_other_services_level_one() -> None:
    story = Story()
    story.do(c.Trigger(title="Down", service="web", severity=2), None)
    story.later(1).do(c.Acknowledge(incident=ID), "alice")
    story.do(c.Escalate(incident=ID), "alice")
    story.later(1).do(c.Reroute(incident=ID, service="db", reason="the database team"), "carol")
    incident = story.state
    assert (incident.service, incident.level, incident.status) == ("db", 1, Status.TRIGGERED)
    assert incident.assignee == "carol"  # on call in the week rotation, the db policy's level 1
    event = story.events[-1]
    assert isinstance(event, e.Rerouted) and event.from_service == "web"
    assert (
        describe(event, UTC_ZONE)
        == "rerouted by carol from web to db (the database team), paging carol"
    )
    with pytest.raises(DomainError, match="already with db"):
        story.do(c.Reroute(incident=ID, service="db"))
    with pytest.raises(DomainError, match="no such service; known services: db, web"):
        story.do(c.Reroute(incident=ID, service="nosuch"))
    story.do(c.Resolve(incident=ID))
    with pytest.raises(DomainError, match="reopen it before you reroute it"):
        story.do(c.Reroute(incident=ID, service="web"))
    with pytest.raises(DomainError, match="cannot be undone"):
        story.do(c.Undo(incident=ID, version=story.state.version - 1), "carol")


def review(*follow_ups: c.FollowUpItem) -> c.RecordReview:
    return c.RecordReview(
        incident=ID,
        cause=CauseCategory.DEPLOY,
        summary="A bad deploy.",
        went_well="Rolled back fast.",
        went_badly="Nobody watched the canary.",
        follow_ups=follow_ups,
    )


def test_a_resolved_sev1_needs_a_review_with_follow_ups() -> None:
    story = Story()
    story.do(c.Trigger(title="Down", service="web", severity=1), None)
    with pytest.raises(DomainError, match="review it once it is resolved"):
        story.do(review())
    story.later(10).do(c.Resolve(incident=ID))
    assert story.state.review_due
    made = story.later(60).do(
        review(
            c.FollowUpItem(action="Watch the canary", owner="bob", due=date(2026, 12, 1)),
            c.FollowUpItem(action="Alert on canary errors", owner="carol", due=date(2026, 11, 24)),
        ),
        "alice",
    )
    assert [type(ev) for ev in made] == [e.ReviewRecorded, e.FollowUpAdded, e.FollowUpAdded]
    assert [ev.version for ev in made] == [3, 4, 5]
    incident = story.state
    assert not incident.review_due
    assert [f.number for f in incident.follow_ups_open()] == [1, 2]
    assert [f.number for f in incident.follow_ups if f.overdue(date(2026, 11, 25))] == [2]
    story.do(c.CompleteFollowUp(incident=ID, number=2), "carol")
    assert [f.number for f in story.state.follow_ups_open()] == [1]
    done = story.state.follow_ups[1]
    assert (done.done_by, done.done_at) == ("carol", story.at)
    with pytest.raises(DomainError, match="no open follow-up action 2; open: INC-1001/1"):
        story.do(c.CompleteFollowUp(incident=ID, number=2))
    assert (
        describe(story.events[3], UTC_ZONE)
        == "follow-up INC-1001/1 for bob by 2026-12-01: Watch the canary"
    )


def test_a_follow_up_names_a_responder_and_a_date_esctui_takes() -> None:
    story = Story()
    story.do(c.Trigger(title="Down", service="web", severity=2), None)
    story.do(c.Resolve(incident=ID))
    with pytest.raises(DomainError, match="'zed' is not a responder"):
        story.do(review(c.FollowUpItem(action="x", owner="zed", due=date(2026, 12, 1))))
    with pytest.raises(DomainError, match="year 2301"):
        story.do(review(c.FollowUpItem(action="x", owner="bob", due=date(2301, 1, 1))))
    assert story.state.review_due  # nothing was recorded


def test_templates_fill_their_placeholders_and_nothing_else() -> None:
    story = with_customer()
    text = fill_template("{id} ({status}): {title}. Next update {next_update}. {other}",
                         story.state, "03:30 UTC")  # fmt: skip
    assert text == "INC-1001 (triggered): Down. Next update 03:30 UTC. {other}"


def test_a_runbook_url_is_a_web_address() -> None:
    directory = team()
    bad = msgspec.structs.replace(
        directory,
        services=(*directory.services, Service(name="x", policy="web", runbook_url="file:///x")),
        update_templates={7: "nope"},
    )
    problems = directory_problems(bad)
    assert "service 'x' has a runbook_url that is not an http(s) URL" in problems
    assert any("severity 7" in p for p in problems)
