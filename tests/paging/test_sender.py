"""The page sender against real receivers on 127.0.0.1: what pages whom, delays, quiet hours,
cancellation on acknowledgement, retries, and the record it leaves."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from pathlib import Path

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.models import Channel, ContactMethod, Direction
from esctui.service.paging import new_webhook
from esctui.stores.page_records import PageState
from paging.receivers import HttpReceiver, SmtpReceiver, free_port
from paging.sending import NOW, Sending, run, sending, team, until


def json_method(receiver: HttpReceiver, name: str, path: str, after: int = 0) -> ContactMethod:
    return ContactMethod(
        name=name, url=f"json://127.0.0.1:{receiver.port}{path}", after_minutes=after
    )


async def paged(s: Sending, incident: str, count: int = 1) -> list[e.Paged] | None:
    """The pages on the incident's timeline, once there are `count` of them."""
    found = [event for event in await s.timeline(incident) if isinstance(event, e.Paged)]
    return found if len(found) >= count else None


def test_a_new_incident_pages_its_first_holder(tmp_path: Path, receiver: HttpReceiver) -> None:
    directory = team({"alice": (json_method(receiver, "phone", "/alice"),)})

    async def scenario() -> None:
        async with sending(tmp_path, directory) as s:
            incident = await s.trigger(severity=1, title="checkout down")
            [page] = await until(lambda: receiver.at("/alice"), "alice paged")
            assert page.json()["title"] == f"SEV1 {incident}: checkout down"
            assert "New on checkout; you are on call." in page.json()["message"]
            [told] = await until(lambda: paged(s, incident), "the page on the timeline")
            assert (told.to, told.method, told.outcome, told.attempt) == (
                "alice", "phone", "delivered", 1,
            )  # fmt: skip
            [state] = await until(lambda: settled(s, "phone"), "the page's delivery recorded")
            assert state.status == "delivered"

    run(scenario())


def ntfy_method(receiver: HttpReceiver, topic: str) -> ContactMethod:
    return ContactMethod(name="ntfy", url=f"ntfy://127.0.0.1:{receiver.port}/{topic}")


def ntfy_pages(receiver: HttpReceiver, topic: str) -> list[dict[str, str]]:
    return [r.json() for r in receiver.at("/") if r.json().get("topic") == topic]


def test_an_escalation_by_timeout_pages_the_next_levels_responder(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    directory = team(
        {"alice": (ntfy_method(receiver, "alice"),), "bob": (ntfy_method(receiver, "bob"),)}
    )

    async def scenario() -> None:
        async with sending(tmp_path, directory) as s:
            incident = await s.trigger(severity=2)
            await until(lambda: ntfy_pages(receiver, "alice"), "alice paged")
            assert ntfy_pages(receiver, "bob") == []
            s.clock.advance(minutes=11)
            await s.escalate_due()
            [page] = await until(lambda: ntfy_pages(receiver, "bob"), "bob paged")
            assert page["title"] == f"SEV2 {incident}: checkout down"
            assert page["message"].startswith("Escalated to you at level 2 (level 1 timed out).")
            told = await until(lambda: paged(s, incident, 2), "both pages on the timeline")
            assert [(p.to, p.outcome) for p in told] == [
                ("alice", "delivered"),
                ("bob", "delivered"),
            ]

    run(scenario())


async def settled(s: Sending, method: str) -> list[PageState]:
    """The pages by `method` that are no longer pending."""
    return [p for p in await s.pages() if p.page.method == method and p.status != "pending"]


def phone_and_mail(
    receiver: HttpReceiver, smtp: SmtpReceiver
) -> dict[str, tuple[ContactMethod, ...]]:
    """alice: her phone (a JSON webhook) at once, e-mail after 5 minutes."""
    mail = ContactMethod(name="mail", url=smtp.url("alice@example.com"), after_minutes=5)
    return {"alice": (json_method(receiver, "phone", "/alice"), mail)}


def test_an_unacknowledged_page_goes_on_by_email_after_its_delay(
    tmp_path: Path, receiver: HttpReceiver, smtp: SmtpReceiver
) -> None:
    async def scenario() -> None:
        async with sending(tmp_path, team(phone_and_mail(receiver, smtp))) as s:
            incident = await s.trigger(severity=2)
            await until(lambda: receiver.at("/alice"), "alice's phone")
            assert smtp.mailbox.messages == []
            s.clock.advance(minutes=5)
            [(to, message)] = await until(lambda: smtp.mailbox.messages, "alice's e-mail")
            assert to == ["alice@example.com"]
            assert f"Subject: SEV2 {incident}: checkout down" in message.decode()
            told = await until(lambda: paged(s, incident, 2), "both on the timeline")
            assert [(p.method, p.outcome) for p in told] == [
                ("phone", "delivered"),
                ("mail", "delivered"),
            ]

    run(scenario())


def test_acknowledging_cancels_the_delayed_method(
    tmp_path: Path, receiver: HttpReceiver, smtp: SmtpReceiver
) -> None:
    async def scenario() -> None:
        async with sending(tmp_path, team(phone_and_mail(receiver, smtp))) as s:
            incident = await s.trigger(severity=2)
            await until(lambda: receiver.at("/alice"), "alice's phone")
            await s.act(c.Acknowledge(incident=incident), "alice")
            mail = await until(lambda: settled(s, "mail"), "the e-mail cancelled")
            assert [(p.status, p.why) for p in mail] == [
                ("cancelled", f"{incident} was acknowledged by alice")
            ]
            s.clock.advance(minutes=6)
            # Another incident paged after the e-mail's time: the sender has looked since.
            other = await s.trigger(severity=2, title="second")
            await until(lambda: len(receiver.at("/alice")) == 2, "the second incident paged")
            assert smtp.mailbox.messages == []
            assert [(p.method, p.outcome) for p in await paged(s, incident) or []] == [
                ("phone", "delivered")
            ]
            del other

    run(scenario())


def test_quiet_hours_hold_a_sev4_until_morning_and_never_a_sev1(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    directory = team({"alice": (json_method(receiver, "phone", "/alice"),)})

    async def scenario() -> None:
        # 03:00 UTC is 04:00 in Berlin: inside the team's quiet hours (22:00 to 07:00).
        async with sending(tmp_path, directory) as s:
            low = await s.trigger(severity=4, title="disk at 80%")
            high = await s.trigger(severity=1, title="checkout down")
            [page] = await until(lambda: receiver.at("/alice"), "the SEV1 paged")
            assert page.json()["title"] == f"SEV1 {high}: checkout down"
            [held] = await until(lambda: paged(s, low), "the SEV4 held, on its timeline")
            assert (held.outcome, held.next_at) == (
                "held",
                datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
            )
            assert len(receiver.at("/alice")) == 1
            s.clock.advance(hours=3)  # 07:00 in Berlin
            morning = await until(
                lambda: [
                    r.json()
                    for r in receiver.at("/alice")
                    if r.json()["title"] == f"SEV4 {low}: disk at 80%"
                    and r.json()["message"].startswith("New on checkout")
                ],
                "the SEV4 paged in the morning",
            )
            assert len(morning) == 1

    run(scenario())


def test_a_failing_receiver_is_retried_with_backoff_and_its_failures_are_on_the_timeline(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    receiver.answers["/alice"] = 500
    closed = free_port()  # nothing listens there: the connection is refused
    directory = team(
        {
            "alice": (
                json_method(receiver, "phone", "/alice"),
                ContactMethod(name="pager", url=f"json://127.0.0.1:{closed}/x"),
            )
        }
    )

    async def scenario() -> None:
        async with sending(tmp_path, directory, tries=3, first_retry=0.3) as s:
            incident = await s.trigger(severity=1)
            told = await until(lambda: paged(s, incident, 6), "three tries of each on the timeline")
            phone = [p for p in told if p.method == "phone"]
            assert [(p.outcome, p.attempt) for p in phone] == [
                ("failed", 1), ("failed", 2), ("gave-up", 3),
            ]  # fmt: skip
            assert all("error=500" in p.detail for p in phone)
            pager = [p for p in told if p.method == "pager"]
            assert [p.outcome for p in pager] == ["failed", "failed", "gave-up"]
            assert all("Connection error" in p.detail for p in pager)

            async def given_up() -> PageState | None:
                # The page store's record may follow the timeline's by a moment.
                [state] = [p for p in await s.pages() if p.page.method == "phone"]
                return state if state.status == "gave-up" else None

            state = await until(given_up, "the page store's record of giving up")
            first, second, third = state.attempts
            # Backoff: tried again 0.3 s after the first failure, then twice that; not before.
            waits = [(a.next_at - a.at).total_seconds() for a in (first, second) if a.next_at]
            assert waits == [0.3, 0.6]
            assert second.at >= first.next_at and third.at >= second.next_at  # type: ignore[operator]

    run(scenario())


def test_a_slow_receiver_holds_up_no_other_page_and_no_action(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    receiver.answers["/alice-slow"] = ("slow", 2.0)
    directory = team(
        {
            "alice": (json_method(receiver, "slow", "/alice-slow"),),
            "carol": (json_method(receiver, "phone", "/carol"),),
        }
    )

    async def scenario() -> None:
        async with sending(tmp_path, directory, send_timeout=5.0) as s:
            slow = await s.trigger(severity=1)
            await until(lambda: s.pager.flying, "alice's page under way")
            started = time.monotonic()
            await s.act(c.Acknowledge(incident=slow), "alice")
            await s.trigger(severity=1, service="search")
            await until(lambda: receiver.at("/carol"), "carol paged")
            assert time.monotonic() - started < 1.5
            assert receiver.at("/alice-slow") == []  # still waiting for its answer
            await until(lambda: receiver.at("/alice-slow"), "alice's slow page answered")

    run(scenario())


async def to_bob(s: Sending) -> list[PageState]:
    return [p for p in await s.pages() if p.page.to == "bob"]


def test_a_hand_off_pages_its_receiver_and_nobody_who_did_it_themselves(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    directory = team(
        {
            "alice": (json_method(receiver, "phone", "/alice"),),
            "bob": (json_method(receiver, "phone", "/bob"),),
            "carol": (json_method(receiver, "phone", "/carol"),),
        }
    )

    async def scenario() -> None:
        async with sending(tmp_path, directory) as s:
            incident = await s.trigger(severity=2)
            await until(lambda: receiver.at("/alice"), "alice paged")
            await s.act(c.HandOff(incident=incident, to="carol", note="you know the db"), "alice")
            [page] = await until(lambda: receiver.at("/carol"), "carol paged")
            assert page.json()["message"].startswith("Handed to you by alice: you know the db")
            await s.act(c.HandOff(incident=incident, to="bob"), "bob")  # bob takes it
            mine = await until(lambda: to_bob(s), "bob's page passed over")
            assert [(p.status, p.why) for p in mine] == [
                ("cancelled", f"bob took {incident} themselves")
            ]
            await s.act(c.HandOff(incident=incident, to="alice"), "carol")  # back to alice
            await until(lambda: len(receiver.at("/alice")) == 2, "alice paged again")
            assert receiver.at("/bob") == []

    run(scenario())


def test_an_sla_about_to_breach_and_an_acknowledgement_that_ran_out_page_the_holder(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    directory = team({"alice": (json_method(receiver, "phone", "/alice"),)})

    async def scenario() -> None:
        async with sending(tmp_path, directory) as s:
            incident = await s.trigger(severity=1)  # acknowledge within 5 minutes
            await until(lambda: receiver.at("/alice"), "alice paged")
            s.clock.advance(minutes=4)  # the last quarter of the 5 minutes
            await until(lambda: len(receiver.at("/alice")) == 2, "the SLA's page")
            assert (
                receiver.at("/alice")[1]
                .json()["message"]
                .startswith("Its SLA to acknowledge runs out at 2026-11-23 03:05 UTC")
            )
            await s.act(c.Acknowledge(incident=incident), "alice")
            s.clock.advance(minutes=31)  # the acknowledgement lasts 30
            await s.escalate_due()
            await until(lambda: len(receiver.at("/alice")) == 3, "paged again")
            assert (
                receiver.at("/alice")[2]
                .json()["message"]
                .startswith("Your acknowledgement ran out")
            )

    run(scenario())


def test_a_customer_update_falling_due_pages_the_holder_an_hour_after_the_last_one(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    directory = team({"alice": (json_method(receiver, "phone", "/alice"),)})

    def updates() -> list[str]:
        said = [request.json()["message"] for request in receiver.at("/alice")]
        return [message for message in said if message.startswith("An update to Acme is due")]

    async def scenario() -> None:
        async with sending(tmp_path, directory) as s:
            incident = await s.trigger(severity=2, customer="Acme")  # an update every hour
            await until(lambda: receiver.at("/alice"), "alice paged")
            await s.act(c.Acknowledge(incident=incident), "alice")
            s.clock.advance(minutes=20)  # within the 30 minutes the acknowledgement lasts
            await s.act(
                c.LogCommunication(
                    incident=incident,
                    channel=Channel.EMAIL,
                    direction=Direction.OUTBOUND,
                    counterpart="Acme",
                    summary="on it",
                ),
                "alice",
            )
            s.clock.advance(minutes=61)  # an hour after that update, not after the trigger
            await until(updates, "the update's page")
            assert updates()[0].startswith("An update to Acme is due (every 1h00m)")
            paged_for = [p.page for p in await s.timeline(incident) if isinstance(p, e.Paged)]
            [update] = [page for page in paged_for if "/customer-update/" in page]
            assert update.startswith(f"{incident}/customer-update/alice/20261123T0420")

    run(scenario())


def test_webhooks_get_the_events_they_asked_for_signed_with_their_secret(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    async def scenario() -> None:
        async with sending(tmp_path, team({})) as s:
            hook = new_webhook(receiver.url("/hook"), ("triggered", "acknowledged"), NOW)
            await s.backend.paging.add_webhook(hook)
            await until(lambda: s.pager.webhooks, "the sender to know the webhook")
            incident = await s.trigger(severity=2)
            await s.act(c.AddNote(incident=incident, text="not asked for"), "alice")
            await s.act(c.Acknowledge(incident=incident), "alice")
            arrived = await until(
                lambda: len(receiver.at("/hook")) == 2 and receiver.at("/hook"), "both"
            )
            # Each goes out on its own, so they may arrive in either order: the ids order them.
            got = sorted(arrived, key=lambda r: int(r.json()["id"].rpartition(".")[2]))
            assert [r.json()["type"] for r in got] == ["triggered", "acknowledged"]
            assert [r.json()["id"] for r in got] == [f"{incident}.1", f"{incident}.3"]
            for request in got:
                expected = hmac.new(hook.secret.encode(), request.body, hashlib.sha256)
                assert request.headers["X-Esctui-Signature"] == f"sha256={expected.hexdigest()}"
                assert request.headers["X-Esctui-Delivery"] == f"{request.json()['id']}/{hook.id}"
            assert got[1].json()["incident"]["status"] == "acknowledged"

    run(scenario())
