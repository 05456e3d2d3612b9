"""What reaches clients without anyone asking: the server's own auto-escalation, and what
other processes write straight to the store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from esctui.backends.base import Update
from esctui.backends.http.sse import EventParser
from esctui.domain import commands as c
from esctui.domain.events import Escalated, NoteAdded
from served_store import ServedStore

from .conftest import FAST, Running, run_in_thread


def first_update(
    server: Running, wanted: Callable[[Update], bool], act: Callable[[], None]
) -> Update:
    async def scenario() -> Update:
        frank = server.backend("frank")
        queue = await frank.open()
        stream = frank.follow(queue.revision)
        act()

        async def look() -> Update:
            async for update in stream:
                if wanted(update):
                    return update
            raise AssertionError("the stream ended")

        try:
            return await asyncio.wait_for(look(), 10)
        finally:
            await stream.aclose()
            await frank.close()

    return asyncio.run(scenario())


def test_the_server_escalates_on_its_own_timer(team_store: ServedStore, tmp_path: Path) -> None:
    store = team_store
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    store.execute(
        c.Trigger(title="Disk full", service="api", severity=2),
        "alice",
        clock=lambda: an_hour_ago,
    )  # level 1 timed out 50 minutes ago; nobody will touch the store from now on
    runs = run_in_thread(store, FAST, tmp_path)
    server = next(runs)
    try:
        update = first_update(
            server,
            lambda u: any(isinstance(ch.event, Escalated) for ch in u.changes),
            lambda: None,
        )
    finally:
        runs.close()
    escalated = next(ch.event for ch in update.changes if isinstance(ch.event, Escalated))
    assert escalated.incident == "INC-1001" and escalated.by is None
    assert escalated.to_level == 2


def test_what_another_process_writes_to_the_store_reaches_clients(server: Running) -> None:
    incident = min(server.store.look().incidents)

    def write_locally() -> None:
        server.store.execute(c.AddNote(incident=incident, text="from cron"), "bob")

    update = first_update(
        server,
        lambda u: any(isinstance(ch.event, NoteAdded) for ch in u.changes),
        write_locally,
    )
    note = next(ch.event for ch in update.changes if isinstance(ch.event, NoteAdded))
    assert note.text == "from cron" and note.by == "bob"


@pytest.mark.parametrize("served", ["journal"], indirect=True)
def test_resuming_from_further_back_than_the_server_holds_is_a_resync(server: Running) -> None:
    # The demo store's history is all in its snapshot: revision 1 is long gone. (A database
    # keeps every event: a server over one gives back its newest 4,096 changes, see
    # test_events.py.)
    with (
        server.client() as client,
        client.stream("GET", "/v1/events", headers={"Last-Event-ID": "1"}) as response,
    ):
        parser = EventParser()
        events = []
        for chunk in response.iter_bytes():
            events += parser.feed(chunk)
            if events:
                break
    revision = httpx.get(f"{server.url}/healthz").json()["revision"]
    assert events[0].event == "resync"
    assert events[0].data == f'{{"revision": {revision}}}'
