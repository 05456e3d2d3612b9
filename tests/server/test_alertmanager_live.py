"""A real Prometheus Alertmanager sends to a real `esctui serve`: alerts posted to Alertmanager's
API open one incident per group, more alerts add to it, resolving them resolves it, by webhook
and through `pagerduty_configs` alike; and a server killed while Alertmanager keeps sending
loses nothing and duplicates nothing once it is back (Alertmanager sends again)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from acting import integrate
from esctui.domain.models import Incident
from live_alertmanager import LiveAlertmanager, alert
from live_server import Spawned

from .conftest import reopen
from .intake_support import eventually

# Groups by alert name to esctui's webhook, or, for alerts labelled via="pagerduty", to its
# Events API through `pagerduty_configs`.
ROUTES = """\
  routes:
    - receiver: pagerduty
      matchers: ['via="pagerduty"']
"""
RECEIVERS = """\
  - name: webhook
    webhook_configs:
      - url: {server}/v1/integrations/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {webhook}
  - name: pagerduty
    pagerduty_configs:
      - url: {server}/v2/enqueue
        routing_key: {events}
        send_resolved: true
"""


@pytest.fixture
def running(store_path: Path, tmp_path: Path) -> Iterator[tuple[Spawned, LiveAlertmanager]]:
    """`esctui serve` with an alertmanager integration (prom) and an events one (pd), and an
    Alertmanager sending to it."""
    webhook_key = integrate(store_path, "prom", "alertmanager", "checkout")
    events_key = integrate(store_path, "pd", "events", "checkout")
    server = Spawned(store_path)
    server.start()
    manager = LiveAlertmanager(
        tmp_path / "alertmanager",
        group_by=("alertname",),
        receiver="webhook",
        receivers=RECEIVERS.format(server=server.url, webhook=webhook_key, events=events_key),
        routes=ROUTES,
    )
    try:
        manager.start()
        yield server, manager
    finally:
        manager.stop()
        server.stop()


def incidents_of(store: Path, integration: str) -> list[Incident]:
    """The incidents `integration`'s alerts opened, by group key."""
    found = [
        i
        for i in reopen(store).incidents.values()
        if i.alerts is not None and i.alerts.integration == integration
    ]
    return sorted(found, key=lambda i: i.created_at)


def firing(incident: Incident) -> int:
    return len(incident.alerts.firing) if incident.alerts is not None else 0


def test_alertmanagers_webhook_opens_one_incident_per_group_adds_and_resolves(
    running: tuple[Spawned, LiveAlertmanager], store_path: Path
) -> None:
    _, manager = running
    manager.post([alert("DiskFull", instance="db-1", summary="Disk full")])
    (opened,) = eventually(lambda: incidents_of(store_path, "prom"), lambda found: len(found) == 1)
    assert opened.title == "Disk full"  # the group's summary annotation
    assert opened.labels["alertname"] == "DiskFull" and opened.severity == 1
    manager.post([alert("DiskFull", instance="db-1"), alert("DiskFull", instance="db-2")])
    manager.post([alert("HighCPU", instance="web-1", severity="warning")])
    found = eventually(
        lambda: incidents_of(store_path, "prom"),
        lambda found: len(found) == 2 and firing(found[0]) == 2,
    )
    disk, cpu = found
    assert disk.id == opened.id
    assert (cpu.labels["alertname"], cpu.severity) == ("HighCPU", 3)
    history = reopen(store_path).history(disk.id)
    assert history is not None
    links = {a.link for e in history.timeline for a in getattr(e, "alerts", ())}
    assert links == {"http://prometheus.example/graph?g0.expr=DiskFull"}
    manager.post(
        [
            alert("DiskFull", instance="db-1", resolved=True),
            alert("DiskFull", instance="db-2", resolved=True),
        ]
    )
    disk, _ = eventually(
        lambda: incidents_of(store_path, "prom"), lambda found: found[0].status == "resolved"
    )
    assert (disk.id, disk.resolved_by) == (opened.id, "prom")
    assert len(incidents_of(store_path, "prom")) == 2


def test_the_same_group_through_pagerduty_configs_deduplicates_the_same_way(
    running: tuple[Spawned, LiveAlertmanager], store_path: Path
) -> None:
    _, manager = running
    manager.post([alert("DiskFull", instance="db-1", via="pagerduty")])
    (opened,) = eventually(lambda: incidents_of(store_path, "pd"), lambda found: len(found) == 1)
    assert opened.alerts is not None and opened.severity == 2  # Alertmanager sends "error"
    manager.post(
        [
            alert("DiskFull", instance="db-1", via="pagerduty"),
            alert("DiskFull", instance="db-2", via="pagerduty"),
        ]
    )
    (updated,) = eventually(
        lambda: incidents_of(store_path, "pd"),
        lambda found: found[0].version > opened.version,
    )
    assert updated.id == opened.id
    resolved = [
        alert("DiskFull", instance="db-1", via="pagerduty", resolved=True),
        alert("DiskFull", instance="db-2", via="pagerduty", resolved=True),
    ]
    manager.post(resolved)
    (done,) = eventually(
        lambda: incidents_of(store_path, "pd"), lambda found: found[0].status == "resolved"
    )
    assert (done.id, done.resolved_by) == (opened.id, "pd")
    assert incidents_of(store_path, "prom") == []


GROUPS = 16


def test_a_server_killed_while_alertmanager_sends_loses_and_duplicates_nothing(
    running: tuple[Spawned, LiveAlertmanager], store_path: Path
) -> None:
    server, manager = running
    posted = threading.Event()

    def send_groups() -> None:
        for n in range(GROUPS):
            manager.post([alert(f"Group{n}", instance="a"), alert(f"Group{n}", instance="b")])
            time.sleep(0.15)
        posted.set()

    sender = threading.Thread(target=send_groups)
    sender.start()
    eventually(lambda: incidents_of(store_path, "prom"), lambda found: len(found) >= 3)
    server.kill()  # SIGKILL, wherever it was
    time.sleep(1.0)  # Alertmanager's sends fail meanwhile
    restarted = Spawned(store_path, port=server.port)
    restarted.start()
    try:
        sender.join(timeout=60)
        assert posted.is_set()
        found = eventually(
            lambda: incidents_of(store_path, "prom"),
            lambda found: len(found) >= GROUPS and all(firing(i) == 2 for i in found),
            within=60,
        )
        time.sleep(3)  # Alertmanager sends every group again once more meanwhile
        again = incidents_of(store_path, "prom")
        assert [i.id for i in again] == [i.id for i in found]
        groups = sorted(i.labels["alertname"] for i in again)
        assert groups == sorted(f"Group{n}" for n in range(GROUPS))
        assert all(firing(i) == 2 for i in again)
    finally:
        restarted.stop()
