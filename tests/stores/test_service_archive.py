"""What the learning loop keeps after archiving, over every store: an incident whose review left
follow-up actions open is not archived however old it is, and a review written after its
incident was archived is still recorded (bringing it back), while nothing else may change it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.events import FollowUpDone, ReviewRecorded
from esctui.domain.models import CauseCategory
from esctui.service.incidents import IncidentService
from esctui.service.ports import EventStore

from .conftest import NOW, Place, team

LONG_AGO = NOW - timedelta(days=20)
FIX = c.FollowUpItem(action="Alert on disk at 80%", owner="bob", due=date(2026, 12, 1))


def review(incident: str, *items: c.FollowUpItem) -> c.RecordReview:
    return c.RecordReview(
        incident=incident, cause=CauseCategory.CAPACITY, summary="Disk filled", follow_ups=items
    )


async def resolved_long_ago(store: EventStore, *commands: Any) -> str:
    """A SEV2 opened and resolved 20 days before NOW, then `commands` on it (then too)."""
    then = IncidentService(store, lambda: LONG_AGO)
    opened = await then.execute(c.Trigger(title="disk full", service="api", severity=2), "alice")
    incident = opened.incident.id
    await then.execute(c.Resolve(incident=incident), "alice")
    for command in commands:
        await then.execute(command(incident), "alice")
    return incident


async def archive(store: Any) -> None:
    """Archive what is old enough: the journal does it when compacted, a database by age."""
    if hasattr(store, "compact"):
        await store.compact(timedelta(days=14))


def test_open_follow_ups_keep_an_old_incident_in_the_queue(store_factory: Place) -> None:
    async def scenario() -> Any:
        await store_factory.create(team(), [])
        store = await store_factory.open()
        try:
            incident = await resolved_long_ago(store, lambda i: review(i, FIX))
            await archive(store)
            kept = incident in (await store.read()).incidents
            done = await IncidentService(store, lambda: NOW).execute(
                c.CompleteFollowUp(incident=incident, number=1), "bob"
            )
            await archive(store)
            after = incident in (await store.read()).incidents
            history = await store.history(incident)
            return kept, done, after, history
        finally:
            await store.close()

    kept, done, after, history = asyncio.run(scenario())
    assert kept, "an incident with an open follow-up left the queue"
    assert [type(change.event) for change in done.changes] == [FollowUpDone]
    assert not after, "with its follow-ups done, it is archived as any other"
    assert history is not None and isinstance(history.timeline[-1], FollowUpDone)
    assert history.incident.follow_ups[0].done_by == "bob"


def test_a_review_is_recorded_on_an_incident_archived_without_one(store_factory: Place) -> None:
    async def scenario() -> Any:
        await store_factory.create(team(), [])
        store = await store_factory.open()
        try:
            incident = await resolved_long_ago(store)
            await archive(store)
            before = incident in (await store.read()).incidents
            now = IncidentService(store, lambda: NOW)
            refused = []
            for command in (c.Reopen(incident=incident), c.AddNote(incident=incident, text="x")):
                with pytest.raises(DomainError) as error:
                    await now.execute(command, "alice")
                refused.append(str(error.value))
            reviewed = await now.execute(review(incident, FIX), "carol")
            queue = await store.read()
            await now.execute(c.CompleteFollowUp(incident=incident, number=1), "bob")
            history = await store.history(incident)
            return before, refused, reviewed, queue, history
        finally:
            await store.close()

    before, refused, reviewed, queue, history = asyncio.run(scenario())
    incident = reviewed.incident.id
    assert not before
    assert all("archived" in sentence and "review" in sentence for sentence in refused)
    assert isinstance(reviewed.changes[0].event, ReviewRecorded)
    assert reviewed.changes[0].event.version == 3
    assert reviewed.incident.reviewed_at == NOW
    assert incident in queue.incidents, "the follow-up brought it back to the queue"
    assert queue.incidents[incident].follow_ups_open()
    assert history is not None
    assert [event.version for event in history.timeline] == [1, 2, 3, 4, 5]
    assert not history.incident.follow_ups_open()


def test_followers_read_the_whole_queue_when_an_archived_incident_comes_back(
    store_factory: Place,
) -> None:
    async def scenario() -> Any:
        await store_factory.create(team(), [])
        store = await store_factory.open()
        watcher = await store_factory.open()
        try:
            incident = await resolved_long_ago(store)
            await archive(store)
            start = (await watcher.read()).revision
            following = watcher.follow(start, interval=0.05)
            await IncidentService(store, lambda: NOW).execute(review(incident, FIX), "carol")
            followed = await asyncio.wait_for(anext(following), 10)
            await following.aclose()  # type: ignore[attr-defined]
            return incident, followed
        finally:
            await watcher.close()
            await store.close()

    incident, followed = asyncio.run(scenario())
    assert followed.queue is not None, "a follower was sent an event of an incident it lacks"
    assert followed.queue.incidents[incident].reviewed_at == NOW
