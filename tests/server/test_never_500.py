"""Input a client can send, and files the server's host can break, get their 4xx or a 503 with
a sentence: never a 500."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from esctui.domain.models import Status
from live_server import Spawned, make_tokens
from served_store import ServedStore, apart

from .conftest import Running, journal_only
from .intake_support import eventually


def triggered(server: Running) -> str:
    incidents = server.store.look().incidents.values()
    return min(i.id for i in incidents if i.status is Status.TRIGGERED)


def test_a_last_event_id_or_an_if_match_that_is_no_number_is_refused(server: Running) -> None:
    incident = triggered(server)
    with server.client() as client:
        stream = client.get("/v1/events", headers={"Last-Event-ID": b"\xb2"})
        note = client.post(
            f"/v1/incidents/{incident}/notes", json={"text": "x"}, headers={"If-Match": b'"\xb2"'}
        )
    assert stream.status_code == 400, stream.text
    assert stream.json()["detail"] == "Last-Event-ID '²' is not a revision."
    assert note.status_code == 412, note.text
    assert note.json()["detail"] == "If-Match '\"²\"' names no incident version."


def test_a_body_nested_too_deep_is_422(server: Running) -> None:
    deep = '{"a":' * 5000 + '"x"' + "}" * 5000
    body = f'{{"title":"t","service":"checkout","severity":2,"labels":{deep}}}'
    with server.client() as client:
        refused = client.post(
            "/v1/incidents", content=body, headers={"Content-Type": "application/json"}
        )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == "The request body is nested too deeply to be read."


@journal_only
def test_a_damaged_tokens_file_is_503_naming_it_and_health_says_so(server: Running) -> None:
    tokens = server.store.path / "tokens.json"
    tokens.write_text("{damaged")
    with server.client() as client:
        queue = client.get("/v1/queue")
        health = client.get("/healthz")
    for answer in (queue, health):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert f"{tokens} is damaged" in answer.json()["detail"]
    assert queue.json()["detail"].startswith("No token can be checked: ")
    assert health.json()["detail"].startswith("The server lets nobody in: ")


def archive_resolved(admin: httpx.Client) -> None:
    """Compact the store, archiving every resolved incident at once."""
    compacted = admin.post("/v1/store/compact", json={"archive_after_seconds": 0})
    assert compacted.status_code == 200 and "archived" in compacted.json()["summary"]


@journal_only  # compacted at once; a database archives by age
def test_a_request_resent_after_its_incident_was_archived_gets_its_answer(
    server: Running,
) -> None:
    incident = triggered(server)
    resolve = f"/v1/incidents/{incident}/actions/resolve"
    headers = {"If-Match": "*", "Idempotency-Key": "resolve-before-archive"}
    with server.client() as client, server.client("admin") as admin:
        first = client.post(resolve, json={"note": "fixed"}, headers=headers)
        assert first.status_code == 200, first.text
        archive_resolved(admin)
        assert incident not in server.store.look().incidents
        again = client.post(resolve, json={"note": "fixed"}, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["changes"] == first.json()["changes"]
    assert again.json()["incident"]["status"] == "resolved"


def test_a_compaction_the_disk_refuses_is_503_naming_the_file(store_path: Path) -> None:
    tokens = make_tokens(store_path)
    server = Spawned(store_path, file_limit=4096)
    try:
        url = server.start()
        journal = (store_path / "journal.jsonl").read_bytes()
        refused = httpx.post(
            f"{url}/v1/store/compact",
            json={"archive_after_seconds": 0},
            headers={"Authorization": f"Bearer {tokens['admin']}"},
            timeout=30,
        )
        health = httpx.get(f"{url}/healthz", timeout=10)
    finally:
        server.stop()
    assert refused.status_code == 503, refused.text
    detail = json.loads(refused.text)["detail"]
    assert detail.startswith(f"Cannot write {store_path}/")
    assert ": File too large. The compaction stopped there; nothing recorded was lost." in detail
    assert health.status_code == 200
    assert (store_path / "journal.jsonl").read_bytes() == journal
    assert sorted(p.name for p in store_path.glob(".*")) == []


def break_timelines(store: ServedStore) -> str:
    """Make the store unable to read timelines (its queue still reads); what its sentence
    names."""
    if store.kind == "journal":
        [timelines] = store.path.glob("timelines-*.json")
        timelines.write_text("{damaged")
        return f"{timelines} is damaged"

    async def rename() -> None:
        import asyncpg

        connection = await asyncpg.connect(store.where)
        try:
            await connection.execute("ALTER TABLE events RENAME TO events_elsewhere")
        finally:
            await connection.close()

    apart(rename)
    return f'The database {store.where} failed: relation "events" does not exist'


def test_a_read_the_store_cannot_answer_is_503_with_its_sentence(server: Running) -> None:
    incident = triggered(server)
    named = break_timelines(server.store)
    with server.client() as client:
        one = client.get(f"/v1/incidents/{incident}")
        since = client.get("/v1/history", params={"since": "2000-01-01T00:00:00Z"})
        health = client.get("/healthz")
    for answer in (one, since):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"].startswith(named), answer.text
    assert health.status_code == 200  # the server itself is fine


@journal_only  # compacted at once; a database archives by age
def test_a_review_written_after_its_incident_was_archived_is_recorded_and_shown(
    server: Running,
) -> None:
    incident = triggered(server)
    actions = f"/v1/incidents/{incident}/actions"
    review = {
        "cause": "capacity",
        "summary": "Disk filled",
        "follow_ups": [{"action": "Alert at 80%", "owner": "bob", "due": "2031-01-31"}],
    }
    with server.client() as client, server.client("admin") as admin:
        resolved = client.post(f"{actions}/resolve", json={}, headers={"If-Match": "*"})
        assert resolved.status_code == 200, resolved.text
        archive_resolved(admin)
        reopen = client.post(f"{actions}/reopen", json={}, headers={"If-Match": "*"})
        reviewed = client.post(
            f"/v1/incidents/{incident}/review", json=review, headers={"If-Match": "*"}
        )
        assert reviewed.status_code == 200, reviewed.text
        shown = eventually(
            lambda: client.get("/v1/queue").json(), lambda queue: incident in queue["incidents"]
        )
    assert reopen.status_code == 409, reopen.text
    assert "only a review or a follow-up" in reopen.json()["detail"]
    assert reviewed.status_code == 200, reviewed.text
    [follow_up] = shown["incidents"][incident]["follow_ups"]
    assert follow_up["owner"] == "bob" and follow_up["done_at"] is None
