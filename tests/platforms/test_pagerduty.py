"""PagerDuty as the backend, against the stateful fake (fake_pagerduty.py), whose every
answer is checked against PagerDuty's API document."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from fake_pagerduty import FakePagerDuty
from platforms.conftest import Run


def listed(esctui: Run, *args: str) -> dict[str, dict[str, Any]]:
    result = esctui("--pagerduty", "ls", "--json", *args)
    assert result.exit_code == 0, result.output
    return {i["id"]: i for i in json.loads(result.stdout)}


def test_the_queue_is_pagerdutys_open_incidents(esctui: Run, pagerduty: FakePagerDuty) -> None:
    shown = listed(esctui)
    assert set(shown) == {"PAbc123", "PDisk01"}
    assert shown["PAbc123"]["assignee"] == "carol@example.com"
    assert (shown["PAbc123"]["severity"], shown["PDisk01"]["severity"]) == (2, 4)  # urgency
    assert shown["PDisk01"]["labels"]["urgency"] == "low"
    resolved = listed(esctui, "--status", "resolved")
    assert set(resolved) == {"POld001"}  # resolved within the window
    sent = pagerduty.requests("GET", "/incidents")[0]
    assert sent.headers.get("From", True)
    assert sent.headers["Accept"].startswith("application/vnd.pagerduty+json;version=2")


def test_ack_then_the_list_shows_it_acknowledged(esctui: Run, pagerduty: FakePagerDuty) -> None:
    acked = esctui("--pagerduty", "ack", "PDisk01")
    assert acked.exit_code == 0, acked.output
    assert "PDisk01 acknowledged by carol@example.com." in acked.stdout
    [put] = pagerduty.requests("PUT", "/incidents")
    assert put.headers["From"] == "carol@example.com"
    assert put.body == {
        "incidents": [{"id": "PDisk01", "type": "incident_reference", "status": "acknowledged"}]
    }
    shown = listed(esctui)["PDisk01"]
    assert (shown["status"], shown["acknowledged_by"]) == ("acknowledged", "carol@example.com")


def test_a_bulk_ack_is_one_request(esctui: Run, pagerduty: FakePagerDuty) -> None:
    acked = esctui("--pagerduty", "ack", "PDisk01", "PAbc123")
    assert acked.exit_code == 0, acked.output
    [put] = pagerduty.requests("PUT", "/incidents")
    assert [i["id"] for i in put.body["incidents"]] == ["PDisk01", "PAbc123"]


def test_ids_are_pagerdutys_own_and_case_sensitive(esctui: Run, pagerduty: FakePagerDuty) -> None:
    shown = esctui("--pagerduty", "show", "PAbc123")
    assert shown.exit_code == 0, shown.output
    assert "Checkout 5xx above 5%" in shown.stdout
    wrong = esctui("--pagerduty", "ack", "pabc123")
    assert wrong.exit_code == 1
    assert "There is no incident pabc123" in wrong.stderr
    assert pagerduty.requests("PUT", "/incidents") == []


def test_unacknowledge_is_refused_with_the_sentence(esctui: Run, pagerduty: FakePagerDuty) -> None:
    assert esctui("--pagerduty", "ack", "PDisk01").exit_code == 0
    refused = esctui("--pagerduty", "unack", "PDisk01")
    assert refused.exit_code == 1
    assert "PagerDuty's API cannot unacknowledge an incident" in refused.stderr


def test_hand_off_escalate_note_snooze_and_status_update(
    esctui: Run, pagerduty: FakePagerDuty
) -> None:
    pd = ("--pagerduty",)
    handed = esctui(*pd, "handoff", "PAbc123", "--to", "bob@example.com", "--note", "yours")
    assert handed.exit_code == 0, handed.output
    [assign] = pagerduty.requests("PUT", "/incidents/PAbc123")
    assert assign.body["incident"]["assignments"][0]["assignee"]["id"] == "PBOB001"
    assert listed(esctui)["PAbc123"]["assignee"] == "bob@example.com"

    assert esctui(*pd, "escalate", "PAbc123", "--level", "2").exit_code == 0
    assert pagerduty.requests("PUT", "/incidents/PAbc123")[-1].body["incident"] == {
        "type": "incident_reference",
        "escalation_level": 2,
    }
    assert esctui(*pd, "note", "PAbc123", "rolled", "back").exit_code == 0
    notes = pagerduty.requests("POST", "/incidents/PAbc123/notes")
    assert notes[-1].body == {"note": {"content": "rolled back"}}

    refused = esctui(*pd, "snooze", "PAbc123", "--for", "1h")
    assert refused.exit_code == 1
    assert "PagerDuty snoozes only an acknowledged incident" in refused.stderr
    assert esctui(*pd, "ack", "PAbc123").exit_code == 0
    assert esctui(*pd, "snooze", "PAbc123", "--for", "1h").exit_code == 0
    [snooze] = pagerduty.requests("POST", "/incidents/PAbc123/snooze")
    assert 3590 <= snooze.body["duration"] <= 3600

    said = esctui(
        *pd,
        "comm",
        "PAbc123",
        "--channel",
        "email",
        "--direction",
        "out",
        "--with",
        "ACME",
        "we",
        "rolled",
        "back",
    )
    assert said.exit_code == 0, said.output
    [update] = pagerduty.requests("POST", "/incidents/PAbc123/status_updates")
    assert update.body["message"].startswith("we rolled back")

    timeline = esctui(*pd, "show", "PAbc123")
    assert "acknowledged by carol@example.com" in timeline.stdout
    assert "rolled back" in timeline.stdout


def test_a_429_is_waited_out_as_pagerduty_asks(esctui: Run, pagerduty: FakePagerDuty) -> None:
    pagerduty.throttled, pagerduty.retry_after = 1, "1"
    started = time.monotonic()
    acked = esctui("--pagerduty", "ack", "PDisk01")
    assert acked.exit_code == 0, acked.output
    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert listed(esctui)["PDisk01"]["status"] == "acknowledged"


def test_the_queue_is_read_a_page_at_a_time(esctui: Run, pagerduty: FakePagerDuty) -> None:
    for n in range(250):
        pagerduty.incident(f"PMANY{n:03d}", f"Alert {n}")
    assert len(listed(esctui)) == 252
    offsets = [s.query["offset"][0] for s in pagerduty.requests("GET", "/incidents")]
    assert offsets[:3] == ["0", "100", "200"]
    assert all(s.query["limit"] == ["100"] for s in pagerduty.requests("GET", "/incidents"))


def test_the_token_is_never_printed(
    esctui: Run, pagerduty: FakePagerDuty, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCTUI_PAGERDUTY_TOKEN", "not-the-secret-4711")
    refused = esctui("--pagerduty", "ls")
    assert refused.exit_code == 3
    assert "refused esctui's token" in refused.stderr
    assert "4711" not in refused.output + refused.stderr


def test_pagerduty_needs_a_from_user(esctui: Run, pagerduty: FakePagerDuty, no_config: Any) -> None:
    no_config.write_text("")
    refused = esctui("--pagerduty", "ls")
    assert refused.exit_code == 2
    assert "from_email" in refused.output + refused.stderr
