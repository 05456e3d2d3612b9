"""Kill the server mid-session: the backend says it is offline, an acknowledgement made
meanwhile waits in the outbox, and once the server is back it lands exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from esctui.backends.base import ActionQueued, Link, Update
from esctui.backends.http.backend import HttpBackend
from esctui.domain import commands as c
from esctui.domain.events import Acknowledged
from esctui.domain.models import Status
from served_store import ServedStore

from .conftest import Spawned


async def next_matching(updates: asyncio.Queue[Update], wanted: object, timeout: float) -> Update:
    async def look() -> Update:
        while True:
            update = await updates.get()
            if callable(wanted) and wanted(update):
                return update

    return await asyncio.wait_for(look(), timeout)


def test_an_ack_made_while_the_server_is_down_lands_once_when_it_is_back(
    spawned: tuple[Spawned, dict[str, str]], served: ServedStore, tmp_path: Path
) -> None:
    server, tokens = spawned
    url = server.start()
    store = served.look()
    incident = min(i.id for i in store.incidents.values() if i.status is Status.TRIGGERED)
    version = store.incidents[incident].version
    outbox = tmp_path / "outbox-frank.jsonl"

    async def scenario() -> list[Update]:
        frank = HttpBackend(url, tokens["frank"], outbox=outbox, backoff=0.05)
        queue = await frank.open()
        updates: asyncio.Queue[Update] = asyncio.Queue()
        seen: list[Update] = []

        async def follow() -> None:
            async for update in frank.follow(queue.revision):
                seen.append(update)
                updates.put_nowait(update)

        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.2)
        server.kill()
        await next_matching(updates, lambda u: u.link is Link.OFFLINE, 10)
        assert frank.link is Link.OFFLINE
        with pytest.raises(ActionQueued, match="waits in the outbox"):
            await frank.execute(
                c.Acknowledge(incident=incident),
                actor="frank",
                expected_version=version,
                queue_offline=True,
            )
        assert len(outbox.read_text().splitlines()) == 1
        assert served.look().incidents[incident].status is Status.TRIGGERED

        await asyncio.to_thread(server.start)  # the same store, the same port
        await next_matching(updates, lambda u: u.link is Link.ONLINE, 15)
        landed = await next_matching(
            updates,
            lambda u: any(
                isinstance(ch.event, Acknowledged) and ch.event.incident == incident
                for ch in u.changes
            ),
            15,
        )
        assert landed.changes
        await asyncio.sleep(1.0)  # time for a duplicate to show up, if there were one
        follower.cancel()
        await frank.close()
        return seen

    seen = asyncio.run(scenario())
    acks_seen = [
        ch.event
        for update in seen
        for ch in update.changes
        if isinstance(ch.event, Acknowledged) and ch.event.incident == incident
    ]
    assert len(acks_seen) == 1 and acks_seen[0].by == "frank"
    store = served.look()
    acks = [e for e in store.timeline(incident) if isinstance(e, Acknowledged)]
    assert len(acks) == 1
    assert store.incidents[incident].status is Status.ACKNOWLEDGED
    assert outbox.read_text() == ""
    revisions = [ch.revision for update in seen for ch in update.changes]
    assert revisions == sorted(set(revisions)), "no event lost or repeated across the restart"
