"""Alertmanager's webhook on the team server (`POST /v1/integrations/alertmanager`): one incident
per alert group, kept up to date, resolved and reopened; refused whole when the key or the body
is wrong."""

from __future__ import annotations

import json

from alert_bodies import am_alert, am_body, am_webhook

from .conftest import Running
from .intake_support import alert_incidents, incident, integration, post, revision

WEBHOOK = "/v1/integrations/alertmanager"


def send(server: Running, key: str, body: bytes) -> tuple[int, dict[str, object]]:
    answer = post(server, WEBHOOK, body, Authorization=f"Bearer {key}")
    return answer.status_code, answer.json()


def test_one_incident_per_group_kept_up_to_date_then_resolved(server: Running) -> None:
    key = integration(server, "prom", "alertmanager")
    status, taken = send(server, key, am_body([am_alert("DiskFull")], summary="Disks are full"))
    assert status == 200
    assert taken["outcome"] == "opened"
    (opened,) = alert_incidents(server, "prom")
    assert taken["incident"] == opened["id"]
    assert (opened["title"], opened["severity"]) == ("Disks are full", 1)
    assert opened["labels"] == {"alertname": "DiskFull", "severity": "critical"}
    more = [am_alert("DiskFull"), am_alert("DiskFull", instance="db-2")]
    assert send(server, key, am_body(more))[1]["outcome"] == "updated"
    assert send(server, key, am_body(more))[1]["outcome"] == "repeated"
    cleared = [
        am_alert("DiskFull", firing=False),
        am_alert("DiskFull", instance="db-2", firing=False),
    ]
    assert send(server, key, am_body(cleared))[1]["outcome"] == "resolved"
    (same,) = alert_incidents(server, "prom")
    detail = incident(server, same["id"])
    assert detail["incident"]["status"] == "resolved"
    assert detail["incident"]["resolved_by"] == "prom"
    added = detail["timeline"][2]
    assert [a["fingerprint"] for a in added["alerts"]] == ["DiskFull-db-2"]
    assert added["alerts"][0]["link"] == "http://prometheus:9090/graph?g0.expr=DiskFull"
    assert added["firing"] == ["DiskFull-db-1", "DiskFull-db-2"]
    resolved = detail["timeline"][-1]
    assert (resolved["type"], resolved["via"], resolved["note"]) == (
        "resolved",
        "prom",
        "all alerts cleared",
    )


def test_a_group_that_fires_again_soon_reopens_and_a_noting_integration_keeps_it_open(
    server: Running,
) -> None:
    key = integration(server, "prom", "alertmanager")
    noting = integration(server, "quiet-prom", "alertmanager", on_resolve="note")
    for which in (key, noting):
        send(server, which, am_body([am_alert("DiskFull")]))
        send(server, which, am_body([am_alert("DiskFull", firing=False)]))
    assert send(server, key, am_body([am_alert("DiskFull")]))[1]["outcome"] == "reopened"
    (reopened,) = alert_incidents(server, "prom")
    assert reopened["status"] == "triggered"
    (noted,) = alert_incidents(server, "quiet-prom")
    assert noted["status"] == "triggered"
    assert noted["alerts"]["firing"] == []


def test_a_wrong_missing_or_revoked_key_is_401_and_nothing_is_recorded(server: Running) -> None:
    key = integration(server, "prom", "alertmanager")
    events_key = integration(server, "grafana", "events")
    body = am_body([am_alert("DiskFull")])
    before = revision(server)
    missing = post(server, WEBHOOK, body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "bearer token" in missing.json()["detail"]
    for wrong in ("f" * 32, events_key, server.tokens["admin"]):
        status, refused = send(server, wrong, body)
        assert status == 401, refused
    assert "takes events notifications" in str(send(server, events_key, body)[1]["detail"])
    with server.client("admin") as client:
        client.delete("/v1/store/integrations/prom")
    status, refused = send(server, key, body)
    assert status == 401 and "prom's key was revoked" in str(refused["detail"])
    assert revision(server) == before


def test_a_malformed_oversized_or_too_deep_body_is_refused_whole(server: Running) -> None:
    key = integration(server, "prom", "alertmanager")
    before = revision(server)
    no_alerts = json.dumps({**am_webhook([am_alert("DiskFull")]), "alerts": []}).encode()
    status, refused = send(server, key, no_alerts)
    assert status == 422
    assert refused["detail"] == "'alerts' is empty. Nothing was recorded."
    status, refused = send(server, key, b"{not json")
    assert status == 422 and "not JSON" in str(refused["detail"])
    deep = b'{"groupKey": "g", "status": "firing", "alerts": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    assert send(server, key, deep)[0] == 422
    huge = am_webhook(
        [am_alert("DiskFull", summary="x" * 1000, instance=f"db-{n}") for n in range(5000)]
    )
    status, refused = send(server, key, json.dumps(huge).encode())
    assert status == 413, refused
    assert revision(server) == before


def test_labels_filter_the_incidents_the_api_lists(server: Running) -> None:
    key = integration(server, "prom", "alertmanager")
    send(server, key, am_body([am_alert("DiskFull")], group="DiskFull"))
    send(server, key, am_body([am_alert("CPU", severity="warning")], group="CPU"))
    with server.client() as client:
        listed = client.get("/v1/incidents", params={"label": "alertname=CPU"}).json()
        both = client.get(
            "/v1/incidents", params=[("label", "alertname=CPU"), ("label", "severity=warning")]
        ).json()
        none = client.get("/v1/incidents", params={"label": "alertname=nothing"}).json()
        bad = client.get("/v1/incidents", params={"label": "alertname"})
    assert [i["title"] for i in listed["incidents"]] == ["alertname=CPU"]
    assert [i["title"] for i in both["incidents"]] == ["alertname=CPU"]
    assert none["incidents"] == []
    assert bad.status_code == 400
    assert "KEY=VALUE" in bad.json()["detail"]
