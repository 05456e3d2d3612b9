"""PagerDuty's rate limit kept on this side, a 429 told to the console while it is waited
out, and how little the queue asks while nothing happens."""

from __future__ import annotations

import asyncio
import time

from esctui.backends.base import Link, Update
from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings
from esctui.backends.pagerduty.limits import RateLimit, retry_after
from fake_pagerduty import FakePagerDuty


def settings(fake: FakePagerDuty, **more: object) -> PagerDutySettings:
    return PagerDutySettings(
        from_email="carol@example.com",
        token=fake.token,
        url=fake.url,
        **more,  # type: ignore[arg-type]
    )


def test_never_more_requests_in_a_window_than_the_limit() -> None:
    limit = RateLimit(3, window=0.3)
    turns: list[float] = []

    async def take(n: int) -> None:
        for _ in range(n):
            await limit.turn()
            turns.append(time.monotonic())

    asyncio.run(take(7))
    for n, at in enumerate(turns):
        within = [t for t in turns[n:] if t < at + 0.3]
        assert len(within) <= 3
    assert turns[-1] - turns[0] >= 0.6  # the 4th and 7th waited a window each


def test_the_wait_after_a_429_is_what_pagerduty_asks_or_doubles() -> None:
    assert retry_after("7", 0, 1.0) == 7
    assert retry_after(None, 0, 1.0) == 1
    assert retry_after(None, 3, 1.0) == 8
    assert retry_after("soon", 1, 0.5) == 1
    assert retry_after("86400", 0, 1.0) == 60  # at most a minute


def test_idle_the_queue_asks_once_a_poll(pagerduty: FakePagerDuty) -> None:
    async def follow() -> None:
        backend = PagerDutyBackend(settings(pagerduty, poll_every=0.1))
        await backend.open()
        before = len(pagerduty.sent)
        updates = backend.follow(0)
        reading = asyncio.create_task(anext(updates))
        deadline = time.monotonic() + 10
        while len(pagerduty.sent) < before + 4:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        reading.cancel()
        await updates.aclose()
        await backend.close()
        on_call, *polls = pagerduty.sent[before:]
        assert on_call.path == "/oncalls"  # once the queue is shown, then every 5 minutes
        assert {s.path for s in polls} == {"/log_entries"}  # one request a look, nothing else
        assert all("since" in s.query for s in polls)

    asyncio.run(follow())


def test_a_change_is_read_from_the_log_and_its_incident_only(pagerduty: FakePagerDuty) -> None:
    async def look() -> Update | None:
        backend = PagerDutyBackend(settings(pagerduty))
        await backend.open()
        pagerduty.incidents["PDisk01"]["status"] = "acknowledged"
        pagerduty.incidents["PDisk01"]["acknowledgements"] = [
            {"at": "2026-12-02T03:00:00Z", "acknowledger": pagerduty.reference("PBOB001")}
        ]
        pagerduty.entry("PDisk01", "acknowledge_log_entry", "PBOB001")
        before = len(pagerduty.sent)
        update = await backend.refresh()
        asked = [s.path for s in pagerduty.sent[before:]]
        # Who is on call too, never asked before; the other incident is not read again.
        assert asked == ["/log_entries", "/incidents/PDisk01", "/oncalls"]
        await backend.close()
        return update

    update = asyncio.run(look())
    assert update is not None
    [change] = update.changes
    assert (change.event.incident, change.event.by) == ("PDisk01", "bob@example.com")


def test_a_429_is_shown_while_it_is_waited_out(pagerduty: FakePagerDuty) -> None:
    pagerduty.throttled, pagerduty.retry_after = 1, "0.2"

    async def refresh() -> list[Update]:
        backend = PagerDutyBackend(settings(pagerduty))
        heard: asyncio.Queue[Update] = asyncio.Queue()
        backend.observed.followers.append(heard)
        await backend.open()
        await backend.close()
        return [heard.get_nowait() for _ in range(heard.qsize())]

    heard = asyncio.run(refresh())
    links = [u.link for u in heard if u.link is not None]
    assert links == [Link.LIMITED, Link.ONLINE]
    assert any("waiting" in n for u in heard for n in u.notices)
