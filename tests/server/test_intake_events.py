"""The PagerDuty Events API v2 on the team server (`POST /v2/enqueue`): trigger, acknowledge and
resolve by dedup key, answered as PagerDuty answers; every documented error; a storm."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alert_bodies import pd_body, pd_event
from served_store import ServedStore

from .conftest import FAST, Running, run_in_thread
from .intake_support import alert_incidents, eventually, incident, integration, post, revision

INVALID = {"status": "invalid event", "message": "Event object is invalid"}


def enqueue(server: Running, body: bytes) -> tuple[int, dict[str, object]]:
    answer = post(server, "/v2/enqueue", body)
    return answer.status_code, answer.json()


def test_trigger_acknowledge_and_resolve_by_dedup_key(server: Running) -> None:
    key = integration(server, "grafana", "events")
    status, body = enqueue(server, pd_body(key))
    assert (status, body) == (
        202,
        {"status": "success", "message": "Event processed", "dedup_key": "disk-db-1"},
    )
    (opened,) = alert_incidents(server, "grafana")
    assert (opened["title"], opened["service"], opened["severity"]) == (
        "Disk full on db-1",
        "checkout",
        1,
    )
    assert opened["labels"]["source"] == "db-1.example.com"
    assert enqueue(server, pd_body(key, "acknowledge"))[0] == 202
    acknowledged = incident(server, opened["id"])["incident"]
    assert (acknowledged["status"], acknowledged["acknowledged_by"]) == ("acknowledged", "grafana")
    assert acknowledged["assignee"] == opened["assignee"]
    assert enqueue(server, pd_body(key, "resolve"))[0] == 202
    detail = incident(server, opened["id"])
    assert (detail["incident"]["status"], detail["incident"]["resolved_by"]) == (
        "resolved",
        "grafana",
    )
    kinds = [event["type"] for event in detail["timeline"]]
    assert kinds == ["triggered", "alerts-received", "acknowledged", "alerts-received", "resolved"]
    # A resolve or an acknowledge about nothing open is taken, and changes nothing.
    before = revision(server)
    assert enqueue(server, pd_body(key, "resolve"))[0] == 202
    assert enqueue(server, pd_body(key, "acknowledge", dedup_key="never-seen"))[0] == 202
    assert revision(server) == before


def test_a_trigger_without_a_dedup_key_gets_one_and_is_answered_with_it(server: Running) -> None:
    key = integration(server, "scripts", "events")
    status, body = enqueue(server, pd_body(key, dedup_key=None))
    assert status == 202
    generated = body["dedup_key"]
    assert isinstance(generated, str) and len(generated) == 32
    (opened,) = alert_incidents(server, "scripts")
    assert opened["alerts"]["key"] == generated
    assert enqueue(server, pd_body(key, "resolve", dedup_key=generated))[0] == 202
    assert incident(server, opened["id"])["incident"]["status"] == "resolved"


KEY = "0" * 32


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (pd_event(""), "'routing_key' is missing or blank"),
        (pd_event(KEY, "page"), "'event_action' must be one of trigger, acknowledge or resolve"),
        (pd_event(KEY, "resolve", dedup_key=None), "'dedup_key' is missing or blank"),
        (pd_event(KEY, dedup_key="d" * 256), "'dedup_key' is longer than 255 characters"),
        ({**pd_event(KEY), "payload": None}, "'payload' is missing: a trigger needs one"),
        (pd_event(KEY, summary=""), "'payload.summary' is missing or blank"),
        (pd_event(KEY, severity="high"), "'payload.severity' must be one of critical, error"),
        ({**pd_event(KEY), "links": "x"}, "'links' must be a list of objects"),
    ],
)
def test_every_documented_error_is_400_naming_it_and_nothing_is_recorded(
    server: Running, event: dict[str, object], error: str
) -> None:
    before = revision(server)
    status, body = enqueue(server, json.dumps(event).encode())
    assert status == 400
    assert {k: body[k] for k in INVALID} == INVALID
    errors = body["errors"]
    assert isinstance(errors, list)
    assert any(found.startswith(error) for found in errors), errors
    assert revision(server) == before


def test_a_body_that_is_not_json_is_400_and_one_too_large_413(server: Running) -> None:
    status, body = enqueue(server, b"routing_key=x")
    assert status == 400 and body["message"] == "Event object is invalid"
    huge = json.dumps(pd_event(KEY, summary="s", custom_details={"x": "y" * 600_000})).encode()
    status, body = enqueue(server, huge)
    assert status == 413
    assert body["errors"] == ["The event is too large"]


def test_an_event_with_an_unknown_or_revoked_key_changes_nothing(server: Running) -> None:
    key = integration(server, "grafana", "events")
    webhook_key = integration(server, "prom", "alertmanager")
    before = revision(server)
    for routing_key in ("f" * 32, webhook_key):
        status, body = enqueue(server, pd_body(routing_key))
        assert status == 401, body
        assert body["status"] == "unrecognized routing key"
    with server.client("admin") as client:
        assert client.delete("/v1/store/integrations/grafana").status_code == 200
    status, body = enqueue(server, pd_body(key))
    assert status == 401
    assert "grafana's key was revoked" in str(body["message"])
    assert revision(server) == before
    assert alert_incidents(server, "grafana") == []


@pytest.fixture
def slow_counting(served: ServedStore, tmp_path: Path) -> Iterator[Running]:
    """A server that records a storm's repeats at most every 2 s."""
    yield from run_in_thread(served, dataclasses.replace(FAST, repeats_every=2.0), tmp_path)


def test_a_storm_of_the_same_event_costs_one_incident_and_a_counter(
    slow_counting: Running,
) -> None:
    server = slow_counting
    key = integration(server, "grafana", "events")
    body = pd_body(key)
    started = time.monotonic()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for _ in range(300):
            sent = client.post("/v2/enqueue", content=body)
            assert sent.status_code == 202
    took = time.monotonic() - started
    (opened,) = alert_incidents(server, "grafana")
    # The repeats are counted, and recorded together once 2 s passed since the last line.
    detail = eventually(
        lambda: incident(server, opened["id"]),
        lambda d: d["incident"]["alerts"]["received"] == 300,
    )
    timeline = detail["timeline"]
    assert len(timeline) <= 3 + took / 2, [event["type"] for event in timeline]
    assert sum(event.get("received", 0) for event in timeline) == 300
    assert len(alert_incidents(server, "grafana")) == 1
