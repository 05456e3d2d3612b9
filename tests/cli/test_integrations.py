"""`esctui integration` and `esctui maintenance` on a store, and what the views say of alerts:
`ls --label`, `show`'s alerts, `status`'s maintenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

from acting import integrate, notify
from alert_bodies import am_alert, am_body
from esctui.domain.alert_formats import read_webhook

from .conftest import Run


def test_an_integration_is_made_listed_and_revoked(run: Run) -> None:
    made = run("integration", "create", "prom", "--service", "checkout", "--kind", "alertmanager")
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert "shown this once" in made.stderr
    assert "/v1/integrations/alertmanager" in made.stderr
    again = run("integration", "create", "prom", "--service", "checkout", "--kind", "events")
    assert again.exit_code == 1
    assert "There is an integration 'prom' already" in again.stderr
    listed = run("integration", "ls")
    assert listed.exit_code == 0
    assert re.search(r"prom\s+alertmanager\s+checkout\s+-\s+.*active", listed.stdout)
    as_json = json.loads(run("integration", "ls", "--json").stdout)
    assert [(i["name"], i["kind"], i["service"]) for i in as_json] == [
        ("prom", "alertmanager", "checkout")
    ]
    assert key not in json.dumps(as_json) and "sha256" not in json.dumps(as_json)
    revoked = run("integration", "revoke", "prom")
    assert (revoked.exit_code, revoked.stdout) == (0, "Revoked prom (alertmanager for checkout).\n")
    gone = run("integration", "revoke", "prom")
    assert gone.exit_code == 1
    assert "There is no active integration 'prom'" in gone.stderr
    assert "revoked" in run("integration", "ls").stdout


def test_an_integrations_settings_are_kept_and_shown(run: Run) -> None:
    made = run(
        "integration", "create", "backup", "--service", "checkout", "--kind", "heartbeat",
        "--every", "5m",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "at least every 5m" in made.stderr
    graf = run(
        "integration", "create", "grafana", "--service", "checkout", "--kind", "events",
        "--on-resolve", "note", "--severity", "page=1", "--severity", "ticket=sev4",
        "--default-severity", "3", "--reopen-within", "0",
    )  # fmt: skip
    assert graf.exit_code == 0, graf.output
    listed = run("integration", "ls").stdout
    assert "every 5m, never beat" in listed
    assert "on resolve: note, never reopens" in listed
    (grafana,) = [
        i for i in json.loads(run("integration", "ls", "--json").stdout) if i["name"] == "grafana"
    ]
    settings = grafana["settings"]
    assert settings["severities"]["page"] == 1 and settings["severities"]["ticket"] == 4
    assert settings["severities"]["critical"] == 1
    assert (settings["default_severity"], settings["reopen_within_seconds"]) == (3, 0)


def test_bad_integrations_are_refused_with_a_sentence(run: Run) -> None:
    def create(*args: str) -> tuple[int, str]:
        done = run("integration", "create", *args)
        return done.exit_code, done.stderr

    code, said = create("beat", "--service", "checkout", "--kind", "heartbeat")
    assert (code, "A heartbeat needs its interval") == (1, said[8:38]), said
    code, said = create("am", "--service", "checkout", "--kind", "alertmanager", "--every", "1m")
    assert code == 1 and "Only a heartbeat beats" in said
    code, said = create("am", "--service", "nosuch", "--kind", "alertmanager")
    assert code == 1 and "There is no service 'nosuch'" in said
    code, said = create("has space", "--service", "checkout", "--kind", "events")
    assert code == 1 and "cannot name an integration" in said
    code, said = create("b", "--service", "checkout", "--kind", "heartbeat", "--every", "soon")
    assert code == 2 and "'soon' is not a duration" in said
    code, said = create("g", "--service", "checkout", "--kind", "events", "--severity", "page")
    assert code == 2 and "maps no word" in said
    assert "No integrations yet" in run("integration", "ls").stdout


def test_maintenance_starts_shows_in_status_and_ends(run: Run) -> None:
    started = run("maintenance", "start", "checkout", "--for", "2h", "--reason", "db upgrade")
    assert started.exit_code == 0, started.output
    assert started.stdout.startswith("checkout is in maintenance until ")
    listed = run("maintenance", "ls")
    assert re.search(
        r"checkout\s+\d{4}-\d\d-\d\d \d\d:\d\d \S+\s+frank\s+db upgrade", listed.stdout
    )
    status = run("status")
    assert "maintenance: checkout until " in status.stdout
    assert "(db upgrade)" in status.stdout
    assert len(status.stdout.splitlines()) <= 10
    assert "checkout" in json.loads(run("status", "--json").stdout)["maintenance"]
    ended = run("maintenance", "end", "checkout")
    assert (ended.exit_code, ended.stdout) == (0, "checkout is no longer in maintenance.\n")
    assert run("maintenance", "end", "checkout").exit_code == 1
    assert "maintenance:" not in run("status").stdout
    assert run("maintenance", "ls").stdout == "No service is in maintenance.\n"
    unknown = run("maintenance", "start", "nosuch", "--for", "1h")
    assert unknown.exit_code == 1 and "There is no service 'nosuch'" in unknown.stderr
    assert run("maintenance", "start", "checkout", "--for", "later").exit_code == 2


def test_ls_filters_by_label_and_show_lists_the_alerts(run: Run, store_path: Path) -> None:
    integrate(store_path, "prom", "alertmanager", "checkout")
    body = am_body(
        [am_alert("BackupStale"), am_alert("BackupStale", instance="db-2", firing=False)],
        group="BackupStale",
    )
    received = notify(store_path, "prom", read_webhook(body))
    notify(store_path, "prom", read_webhook(am_body([am_alert("CPU")], group="CPU")))
    incident = received.incident
    assert incident is not None
    listed = run("ls", "--label", "alertname=BackupStale", "--json")
    assert [i["id"] for i in json.loads(listed.stdout)] == [incident]
    both = run("ls", "--label", "alertname=BackupStale", "--label", "severity=critical", "--json")
    assert [i["id"] for i in json.loads(both.stdout)] == [incident]
    assert run("ls", "--label", "alertname=nothing").stdout == "Nothing matches.\n"
    bad = run("ls", "--label", "alertname")
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.stderr
    shown = run("show", incident).stdout
    assert "  alerts    from prom: 1 firing, 1 notification" in shown
    assert re.search(r"FIRING\s+BackupStale-db-1\s+BackupStale on db-1", shown)
    assert re.search(r"cleared\s+BackupStale-db-2\s+BackupStale on db-2", shown)
    assert "http://prometheus:9090/graph?g0.expr=BackupStale" in shown
    assert "alerts from prom: 1 firing" in shown  # the timeline's line
    alerts = json.loads(run("show", incident, "--json").stdout)["alerts"]
    assert [(a["alert"]["fingerprint"], a["firing"]) for a in alerts] == [
        ("BackupStale-db-1", True),
        ("BackupStale-db-2", False),
    ]


def test_a_quiet_incident_says_so(run: Run, store_path: Path) -> None:
    integrate(store_path, "prom", "alertmanager", "checkout")
    assert run("maintenance", "start", "checkout", "--for", "1h").exit_code == 0
    received = notify(store_path, "prom", read_webhook(am_body([am_alert("DiskFull")])))
    assert received.incident is not None
    shown = run("show", received.incident).stdout
    assert "  quiet     opened while checkout was in maintenance" in shown
    assert "quiet: its service is in maintenance (nobody is paged)" in shown
    row = next(
        line for line in run("ls", "--service", "checkout").stdout.splitlines()
        if line.startswith(received.incident)
    )  # fmt: skip
    assert re.search(r"SEV1\s+triggered\s+quiet", row)
