"""Reading what monitoring sends: Alertmanager's webhook and the PagerDuty Events API v2, every
problem named; the severity each alert maps to."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime

import pytest

from alert_bodies import am_alert, am_body, am_webhook, pd_body, pd_event
from esctui.domain.alert_formats import BadNotification, read_event, read_webhook
from esctui.domain.alerts import KEY_LIMIT, RAW_LIMIT, Action, Settings

KEY = "0" * 32


def test_a_webhook_is_one_notification_about_its_group() -> None:
    body = am_body(
        [am_alert("DiskFull", instance="db-1"), am_alert("DiskFull", instance="db-2")],
        summary="Disks are full",
    )
    n = read_webhook(body)
    assert n.key == '{}:{alertname="DiskFull"}'
    assert n.action is Action.TRIGGER
    assert n.summary == "Disks are full"
    assert n.labels == {"alertname": "DiskFull", "severity": "critical"}
    assert [a.fingerprint for a in n.firing] == ["DiskFull-db-1", "DiskFull-db-2"]
    first = n.alerts[0]
    assert first.link == "http://prometheus:9090/graph?g0.expr=DiskFull"
    assert first.labels["instance"] == "db-1"
    assert first.summary == "DiskFull on db-1"
    assert first.starts_at == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert n.links[0].href == "http://alertmanager:9093"
    assert n.complete
    assert n.raw == body.decode()


def test_without_a_summary_the_title_is_the_group_labels() -> None:
    n = read_webhook(am_body([am_alert("DiskFull")], group="DiskFull"))
    assert n.summary == "alertname=DiskFull"


def test_a_resolved_group_resolves_and_truncated_alerts_leave_it_incomplete() -> None:
    resolved = read_webhook(am_body([am_alert("DiskFull", firing=False)]))
    truncated = read_webhook(am_body([am_alert("DiskFull")], truncated=3))
    assert resolved.action is Action.RESOLVE
    assert resolved.closing == "all alerts cleared"
    assert not truncated.complete


def test_a_long_group_key_is_kept_as_its_hash_and_the_raw_body_is_cut() -> None:
    webhook = am_webhook([am_alert("DiskFull", summary="x" * 9000)])
    webhook["groupKey"] = "k" * 1000
    n = read_webhook(json.dumps(webhook).encode())
    assert n.key.startswith("sha256:") and len(n.key) <= KEY_LIMIT
    assert len(n.raw.encode()) <= RAW_LIMIT


def test_a_missing_fingerprint_is_made_from_the_labels() -> None:
    alert = am_alert("DiskFull")
    del alert["fingerprint"]
    one = read_webhook(am_body([alert])).alerts[0].fingerprint
    again = read_webhook(am_body([alert])).alerts[0].fingerprint
    assert one and one == again


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"groupKey": ""}, "'groupKey' is blank"),
        ({"status": "burning"}, "'status' must be firing or resolved, not 'burning'"),
        ({"alerts": []}, "'alerts' is empty"),
        ({"alerts": "none"}, "Expected `array`, got `str` - at `$.alerts`"),
    ],
)
def test_a_webhook_that_means_nothing_is_refused_naming_why(
    change: dict[str, object], error: str
) -> None:
    webhook = {**am_webhook([am_alert("DiskFull")]), **change}
    with pytest.raises(BadNotification) as refused:
        read_webhook(json.dumps(webhook).encode())
    assert error in str(refused.value)


def test_a_webhook_that_is_not_json_is_refused() -> None:
    with pytest.raises(BadNotification, match="not JSON"):
        read_webhook(b"{nope")


def test_an_event_triggers_with_its_payload_as_an_alert() -> None:
    key, n = read_event(pd_body(KEY), "generated")
    assert key == KEY
    assert (n.key, n.action, n.summary) == ("disk-db-1", Action.TRIGGER, "Disk full on db-1")
    alert = n.alerts[0]
    assert (alert.fingerprint, alert.firing, alert.severity) == ("disk-db-1", True, "critical")
    assert n.labels == {
        "source": "db-1.example.com",
        "component": "postgres",
        "group": "prod-db",
        "class": "disk",
    }
    assert alert.link == "https://grafana.example.com"
    assert [(link.href, link.text) for link in n.links] == [
        ("https://grafana.example.com/d/db", "dashboard")
    ]


def test_a_trigger_without_a_dedup_key_gets_the_new_one() -> None:
    _, n = read_event(pd_body(KEY, dedup_key=None), "generated")
    assert n.key == "generated"


def test_the_same_event_has_the_same_digest_and_a_changed_one_another() -> None:
    _, one = read_event(pd_body(KEY), "a")
    _, again = read_event(pd_body(KEY), "b")
    _, changed = read_event(pd_body(KEY, summary="Disk still full"), "c")
    assert one.digest == again.digest != changed.digest


def test_acknowledge_and_resolve_need_only_the_key_and_the_dedup_key() -> None:
    _, ack = read_event(pd_body(KEY, "acknowledge"), "x")
    _, resolve = read_event(pd_body(KEY, "resolve"), "x")
    assert ack.action is Action.ACKNOWLEDGE
    assert resolve.action is Action.RESOLVE
    assert not resolve.alerts[0].firing


def refusal(event: object) -> list[str]:
    with pytest.raises(BadNotification) as refused:
        read_event(json.dumps(event).encode(), "new")
    return refused.value.errors


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (pd_event(""), "'routing_key' is missing or blank"),
        (pd_event(KEY, "page"), "'event_action' must be one of trigger, acknowledge or resolve"),
        ({**pd_event(KEY), "event_action": None}, "'event_action' is missing or blank"),
        (pd_event(KEY, "resolve", dedup_key=None), "'dedup_key' is missing or blank"),
        (pd_event(KEY, "acknowledge", dedup_key=""), "'dedup_key' is missing or blank"),
        (pd_event(KEY, dedup_key="d" * 256), "'dedup_key' is longer than 255 characters"),
        ({**pd_event(KEY), "payload": None}, "'payload' is missing: a trigger needs one"),
        ({**pd_event(KEY), "payload": "disk"}, "'payload' must be an object"),
        (pd_event(KEY, summary=""), "'payload.summary' is missing or blank"),
        (pd_event(KEY, summary="s" * 1025), "'payload.summary' is longer than 1024 characters"),
        (pd_event(KEY, severity="high"), "'payload.severity' must be one of critical, error"),
        ({**pd_event(KEY), "links": "x"}, "'links' must be a list of objects"),
        ({**pd_event(KEY), "images": [{"src": 3}]}, "'images[].src' and 'images[].alt'"),
        ({**pd_event(KEY), "dedup_key": 7}, "'dedup_key' must be a string"),
        ([pd_event(KEY)], "The body must be a JSON object (an event)"),
    ],
)
def test_every_problem_of_an_event_is_named(event: object, error: str) -> None:
    errors = refusal(event)
    assert any(found.startswith(error) for found in errors), errors


def test_a_payload_without_a_source_or_a_bad_time_is_refused_with_both_named() -> None:
    event = pd_event(KEY)
    del event["payload"]["source"]
    event["payload"]["timestamp"] = "yesterday"
    assert refusal(event) == [
        "'payload.source' is missing or blank",
        "'payload.timestamp' is not an ISO 8601 time",
    ]


def test_an_event_that_is_not_json_is_refused() -> None:
    with pytest.raises(BadNotification, match="not JSON"):
        read_event(b"routing_key=x", "new")


def test_severities_map_by_the_integrations_words_then_esctuis() -> None:
    default = Settings()
    custom = Settings(severities={"page": 1, "ticket": 4}, default_severity=3)
    assert [default.severity(w) for w in ("critical", "ERROR", "warning", "info")] == [1, 2, 3, 4]
    assert default.severity("") == 2
    assert default.severity("sev4") == 4
    assert custom.severity("page") == 1
    assert custom.severity("critical") == 3  # not in its mapping: its default


def test_a_group_is_as_severe_as_its_most_severe_firing_alert() -> None:
    alerts = [
        am_alert("Disk", instance="a", severity="warning"),
        am_alert("Disk", instance="b", severity="critical"),
        am_alert("Disk", instance="c", severity="info"),
    ]
    n = read_webhook(am_body(alerts))
    assert n.severity(Settings()) == 1
    cleared = read_webhook(am_body([am_alert("Disk", severity="info", firing=False)]))
    assert cleared.severity(Settings()) == 4


def test_alerts_cost_the_garbage_collector_nothing() -> None:
    """A server keeps the alerts of thousands of recent changes; each one the collector
    tracked would lengthen every full collection, a pause every request waits out."""
    alerts = [am_alert("Disk", instance=f"node-{i}") for i in range(100)]
    n = read_webhook(am_body(alerts))
    assert len(n.alerts) == 100
    assert not any(gc.is_tracked(alert) for alert in n.alerts)
