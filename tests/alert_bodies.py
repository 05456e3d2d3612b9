"""Bodies monitoring sends, as the tests send them: Alertmanager's webhook (version 4) and the
PagerDuty Events API v2, shaped as the real senders shape them."""

from __future__ import annotations

import json
from typing import Any

STARTS = "2026-11-23T03:00:00Z"


def am_alert(
    name: str,
    *,
    instance: str = "db-1",
    severity: str = "critical",
    firing: bool = True,
    summary: str = "",
) -> dict[str, Any]:
    labels = {"alertname": name, "instance": instance, "severity": severity}
    return {
        "status": "firing" if firing else "resolved",
        "labels": labels,
        "annotations": {"summary": summary or f"{name} on {instance}"},
        "startsAt": STARTS,
        "endsAt": "0001-01-01T00:00:00Z" if firing else "2026-11-23T03:10:00Z",
        "generatorURL": f"http://prometheus:9090/graph?g0.expr={name}",
        "fingerprint": f"{name}-{instance}",
    }


def am_webhook(
    alerts: list[dict[str, Any]],
    *,
    group: str = "DiskFull",
    summary: str = "",
    truncated: int = 0,
) -> dict[str, Any]:
    """A webhook for the group of alerts named `group` (grouped by alertname)."""
    firing = any(alert["status"] == "firing" for alert in alerts)
    common = {"alertname": group}
    severities = {alert["labels"]["severity"] for alert in alerts}
    if len(severities) == 1:
        common["severity"] = severities.pop()
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{group}"}}',
        "truncatedAlerts": truncated,
        "status": "firing" if firing else "resolved",
        "receiver": "esctui",
        "groupLabels": {"alertname": group},
        "commonLabels": common,
        "commonAnnotations": {"summary": summary} if summary else {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }


def am_body(*args: Any, **kwargs: Any) -> bytes:
    return json.dumps(am_webhook(*args, **kwargs)).encode()


def pd_event(
    routing_key: str,
    action: str = "trigger",
    *,
    dedup_key: str | None = "disk-db-1",
    summary: str = "Disk full on db-1",
    severity: str = "critical",
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {"routing_key": routing_key, "event_action": action}
    if dedup_key is not None:
        event["dedup_key"] = dedup_key
    if action == "trigger":
        event["payload"] = {
            "summary": summary,
            "source": "db-1.example.com",
            "severity": severity,
            "component": "postgres",
            "group": "prod-db",
            "class": "disk",
            "custom_details": {"free": "0 bytes", "mount": "/var"},
        }
        event["links"] = [{"href": "https://grafana.example.com/d/db", "text": "dashboard"}]
        event["client"] = "Grafana"
        event["client_url"] = "https://grafana.example.com"
    event.update(extra)
    return event


def pd_body(*args: Any, **kwargs: Any) -> bytes:
    return json.dumps(pd_event(*args, **kwargs)).encode()
