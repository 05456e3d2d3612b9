"""`Idempotency-Key` against real servers: an action resent with its key is done once, also
when the server was killed and started again in between, and keys are each responder's own."""

from __future__ import annotations

from pathlib import Path

import httpx

from esctui.domain.events import NoteAdded
from esctui.domain.models import Status

from .conftest import Running, Spawned, reopen


def notes_saying(store_path: Path, incident: str, text: str) -> int:
    timeline = reopen(store_path).timeline(incident)
    return sum(isinstance(event, NoteAdded) and event.text == text for event in timeline)


def triggered(store_path: Path) -> str:
    store = reopen(store_path)
    return min(i.id for i in store.incidents.values() if i.status is Status.TRIGGERED)


def test_a_note_resent_after_the_server_was_killed_is_added_once(
    spawned: tuple[Spawned, dict[str, str]], store_path: Path
) -> None:
    server, tokens = spawned
    incident = triggered(store_path)
    path = f"/v1/incidents/{incident}/notes"
    headers = {
        "Authorization": f"Bearer {tokens['frank']}",
        "If-Match": "*",
        "Idempotency-Key": "note-after-crash",
    }

    server.start()
    first = httpx.post(f"{server.url}{path}", json={"text": "rebooting db-2"}, headers=headers)
    server.kill()
    server.start()  # same port, same store, nothing in memory
    again = httpx.post(f"{server.url}{path}", json={"text": "rebooting db-2"}, headers=headers)

    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["changes"] == first.json()["changes"]
    assert notes_saying(store_path, incident, "rebooting db-2") == 1


def test_the_same_key_from_another_responder_is_another_action(server: Running) -> None:
    incident = triggered(server.store)
    path = f"/v1/incidents/{incident}/notes"
    headers = {"If-Match": "*", "Idempotency-Key": "shared-key"}
    with server.client("frank") as frank, server.client("alice") as alice:
        by_frank = frank.post(path, json={"text": "on it"}, headers=headers)
        by_alice = alice.post(path, json={"text": "on it"}, headers=headers)
    assert by_frank.status_code == by_alice.status_code == 200, by_alice.text
    [frank_change] = by_frank.json()["changes"]
    [alice_change] = by_alice.json()["changes"]
    assert frank_change["revision"] != alice_change["revision"]
    assert (frank_change["event"]["by"], alice_change["event"]["by"]) == ("frank", "alice")
    assert notes_saying(server.store, incident, "on it") == 2


def test_a_resent_action_gets_its_changes_with_the_incident_as_it_is_now(
    server: Running,
) -> None:
    incident = triggered(server.store)
    path = f"/v1/incidents/{incident}/actions"
    with server.client() as client:
        version = client.get(f"/v1/incidents/{incident}").json()["incident"]["version"]
        headers = {"If-Match": f'"{version}"', "Idempotency-Key": "ack-1"}
        first = client.post(f"{path}/acknowledge", headers=headers)
        client.post(f"{path}/escalate", json={}, headers={"If-Match": "*"})
        again = client.post(f"{path}/acknowledge", headers=headers)  # its version is stale now
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["changes"] == first.json()["changes"]
    now = again.json()["incident"]
    assert now["version"] > first.json()["incident"]["version"]
    assert again.headers["etag"] == f'"{now["version"]}"'


def test_a_key_the_header_cannot_hold_is_refused(server: Running) -> None:
    with server.client() as client:
        refused = client.post(
            f"/v1/incidents/{triggered(server.store)}/notes",
            json={"text": "x"},
            headers={"If-Match": "*", "Idempotency-Key": "tab\there"},
        )
    assert refused.status_code == 400
