"""`Idempotency-Key` against real servers: an action resent with its key is done once, also
when the server was killed and started again in between, and keys are each responder's own."""

from __future__ import annotations

import httpx

from esctui.domain import commands as c
from esctui.domain.events import NoteAdded
from esctui.domain.models import Status
from served_store import ServedStore

from .conftest import Running, Spawned


def notes_saying(store: ServedStore, incident: str, text: str) -> int:
    timeline = store.timeline(incident)
    return sum(isinstance(event, NoteAdded) and event.text == text for event in timeline)


def triggered(store: ServedStore) -> str:
    look = store.look()
    return min(i.id for i in look.incidents.values() if i.status is Status.TRIGGERED)


def test_a_note_resent_after_the_server_was_killed_is_added_once(
    spawned: tuple[Spawned, dict[str, str]], served: ServedStore
) -> None:
    server, tokens = spawned
    incident = triggered(served)
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
    assert notes_saying(served, incident, "rebooting db-2") == 1


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


def test_a_key_reused_for_another_request_is_422_and_nothing_is_done(server: Running) -> None:
    store = server.store.look()
    first, other = sorted(i.id for i in store.incidents.values() if i.status is Status.TRIGGERED)[
        :2
    ]
    key = {"If-Match": "*", "Idempotency-Key": "reused"}
    with server.client() as client:
        noted = client.post(f"/v1/incidents/{first}/notes", json={"text": "on it"}, headers=key)
        elsewhere = client.post(f"/v1/incidents/{other}/actions/acknowledge", headers=key)
        other_text = client.post(f"/v1/incidents/{first}/notes", json={"text": "hm"}, headers=key)
        same = client.post(f"/v1/incidents/{first}/notes", json={"text": "on it"}, headers=key)
    assert noted.status_code == same.status_code == 200
    assert same.json()["changes"] == noted.json()["changes"]
    for refused in (elsewhere, other_text):
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"] == (
            f"This Idempotency-Key was already used for another request (note-added of "
            f"{first}); use a new key for a new request. Nothing was done."
        )
    after = server.store.look()
    assert after.incidents[other].status is Status.TRIGGERED
    assert notes_saying(server.store, first, "on it") == 1
    assert notes_saying(server.store, first, "hm") == 0


def test_a_key_reused_after_a_refusal_is_422(server: Running) -> None:
    store = server.store.look()
    acknowledged = min(i.id for i in store.incidents.values() if i.status is Status.ACKNOWLEDGED)
    key = {"If-Match": "*", "Idempotency-Key": "refused-first"}
    with server.client() as client:
        refused = client.post(f"/v1/incidents/{acknowledged}/actions/acknowledge", headers=key)
        again = client.post(f"/v1/incidents/{acknowledged}/actions/acknowledge", headers=key)
        reused = client.post(f"/v1/incidents/{acknowledged}/notes", json={"text": "x"}, headers=key)
    assert refused.status_code == again.status_code == 409
    assert again.json() == refused.json()
    assert reused.status_code == 422
    assert "already used for another request (one that was refused)" in reused.json()["detail"]


def test_keys_recorded_before_requests_were_named_are_still_answered(server: Running) -> None:
    incident = triggered(server.store)
    # As an esctui from before recorded it: the responder's key, with nothing naming the request.
    [recorded] = server.store.execute(
        c.AddNote(incident=incident, text="from before"), "frank", key="frank\x1fold-key"
    )
    with server.client() as client:
        again = client.post(
            f"/v1/incidents/{incident}/notes",
            json={"text": "from before"},
            headers={"If-Match": "*", "Idempotency-Key": "old-key"},
        )
    assert again.status_code == 200, again.text
    assert [change["revision"] for change in again.json()["changes"]] == [recorded.revision]
    assert notes_saying(server.store, incident, "from before") == 1
