"""A full refresh on demand: the platform read again as a whole, not only what changed since
the last look (PagerDuty's log since then), what it changed told to whoever follows the
queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from esctui.backends.alertmanager import AlertmanagerBackend, AlertmanagerSettings
from esctui.backends.base import FullRefresh, Queue, Update
from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings
from fake_pagerduty import FakePagerDuty, iso
from live_alertmanager import LiveAlertmanager, alert


def test_pagerduty_reads_everything_again_where_its_log_says_nothing(
    pagerduty: FakePagerDuty,
) -> None:
    settings = PagerDutySettings(
        from_email="carol@example.com", token=pagerduty.token, url=pagerduty.url
    )

    async def refreshed() -> tuple[Update | None, Queue, list[Update]]:
        backend = PagerDutyBackend(settings)
        assert isinstance(backend, FullRefresh)
        heard: asyncio.Queue[Update] = asyncio.Queue()
        await backend.open()
        backend.observed.followers.append(heard)  # as `follow` listens
        # Resolved in PagerDuty with no log entry esctui reads (a merge, a clean-up script).
        pagerduty.incidents["PDisk01"].update(status="resolved", resolved_at=iso(datetime.now(UTC)))
        looked = await backend.refresh()  # the log since the last look: nothing
        before = len(pagerduty.sent)
        queue = await backend.full_refresh()
        asked = {(s.path, "since" in s.query) for s in pagerduty.sent[before:]}
        assert ("/incidents", False) in asked  # the open incidents listed again
        assert "/log_entries" not in {path for path, _ in asked}
        await backend.close()
        return looked, queue, [heard.get_nowait() for _ in range(heard.qsize())]

    looked, queue, heard = asyncio.run(refreshed())
    assert looked is None
    assert queue.incidents["PDisk01"].status == "resolved"
    [update] = heard
    assert [c.event.incident for c in update.changes] == ["PDisk01"]


def test_alertmanager_reads_its_groups_again_at_once(alertmanager: LiveAlertmanager) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    settings = AlertmanagerSettings(urls=(alertmanager.url,), identity="carol", poll_every=600)

    async def refreshed() -> tuple[Queue, list[Update]]:
        backend = AlertmanagerBackend(settings)
        assert isinstance(backend, FullRefresh)
        heard: asyncio.Queue[Update] = asyncio.Queue()
        await backend.open()
        backend.observed.followers.append(heard)
        alertmanager.post([alert("Latency", summary="p95 above 2 s", service="api")])
        queue = await backend.full_refresh()  # not in 10 minutes: now
        await backend.close()
        return queue, [heard.get_nowait() for _ in range(heard.qsize())]

    queue, heard = asyncio.run(refreshed())
    assert {i.title for i in queue.incidents.values()} == {"Disk full on db-1", "p95 above 2 s"}
    [update] = heard  # a new service among them: the whole queue, to redraw from
    assert update.queue is not None
    assert update.queue.incidents.keys() == queue.incidents.keys()
