"""Undo over the team server: the route, and the HTTP backend the console uses, against a real
server."""

from __future__ import annotations

import asyncio

from esctui.domain import commands as c
from esctui.domain.events import Reverted
from esctui.domain.models import Status

from .conftest import Running
from .test_api import PROBLEM, first


def test_undo_takes_back_my_own_change_and_no_one_elses(server: Running) -> None:
    with server.client() as frank, server.client("alice") as alice:
        incident = first(frank, "triggered")
        path = f"/v1/incidents/{incident['id']}/actions"
        done = frank.post(f"{path}/acknowledge", headers={"If-Match": "*"})
        version = done.json()["incident"]["version"]
        etag = done.headers["etag"]
        not_hers = alice.post(f"{path}/undo", json={"version": version}, headers={"If-Match": etag})
        no_body = frank.post(f"{path}/undo", headers={"If-Match": etag})
        undone = frank.post(f"{path}/undo", json={"version": version}, headers={"If-Match": etag})
        again = frank.post(f"{path}/undo", json={"version": version}, headers={"If-Match": "*"})
    assert not_hers.status_code == 409
    assert not_hers.headers["content-type"].startswith(PROBLEM)
    assert "was frank's; only your own changes can be undone" in not_hers.json()["detail"]
    assert no_body.status_code == 422
    assert undone.status_code == 200, undone.text
    assert undone.json()["incident"]["status"] == "triggered"
    assert [ch["event"]["type"] for ch in undone.json()["changes"]] == ["reverted"]
    assert again.status_code == 409  # the incident has moved on: by the undo itself
    state = server.store.look().incidents[str(incident["id"])]
    assert state.status is Status.TRIGGERED and state.assignee == incident["assignee"]


def test_the_http_backend_sends_an_undo(server: Running) -> None:
    async def act() -> Reverted:
        frank = server.backend()
        try:
            queue = await frank.open()
            target = min(
                (i for i in queue.incidents.values() if i.status is Status.ACKNOWLEDGED),
                key=lambda i: i.id,
            )
            [resolved] = (
                await frank.execute(
                    c.Resolve(incident=target.id), actor=None, expected_version=target.version
                )
            ).changes
            version = resolved.event.version
            [undone] = (
                await frank.execute(
                    c.Undo(incident=target.id, version=version),
                    actor=None,
                    expected_version=version,
                )
            ).changes
            assert isinstance(undone.event, Reverted)
            return undone.event
        finally:
            await frank.close()

    event = asyncio.run(act())
    assert event.undone == "resolved" and event.by == "frank"
    assert server.store.look().incidents[event.incident].status is Status.ACKNOWLEDGED
