"""What pages whom, and when: the rules of paging out, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.support import ID, T0, Story, team
from esctui.domain import commands as c
from esctui.domain import contact, paging
from esctui.domain import events as e
from esctui.domain.cadence import cadence_book
from esctui.domain.errors import DomainError
from esctui.domain.models import (
    Channel,
    ContactMethod,
    Direction,
    Directory,
    PagingDefaults,
    QuietHours,
    Responder,
)
from esctui.domain.oncall import directory_problems
from esctui.domain.sla import sla_book

replace = msgspec.structs.replace

PHONE = ContactMethod(name="phone", url="ntfy://ntfy.example/alice")
MAIL = ContactMethod(name="mail", url="mailtos://alice@example.com", after_minutes=5)
PAGER = ContactMethod(name="pager", url="json://pager.example/", severities=(1,))


def reachable(*methods: ContactMethod, **paging_: object) -> Directory:
    """The domain's team, everyone reachable by `methods`; `paging_` for the team's rules."""
    base = team()
    return replace(
        base,
        responders=tuple(replace(r, contact=methods) for r in base.responders),
        paging=PagingDefaults(**paging_),  # type: ignore[arg-type]
    )


def story(directory: Directory, severity: int = 2) -> Story:
    # At 03:00 UTC the `day` rotation (Berlin, 09:00 hand-offs) has bob on call.
    told = Story(directory)
    told.do(c.Trigger(title="Checkout is down", service="web", severity=severity), None)
    return told


def owed(told: Story, cause: object = None, since: datetime = T0) -> list[paging.Page]:
    book = sla_book(told.directory)
    return paging.pages_owed(told.state, told.directory, book, told.at, since, cause)  # type: ignore[arg-type]


def test_a_new_incident_owes_its_holder_a_page_by_each_method_after_its_delay() -> None:
    told = story(reachable(PHONE, MAIL, PAGER))
    pages = owed(told, told.events[-1])
    assert [(p.to, p.method, p.due_at, p.held_until) for p in pages] == [
        ("bob", "phone", T0, None),
        ("bob", "mail", T0 + timedelta(minutes=5), None),
    ]  # the pager is for SEV1 only
    assert pages[0].title == f"SEV2 {ID}: Checkout is down"
    assert pages[0].body.startswith("New on web; you are on call.")
    assert pages[0].id.endswith("/phone") and pages[0].id != pages[1].id


def test_the_same_holding_gives_the_same_pages_however_often_it_is_asked() -> None:
    told = story(reachable(PHONE))
    first = owed(told, told.events[-1])
    told.later(3).do(c.AddNote(incident=ID, text="looking"), "carol")
    assert [p.id for p in owed(told)] == [p.id for p in first]


def test_an_escalation_a_hand_off_and_a_reopening_each_owe_the_new_holder_a_new_page() -> None:
    told = story(reachable(PHONE))
    ids = {owed(told)[0].id}
    told.later(11).do(c.Escalate(incident=ID, timeout=True), None)
    assert [p.to for p in owed(told, told.events[-1])] == ["carol"]
    assert owed(told, told.events[-1])[0].body.startswith(
        "Escalated to you at level 2 (level 1 timed out)."
    )
    ids.add(owed(told)[0].id)
    told.later(1).do(c.HandOff(incident=ID, to="dave", note="db"), "carol")
    assert owed(told, told.events[-1])[0].body.startswith("Handed to you by carol: db")
    ids.add(owed(told)[0].id)
    told.later(1).do(c.Resolve(incident=ID), "dave")
    assert owed(told) == []
    told.later(1).do(c.Reopen(incident=ID), "dave")
    ids.add(owed(told)[0].id)
    assert len(ids) == 4


def test_an_acknowledged_or_resolved_incident_owes_no_holding_page() -> None:
    told = story(reachable(PHONE))
    told.later(1).do(c.Acknowledge(incident=ID), "bob")
    assert owed(told) == []  # its resolve deadline is not near yet


def test_an_acknowledgement_that_ran_out_pages_its_holder_again() -> None:
    directory = reachable(PHONE)
    told = Story(directory)
    told.do(c.Trigger(title="db slow", service="db", severity=3), None)
    told.later(1).do(c.Acknowledge(incident=ID), "carol")
    told.later(121).do(c.Unacknowledge(incident=ID, reason="it ran out"), None)
    [page] = [p for p in owed(told, told.events[-1]) if "/holding/" in p.id]
    assert (page.to, page.due_at) == ("carol", told.at)
    assert page.body.startswith("Your acknowledgement ran out")


def test_an_sla_about_to_breach_pages_its_holder_once_it_enters_its_last_quarter() -> None:
    told = story(reachable(PHONE), severity=1)  # web's SEV1: acknowledge within 2 minutes
    assert [p.obligation.split("/")[1] for p in owed(told)] == ["holding"]
    told.later(1.5)  # 30 s left: the last quarter
    pages = owed(told)
    assert [p.obligation.split("/")[1] for p in pages] == ["holding", "acknowledge-sla"]
    assert pages[1].due_at == T0 + timedelta(minutes=1.5)
    assert pages[1].body.startswith("Its SLA to acknowledge runs out at 2026-11-23 03:02 UTC")


def test_what_was_owed_before_paging_began_is_not_paged() -> None:
    told = story(reachable(PHONE))
    assert owed(told, since=T0 + timedelta(seconds=1)) == []


@pytest.mark.parametrize(
    ("severity", "at", "held"),
    [
        (4, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), datetime(2026, 11, 23, 6, 0, tzinfo=UTC)),
        (3, datetime(2026, 11, 23, 21, 30, tzinfo=UTC), datetime(2026, 11, 24, 6, 0, tzinfo=UTC)),
        (3, datetime(2026, 11, 23, 20, 59, tzinfo=UTC), None),  # 21:59 in Berlin
        (1, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), None),
        (2, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), None),
        (4, datetime(2026, 7, 1, 3, 0, tzinfo=UTC), datetime(2026, 7, 1, 5, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_hold_sev3_and_sev4_until_they_end_in_the_responders_zone(
    severity: int, at: datetime, held: datetime | None
) -> None:
    directory = reachable(
        PHONE, time_zone="Europe/Berlin", quiet_hours=QuietHours(start="22:00", end="07:00")
    )
    responder = directory.responders[0]
    assert contact.held_until(at, severity, responder, directory) == held


def test_a_responders_own_zone_and_quiet_hours_stand_over_the_teams() -> None:
    directory = reachable(
        PHONE, time_zone="Europe/Berlin", quiet_hours=QuietHours(start="22:00", end="07:00")
    )
    nights = Responder(
        "erin", time_zone="America/New_York", quiet_hours=QuietHours("09:00", "17:00")
    )
    awake = Responder("finn", quiet_hours=QuietHours("00:00", "00:00"))
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 in New York, 16:00 in Berlin
    assert contact.held_until(at, 4, nights, directory) == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert contact.held_until(T0, 4, awake, directory) is None


def test_a_page_held_by_quiet_hours_says_until_when() -> None:
    directory = reachable(PHONE, time_zone="UTC", quiet_hours=QuietHours("02:00", "06:30"))
    told = story(directory, severity=4)
    [page] = owed(told)
    assert (page.due_at, page.held_until) == (T0, T0 + timedelta(hours=3, minutes=30))
    assert page.send_at == page.held_until


def test_a_waiting_page_is_cancelled_once_its_obligation_no_longer_stands() -> None:
    told = story(reachable(PHONE, MAIL))
    book = sla_book(told.directory)
    mail = owed(told)[1]
    assert paging.cancellation(mail, told.state, book) is None
    acknowledged = Story(told.directory)
    acknowledged.incident, acknowledged.events = told.incident, list(told.events)
    acknowledged.later(1).do(c.Acknowledge(incident=ID), "bob")
    assert paging.cancellation(mail, acknowledged.state, book) == f"{ID} was acknowledged by bob"
    told.later(1).do(c.HandOff(incident=ID, to="dave"), "carol")
    assert paging.cancellation(mail, told.state, book) == f"{ID} is now dave's"
    told.later(1).do(c.Resolve(incident=ID), "dave")
    assert paging.cancellation(mail, told.state, book) == f"{ID} was resolved by dave"
    assert paging.cancellation(mail, None, book) == f"{ID} is no longer in the queue"


def test_nobody_is_paged_for_what_they_did_themselves() -> None:
    told = story(reachable(PHONE))
    told.later(1).do(c.HandOff(incident=ID, to="carol"), "carol")
    [page] = owed(told, told.events[-1])
    assert paging.own_doing(page, told.events[-1]) == f"carol took {ID} themselves"
    assert paging.own_doing(page, told.events[0]) is None


def test_a_webhook_gets_the_events_it_asked_for_with_an_id_to_deduplicate_by() -> None:
    told = story(reachable())
    told.later(1).do(c.Acknowledge(incident=ID), "bob")
    hooks = [
        paging.Webhook("wh-1", "https://hooks.example/a", ("acknowledged",), "s", T0),
        paging.Webhook("wh-2", "https://hooks.example/b", ("triggered",), "s", T0),
    ]
    [page] = paging.webhook_pages(told.events[-1], told.state, hooks)
    body = msgspec.json.decode(page.body)
    assert (page.id, page.to, page.kind) == (f"{ID}.2/wh-1", "wh-1", "webhook")
    assert (body["id"], body["type"], body["incident"]["status"]) == (
        f"{ID}.2", "acknowledged", "acknowledged",
    )  # fmt: skip
    assert "paged" not in paging.WEBHOOK_EVENTS
    assert "triggered" in paging.WEBHOOK_EVENTS


def test_a_page_on_the_timeline_changes_nothing_but_the_version() -> None:
    told = story(reachable(PHONE))
    before = told.state
    told.do(
        c.RecordPage(
            incident=ID, page="p", to="bob", method="phone", outcome="delivered", attempt=1
        ),
        None,
    )
    assert told.state == replace(before, version=2)


def test_a_directory_with_contact_rules_that_cannot_work_says_which() -> None:
    directory = replace(
        reachable(PHONE, PHONE),
        paging=PagingDefaults(time_zone="Mars/Olympus", quiet_hours=QuietHours("25:00", "7")),
    )
    problems = directory_problems(directory)
    assert "the team's paging time zone 'Mars/Olympus' is not a known time zone" in problems
    assert "the team's quiet hours: '25:00' is not a time of day like 07:30" in problems
    assert "the team's quiet hours: '7' is not a time of day like 07:30" in problems
    assert "responder 'alice' has two contact methods named 'phone'" in problems


def test_an_undo_or_a_version_seen_still_holds_after_pages_but_not_after_a_change() -> None:
    told = story(reachable(PHONE))
    told.later(1).do(c.HandOff(incident=ID, to="dave"), "carol")
    told.do(
        c.RecordPage(incident=ID, page="p", to="dave", method="phone", outcome="delivered"),
        None,
    )
    told.do(c.Undo(incident=ID, version=2), "carol")  # the hand-off, though dave was paged
    assert told.state.assignee == "bob"
    told.later(1).do(c.HandOff(incident=ID, to="dave"), "carol")
    told.do(c.AddNote(incident=ID, text="hm"), "bob")
    with pytest.raises(DomainError, match="has changed since"):
        told.do(c.Undo(incident=ID, version=5), "carol")


def test_a_quiet_incident_pages_nobody_until_it_wakes_and_then_says_why() -> None:
    told = story(reachable(PHONE))
    incident = told.state
    quiet = replace(incident, quiet=True)  # opened while its service was in maintenance
    book = sla_book(told.directory)
    assert paging.pages_owed(quiet, told.directory, book, told.at, T0) == []
    woken = e.Woken(incident=ID, at=told.at, version=incident.version + 1, by=None, assignee="bob")
    [page] = owed(told, woken)
    assert page.to == "bob"
    assert page.body.startswith("Its service's maintenance is over and its alerts still fire")


def test_a_reroute_says_where_it_came_from() -> None:
    told = story(reachable(PHONE))
    rerouted = e.Rerouted(
        incident=ID,
        at=told.at,
        version=told.state.version + 1,
        by="carol",
        from_service="web",
        to_service="db",
        assignee="bob",
        reason="the database",
    )
    [page] = owed(told, rerouted)
    assert page.body.startswith("Rerouted from web to db by carol (the database)")


def customer_story(directory: Directory) -> Story:
    told = Story(directory)
    told.do(c.Trigger(title="Checkout is down", service="web", severity=2, customer="Acme"), None)
    return told


def update_pages(told: Story, since: datetime = T0) -> list[paging.Page]:
    book, cadence = sla_book(told.directory), cadence_book(told.directory)
    return [
        p
        for p in paging.pages_owed(
            told.state, told.directory, book, told.at, since, cadence=cadence
        )
        if "/customer-update/" in p.obligation
    ]


def test_a_customer_update_that_falls_due_pages_the_incidents_holder() -> None:
    told = customer_story(reachable(PHONE))
    told.later(59)
    assert update_pages(told) == []  # SEV2: an update every hour, not due yet
    told.later(1)
    [page] = update_pages(told)
    assert page.to == "bob" and page.due_at == T0 + timedelta(hours=1)
    assert page.body.startswith("An update to Acme is due (every 1h00m): ")
    told.later(2).do(
        c.LogCommunication(
            incident=ID,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            counterpart="Acme",
            summary="on it",
        ),
        "bob",
    )
    assert update_pages(told) == []  # the next is due in an hour
    book, cadence = sla_book(told.directory), cadence_book(told.directory)
    assert paging.cancellation(page, told.state, book, cadence) == (f"{ID}'s customer was updated")


def test_no_customer_no_update_page() -> None:
    told = story(reachable(PHONE))
    told.later(600)
    assert update_pages(told) == []


def test_a_quiet_incident_rerouted_to_another_team_pages_its_responder() -> None:
    """Opened while its service was in maintenance, then sent on by hand to another team:
    like an escalation, a reroute is a person asking for someone, so it pages."""
    from esctui.domain import lifecycle

    told = story(reachable(PHONE))
    quiet = replace(told.state, quiet=True)
    rerouted = e.Rerouted(
        incident=ID,
        at=told.at,
        version=quiet.version + 1,
        by="carol",
        from_service="web",
        to_service="db",
        assignee="bob",
        reason="the database",
    )
    state = lifecycle.apply(quiet, rerouted)
    book = sla_book(told.directory)
    pages = paging.pages_owed(state, told.directory, book, told.at, T0, rerouted)
    assert not state.quiet
    assert [page.to for page in pages] == ["bob"]
