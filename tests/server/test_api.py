"""The HTTP API against a real server: every status an action can get, and the reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from esctui.backends.http.connection import on_this_machine
from esctui.domain.errors import DomainError
from esctui.domain.models import Status

from .conftest import Running

PROBLEM = "application/problem+json"


def first(client: httpx.Client, status: str) -> dict[str, object]:
    page = client.get("/v1/incidents", params={"status": status}).json()
    incident: dict[str, object] = page["incidents"][0]
    return incident


def test_an_action_with_the_right_version_is_done_and_gives_the_new_etag(server: Running) -> None:
    with server.client() as client:
        incident = first(client, "triggered")
        path = f"/v1/incidents/{incident['id']}"
        read = client.get(path)
        assert read.headers["etag"] == f'"{incident["version"]}"'
        done = client.post(
            f"{path}/actions/acknowledge", headers={"If-Match": read.headers["etag"]}
        )
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["incident"]["status"] == "acknowledged"
        assert body["incident"]["assignee"] == "frank"  # the token's responder
        assert done.headers["etag"] == f'"{body["incident"]["version"]}"'
        assert [c["event"]["type"] for c in body["changes"]] == ["acknowledged"]
    state = server.store.look().incidents[str(incident["id"])]
    assert state.status is Status.ACKNOWLEDGED and state.acknowledged_by == "frank"


def test_a_stale_version_is_412_with_the_incident_as_it_is_now(server: Running) -> None:
    with server.client() as client:
        incident = first(client, "triggered")
        stale = f'"{incident["version"]}"'
        path = f"/v1/incidents/{incident['id']}"
        client.post(f"{path}/notes", json={"text": "first"}, headers={"If-Match": stale})
        refused = client.post(f"{path}/notes", json={"text": "second"}, headers={"If-Match": stale})
    assert refused.status_code == 412
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["status"] == 412
    assert "changed since you looked" in problem["detail"]
    assert problem["incident"]["version"] == int(str(incident["version"])) + 1


def test_a_missing_if_match_is_428_and_nothing_is_done(server: Running) -> None:
    with server.client() as client:
        incident = first(client, "triggered")
        refused = client.post(f"/v1/incidents/{incident['id']}/actions/acknowledge")
    assert refused.status_code == 428
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "If-Match" in refused.json()["detail"]
    assert server.store.look().incidents[str(incident["id"])].status is Status.TRIGGERED


def test_an_illegal_transition_is_409_with_the_domains_sentence(server: Running) -> None:
    with server.client() as client:
        incident = first(client, "resolved")
        refused = client.post(
            f"/v1/incidents/{incident['id']}/actions/acknowledge", headers={"If-Match": "*"}
        )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["detail"].startswith(f"{incident['id']} was resolved by ")


def test_an_unknown_incident_is_404(server: Running) -> None:
    with server.client() as client:
        for response in (
            client.get("/v1/incidents/INC-99999"),
            client.post("/v1/incidents/INC-99999/actions/resolve", headers={"If-Match": "*"}),
            client.post(
                "/v1/incidents/INC-99999/notes", json={"text": "hi"}, headers={"If-Match": '"1"'}
            ),
        ):
            assert response.status_code == 404, response.text
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["detail"] == "There is no incident INC-99999."


def test_malformed_bodies_are_422_and_oversized_ones_413(server: Running) -> None:
    with server.client() as client:
        incident = first(client, "triggered")
        path = f"/v1/incidents/{incident['id']}"
        match = {"If-Match": "*", "Content-Type": "application/json"}
        not_json = client.post(f"{path}/notes", content=b"{not json", headers=match)
        unknown_key = client.post(f"{path}/notes", json={"txt": "typo"}, headers=match)
        no_body = client.post(f"{path}/actions/handoff", headers=match)
        bad_level = client.post(f"{path}/actions/escalate", json={"level": 0}, headers=match)
        naive_time = client.post(
            f"{path}/actions/snooze", json={"until": "2026-11-23T09:00:00"}, headers=match
        )
        bad_severity = client.post(
            "/v1/incidents", json={"title": "x", "service": "checkout", "severity": 9}
        )
        too_big = client.post(f"{path}/notes", json={"text": "x" * 70_000}, headers=match)
    for response in (not_json, unknown_key, no_body, bad_level, naive_time, bad_severity):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["detail"].endswith(".")
    assert "txt" in unknown_key.json()["detail"]
    assert too_big.status_code == 413
    assert too_big.headers["content-type"].startswith(PROBLEM)
    assert server.store.look().incidents[str(incident["id"])].notes == incident["notes"]


def test_trigger_is_201_with_location_and_every_action_has_its_endpoint(server: Running) -> None:
    with server.client() as client:
        made = client.post(
            "/v1/incidents",
            json={"title": "Disk full", "service": "checkout", "severity": 2, "labels": {"a": "b"}},
        )
        assert made.status_code == 201, made.text
        incident_id = made.json()["incident"]["id"]
        assert made.headers["location"] == f"/v1/incidents/{incident_id}"
        path = f"/v1/incidents/{incident_id}"
        until = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
        steps = [
            ("actions/acknowledge", None),
            ("notes", {"text": "rolled back"}),
            (
                "communications",
                {"channel": "email", "direction": "out", "counterpart": "Acme", "summary": "ok"},
            ),
            ("actions/unacknowledge", {"reason": "off shift"}),
            ("actions/handoff", {"to": "alice", "note": "yours"}),
            ("actions/escalate", {"level": 2}),
            ("actions/snooze", {"until": until}),
            ("actions/resolve", {"note": "fixed"}),
            ("actions/reopen", {"reason": "back"}),
        ]
        etag = made.headers["etag"]
        for step, body in steps:
            done = client.post(f"{path}/{step}", json=body, headers={"If-Match": etag})
            assert done.status_code == 200, (step, done.text)
            etag = done.headers["etag"]
        detail = client.get(path).json()
    kinds = [event["type"] for event in detail["timeline"]]
    assert kinds[0] == "triggered" and kinds[-1] == "reopened"
    assert "handed-off" in kinds and "communication-logged" in kinds
    assert detail["communications"][0]["counterpart"] == "Acme"


def test_listing_filters_and_pages_with_a_cursor(server: Running) -> None:
    with server.client() as client:
        everything = client.get("/v1/incidents", params={"limit": 500}).json()["incidents"]
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": "7", **({"cursor": cursor} if cursor else {})}
            page = client.get("/v1/incidents", params=params).json()
            seen += [i["id"] for i in page["incidents"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        acknowledged = client.get(
            "/v1/incidents", params={"status": "acknowledged", "limit": 500}
        ).json()
        mine = client.get("/v1/incidents", params={"mine": "true", "limit": 500}).json()
        bad_cursor = client.get("/v1/incidents", params={"cursor": "nonsense"})
    assert seen == [i["id"] for i in everything] and len(seen) > 7
    assert {i["status"] for i in everything} == {"triggered", "acknowledged"}
    assert acknowledged["incidents"] and all(
        i["status"] == "acknowledged" for i in acknowledged["incidents"]
    )
    assert all(i["assignee"] == "frank" for i in mine["incidents"])
    assert bad_cursor.status_code == 400


def test_directory_endpoints_health_and_the_openapi_document(server: Running) -> None:
    with server.client() as client:
        names = [r["name"] for r in client.get("/v1/responders").json()]
        policies = client.get("/v1/policies").json()
        services = client.get("/v1/services").json()
        oncall = client.get("/v1/oncall").json()
        me = client.get("/v1/me").json()
    assert "frank" in names and policies and services
    assert {p["policy"] for p in oncall["policies"]} == {p["name"] for p in policies}
    assert me["responder"] == "frank"
    health = httpx.get(f"{server.url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    document = httpx.get(f"{server.url}/schema/openapi.json").json()
    assert "/v1/incidents/{incident_id}/actions/acknowledge" in document["paths"]
    assert "/v1/events" in document["paths"]


def test_an_action_sent_again_with_its_idempotency_key_is_done_once(server: Running) -> None:
    with server.client() as client:
        incident = first(client, "triggered")
        path = f"/v1/incidents/{incident['id']}/notes"
        headers = {"If-Match": f'"{incident["version"]}"', "Idempotency-Key": "k-1"}
        once = client.post(path, json={"text": "checking"}, headers=headers)
        again = client.post(path, json={"text": "checking"}, headers=headers)
        other = client.post(
            path, json={"text": "checking"}, headers={**headers, "Idempotency-Key": "k-2"}
        )
    assert once.status_code == again.status_code == 200
    assert once.json() == again.json()
    assert other.status_code == 412, "a new key is a new action, on a version now stale"
    assert (
        server.store.look().incidents[str(incident["id"])].notes == int(str(incident["notes"])) + 1
    )


def test_an_incident_id_stays_in_its_path_segment(server: Running) -> None:
    async def look() -> None:
        frank = server.backend()
        try:
            await frank.history("../../healthz")  # would be GET /healthz if it escaped
        finally:
            await frank.close()

    with pytest.raises(DomainError):
        asyncio.run(look())


def test_listing_by_team_update_due_and_follow_up_due(server: Running) -> None:
    with server.client() as client:
        team = client.get("/v1/incidents", params={"team": "payments", "limit": 500}).json()
        assignees = {i["assignee"] for i in team["incidents"]}
        assert assignees and assignees <= {"alice", "bob", "carol", "dmitri"}
        unknown = client.get("/v1/incidents", params={"team": "nosuch"})
        assert unknown.status_code == 400 and "teams: data, edge" in unknown.json()["detail"]
        due = client.get("/v1/incidents", params={"update_due": True, "limit": 500}).json()
        assert due["incidents"] and all(i["customer"] for i in due["incidents"])
        owed = client.get("/v1/incidents", params={"follow_up_due": True, "limit": 500}).json()
        assert all(i["status"] == "resolved" and i["customer"] for i in owed["incidents"])
        rerouted = client.post(
            f"/v1/incidents/{first(client, 'acknowledged')['id']}/actions/reroute",
            json={"service": "dns", "reason": "resolvers"},
            headers={"If-Match": "*"},
        )
    assert rerouted.status_code in (200, 409), rerouted.text
    if rerouted.status_code == 200:
        assert rerouted.json()["incident"]["service"] == "dns"


def test_big_answers_go_gzipped_to_clients_that_take_it_and_the_event_stream_does_not(
    server: Running,
) -> None:
    with server.client() as client:  # httpx asks for gzip
        queue = client.get("/v1/queue")
        me = client.get("/v1/me")
        with client.stream("GET", "/v1/events") as stream:
            stream_headers = stream.headers
    assert queue.headers["content-encoding"] == "gzip"
    assert int(queue.headers["content-length"]) < len(queue.content) / 3
    with server.client() as client:
        plain = client.get("/v1/queue", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == queue.json() and queue.json()["incidents"]
    assert "content-encoding" not in me.headers  # too small to gain anything
    assert stream_headers["content-type"].startswith("text/event-stream")
    assert "content-encoding" not in stream_headers


@pytest.mark.parametrize(
    ("url", "here"),
    [
        ("http://127.0.0.1:8642", True),
        ("http://localhost:8642", True),
        ("http://[::1]:8642", True),
        ("https://oncall.example.com", False),
        ("http://10.0.0.5:8642", False),
    ],
)
def test_a_console_asks_a_server_on_this_machine_for_plain_answers(url: str, here: bool) -> None:
    """Over loopback gzip costs more time than it saves; over a network it saves megabytes."""
    assert on_this_machine(url) is here
