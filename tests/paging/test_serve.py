"""`esctui serve` sends its store's pages: a page owed by an action taken elsewhere (a CLI on
the store) reaches its receiver; and the server's answers never show a contact URL's secret."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import msgspec

from acting import execute
from esctui.domain import commands as c
from esctui.domain.models import ContactMethod
from esctui.stores.journal import create_store
from esctui.stores.journal.tokens import TokenBook
from live_server import Spawned
from paging.receivers import HttpReceiver
from paging.sending import team


def test_the_server_sends_the_pages_of_its_store(tmp_path: Path, receiver: HttpReceiver) -> None:
    phone = ContactMethod(name="phone", url=f"json://127.0.0.1:{receiver.port}/alice")
    mail = ContactMethod(
        name="mail", url="mailtos://alice:hunter2@mail.example.com", after_minutes=60
    )
    store = tmp_path / "store"
    create_store(store, team({"alice": (phone, mail)}), [], now=datetime.now(UTC))
    token = TokenBook(store).create("alice", datetime.now(UTC), admin=True)[0]
    server = Spawned(store)
    url = server.start()
    try:
        [triggered] = execute(
            store, c.Trigger(title="db down", service="checkout", severity=1), None
        )
        deadline = time.monotonic() + 20
        while not receiver.at("/alice"):
            assert time.monotonic() < deadline, "the server never paged alice"
            time.sleep(0.05)
        [page] = receiver.at("/alice")
        assert page.json()["title"] == f"SEV1 {triggered.event.incident}: db down"
        headers = {"Authorization": f"Bearer {token}"}
        for path in ("/v1/directory", "/v1/responders", "/v1/queue"):
            answer = httpx.get(url + path, headers=headers, timeout=10)
            assert answer.status_code == 200
            assert "hunter2" not in answer.text and "alice:****@mail.example.com" in answer.text
        bad = team({"alice": (ContactMethod(name="phone", url="bogus://x"),)})
        refused = httpx.put(
            url + "/v1/directory",
            content=msgspec.json.encode(bad),
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
        assert refused.status_code == 422
        assert (
            "responder 'alice''s contact method 'phone' has a URL Apprise cannot use"
            in (refused.json()["detail"])
        )
    finally:
        server.stop()
