"""`esctui integration` and `esctui maintenance` through `--server`: an administrator's token
does on the server what the commands do on a store; anyone else's is refused (exit code 1)."""

from __future__ import annotations

import json
import re

from alert_bodies import pd_body

from .conftest import Running
from .intake_support import alert_incidents, post
from .test_remote_cli import remote


def test_an_administrator_makes_lists_and_revokes_integrations_through_the_server(
    server: Running,
) -> None:
    made = remote(
        server, "integration", "create", "grafana", "--service", "checkout", "--kind", "events",
        who="admin",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert post(server, "/v2/enqueue", pd_body(key)).status_code == 202
    assert len(alert_incidents(server, "grafana")) == 1
    listed = json.loads(remote(server, "integration", "ls", "--json", who="admin").stdout)
    assert [(i["name"], i["kind"]) for i in listed] == [("grafana", "events")]
    revoked = remote(server, "integration", "revoke", "grafana", who="admin")
    assert revoked.stdout == "Revoked grafana (events for checkout).\n"
    assert post(server, "/v2/enqueue", pd_body(key)).status_code == 401
    unknown = remote(server, "integration", "revoke", "grafana", who="admin")
    assert unknown.exit_code == 1
    assert "There is no active integration 'grafana'" in unknown.stderr


def test_maintenance_through_the_server_is_the_tokens_responders(server: Running) -> None:
    started = remote(
        server, "maintenance", "start", "checkout", "--for", "1h", "--reason", "upgrade",
        who="admin",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    listed = remote(server, "maintenance", "ls").stdout
    assert re.search(r"checkout\s+.*\s+ivan\s+upgrade", listed), listed
    assert "maintenance: checkout until" in remote(server, "status").stdout
    assert remote(server, "maintenance", "end", "checkout", who="admin").exit_code == 0
    assert remote(server, "maintenance", "ls").stdout == "No service is in maintenance.\n"


def test_anyone_elses_token_is_refused_and_nothing_changes(server: Running) -> None:
    for args in (
        ("integration", "create", "g", "--service", "checkout", "--kind", "events"),
        ("integration", "ls"),
        ("maintenance", "start", "checkout", "--for", "1h"),
    ):
        refused = remote(server, *args)
        assert refused.exit_code == 1, refused.output
        assert "needs an administrator's token" in refused.stderr
    assert remote(server, "integration", "ls", who="admin").stdout.startswith("No integrations")
    assert remote(server, "maintenance", "ls").stdout == "No service is in maintenance.\n"
