"""Heartbeats and maintenance windows on the team server: a missed beat opens an incident and the
next beat resolves it; during a service's maintenance its alerts open quiet incidents that
neither escalate nor page, until the maintenance is over."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from alert_bodies import am_alert, am_body

from .conftest import Running
from .intake_support import alert_incidents, eventually, incident, integration, post


def due(server: Running, at: datetime) -> list[str]:
    """The incidents whose escalation falls due by `at`, as the store says."""
    return server.store.using(lambda backend: backend.store.due(at))


def test_a_missed_heartbeat_opens_an_incident_once_and_the_next_beat_resolves_it(
    server: Running,
) -> None:
    key = integration(server, "backup", "heartbeat", every_seconds=1)
    (missed,) = eventually(lambda: alert_incidents(server, "backup"), lambda found: found != [])
    assert missed["title"].startswith("heartbeat backup missed since ")
    assert missed["title"].endswith(" UTC")
    assert missed["service"] == "checkout"
    with httpx.Client(base_url=server.url, timeout=10) as client:
        beat = client.get(f"/v1/heartbeat/{key}")
        assert beat.status_code == 200, beat.text
        assert beat.json()["outcome"] == "resolved"
        assert client.post(f"/v1/heartbeat/{key}").json()["outcome"] == "ignored"
        assert client.get(f"/v1/heartbeat/{'f' * 32}").status_code == 401
    resolved = incident(server, missed["id"])
    assert resolved["incident"]["status"] == "resolved"
    assert resolved["timeline"][-1]["note"] == "it beat again"
    # Silent again, soon after: the incident reopens (as a flapping alert group's does), once.
    (again,) = eventually(
        lambda: alert_incidents(server, "backup"), lambda found: found[0]["status"] == "triggered"
    )
    assert again["id"] == missed["id"]
    time.sleep(1.5)  # several checks of the heartbeat, which has not beaten since
    assert incident(server, missed["id"])["incident"]["version"] == again["version"]
    with server.client("admin") as client:
        listed = client.get("/v1/store/integrations").json()
    (backup,) = [i for i in listed if i["name"] == "backup"]
    assert backup["last_beat"] is not None and "sha256" not in backup


def test_during_maintenance_alerts_open_a_quiet_incident_that_wakes_after_it(
    server: Running,
) -> None:
    key = integration(server, "prom", "alertmanager")
    with server.client() as client:
        refused = client.post("/v1/maintenance", json={"service": "checkout", "seconds": 3600})
    assert refused.status_code == 403
    with server.client("admin") as client:
        started = client.post(
            "/v1/maintenance", json={"service": "checkout", "seconds": 3600, "reason": "upgrade"}
        )
        assert started.status_code == 201, started.text
        assert started.json()["by"] == "ivan"
    with server.client() as client:
        assert [w["service"] for w in client.get("/v1/maintenance").json()] == ["checkout"]
        assert (
            eventually(
                lambda: client.get("/v1/queue").json()["maintenance"],
                lambda windows: "checkout" in windows,
            )["checkout"]["reason"]
            == "upgrade"
        )
    header = {"Authorization": f"Bearer {key}"}
    post(server, "/v1/integrations/alertmanager", am_body([am_alert("DiskFull")]), **header)
    (quiet,) = alert_incidents(server, "prom")
    assert quiet["quiet"] is True
    detail = incident(server, quiet["id"])
    assert detail["timeline"][0]["quiet"] is True
    later = datetime.now(UTC) + timedelta(days=1)
    assert quiet["id"] not in due(server, later)  # it never escalates
    with server.client("admin") as client:
        assert client.delete("/v1/maintenance/checkout").status_code == 200
        assert client.delete("/v1/maintenance/checkout").status_code == 404
    more = am_body([am_alert("DiskFull"), am_alert("DiskFull", instance="db-2")])
    post(server, "/v1/integrations/alertmanager", more, **header)
    (woken,) = alert_incidents(server, "prom")
    assert woken["id"] == quiet["id"] and woken["quiet"] is False
    kinds = [event["type"] for event in incident(server, woken["id"])["timeline"]]
    assert kinds == ["triggered", "alerts-received", "woken", "alerts-received"]
    assert woken["id"] in due(server, later)


def test_a_maintenance_for_no_such_service_or_too_long_is_refused(server: Running) -> None:
    with server.client("admin") as client:
        unknown = client.post("/v1/maintenance", json={"service": "nosuch", "seconds": 60})
        too_long = client.post("/v1/maintenance", json={"service": "checkout", "seconds": 10**9})
    assert unknown.status_code == 409
    assert unknown.json()["detail"].startswith("There is no service 'nosuch'")
    assert too_long.status_code == 422


def test_a_quiet_incident_still_firing_when_its_maintenance_runs_out_wakes_unprompted(
    server: Running,
) -> None:
    """Alertmanager tells of a group again only every few hours when nothing changes: the
    incident must not stay quiet that long after the maintenance is over."""
    key = integration(server, "prom", "alertmanager")
    with server.client("admin") as client:
        started = client.post("/v1/maintenance", json={"service": "checkout", "seconds": 3})
        assert started.status_code == 201, started.text
    header = {"Authorization": f"Bearer {key}"}
    post(server, "/v1/integrations/alertmanager", am_body([am_alert("DiskFull")]), **header)
    (quiet,) = alert_incidents(server, "prom")
    assert quiet["quiet"] is True
    (woken,) = eventually(
        lambda: alert_incidents(server, "prom"), lambda found: found[0]["quiet"] is False
    )
    assert woken["id"] == quiet["id"] and woken["assignee"] is not None
    timeline = incident(server, woken["id"])["timeline"]
    assert [event["type"] for event in timeline] == ["triggered", "alerts-received", "woken"]
    assert timeline[-1]["assignee"] == woken["assignee"]
