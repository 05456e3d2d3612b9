"""The wire formats monitoring speaks, read into `Notification`s: Prometheus Alertmanager's
webhook (version 4) and the PagerDuty Events API v2.

Both are read leniently where their senders differ (Grafana and others add fields of their own,
which are skipped) and strictly where a notification would mean nothing: a problem is a
`BadNotification` whose `errors` name every field that is wrong, as the Events API names them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from esctui.domain.alerts import (
    ANNOTATION_LIMIT,
    KEY_LIMIT,
    MOST_ALERTS,
    TITLE_LIMIT,
    Action,
    Alert,
    Link,
    Notification,
    cut,
    digest,
    kept_annotations,
    kept_key,
    kept_labels,
    kept_links,
    kept_raw,
    one_line,
)
from esctui.domain.models import FIRST_YEAR, LAST_YEAR

EVENT_SEVERITIES = ("critical", "error", "warning", "info")
SUMMARY_LIMIT = 1024  # the Events API's own limit on `payload.summary`


class BadNotification(Exception):
    """A request monitoring sent that says nothing esctui can record; `errors` name each
    problem, `str(error)` says it in one sentence."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def when(text: str) -> datetime | None:
    """An ISO 8601 time as monitoring writes it (a zone assumed UTC where it has none); None
    for anything else, and for Alertmanager's "never" (the year 1)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if not FIRST_YEAR <= at.year <= LAST_YEAR:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# -- Alertmanager -------------------------------------------------------------------------------


class WebhookAlert(msgspec.Struct, frozen=True):
    status: str = "firing"
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    starts_at: str = msgspec.field(default="", name="startsAt")
    generator_url: str = msgspec.field(default="", name="generatorURL")
    fingerprint: str = ""


class Webhook(msgspec.Struct, frozen=True):
    """Alertmanager's webhook body (its fields beyond these are skipped)."""

    group_key: str = msgspec.field(name="groupKey")
    status: str
    alerts: list[WebhookAlert]
    truncated_alerts: int = msgspec.field(default=0, name="truncatedAlerts")
    receiver: str = ""
    group_labels: dict[str, str] = msgspec.field(default_factory=dict, name="groupLabels")
    common_labels: dict[str, str] = msgspec.field(default_factory=dict, name="commonLabels")
    common_annotations: dict[str, str] = msgspec.field(
        default_factory=dict, name="commonAnnotations"
    )
    external_url: str = msgspec.field(default="", name="externalURL")


webhook_decoder = msgspec.json.Decoder(Webhook)


def read_webhook(body: bytes) -> Notification:
    """An Alertmanager webhook's body as a notification about its alert group."""
    try:
        webhook = webhook_decoder.decode(body)
    except msgspec.ValidationError as error:
        raise BadNotification(
            [f"The webhook body does not fit Alertmanager's format: {error}"]
        ) from None
    except msgspec.DecodeError as error:
        raise BadNotification([f"The webhook body is not JSON ({error})"]) from None
    errors = []
    if not webhook.group_key.strip():
        errors.append("'groupKey' is blank")
    if webhook.status not in ("firing", "resolved"):
        errors.append(f"'status' must be firing or resolved, not {cut(webhook.status, 40)!r}")
    if not webhook.alerts:
        errors.append("'alerts' is empty")
    bad = sorted({a.status for a in webhook.alerts} - {"firing", "resolved"})
    if bad:
        errors.append(f"an alert's 'status' must be firing or resolved, not {cut(bad[0], 40)!r}")
    if errors:
        raise BadNotification(errors)
    alerts = tuple(webhook_alert(alert) for alert in webhook.alerts[:MOST_ALERTS])
    firing = sorted(alert.fingerprint for alert in alerts if alert.firing)
    links = [Link(href=webhook.external_url, text="Alertmanager")]
    return Notification(
        key=kept_key(webhook.group_key),
        action=Action.TRIGGER if firing else Action.RESOLVE,
        summary=group_title(webhook),
        alerts=alerts,
        complete=webhook.truncated_alerts == 0 and len(webhook.alerts) <= MOST_ALERTS,
        labels=kept_labels(webhook.common_labels),
        links=kept_links(links),
        raw=kept_raw(body),
        closing="all alerts cleared",
    )


def webhook_alert(alert: WebhookAlert) -> Alert:
    fingerprint = alert.fingerprint or digest(sorted(alert.labels.items()))[:16]
    return Alert(
        fingerprint=cut(fingerprint, KEY_LIMIT),
        firing=alert.status == "firing",
        summary=one_line(alert.annotations.get("summary", ""), ANNOTATION_LIMIT),
        severity=cut(alert.labels.get("severity", ""), 64),
        labels=kept_labels(alert.labels),
        annotations=kept_annotations(alert.annotations),
        starts_at=when(alert.starts_at),
        link=cut(alert.generator_url, 2000),
    )


def group_title(webhook: Webhook) -> str:
    """The group's summary annotation, else its group labels, else its alert's name."""
    summary = one_line(webhook.common_annotations.get("summary", ""), TITLE_LIMIT)
    if summary:
        return summary
    if webhook.group_labels:
        pairs = ", ".join(f"{k}={v}" for k, v in sorted(webhook.group_labels.items()))
        return one_line(pairs, TITLE_LIMIT)
    name = webhook.common_labels.get("alertname", "")
    return one_line(name, TITLE_LIMIT) or f"alerts from {one_line(webhook.receiver, 100)}".strip()


# -- the PagerDuty Events API v2 ----------------------------------------------------------------


def read_event(body: bytes, new_key: str) -> tuple[str, Notification]:
    """An Events API v2 event: its routing key, and what it says. A trigger without a
    `dedup_key` gets `new_key` (the Events API answers with the key it gave)."""
    try:
        event = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise BadNotification([f"The body is not JSON ({error})"]) from None
    if not isinstance(event, dict):
        raise BadNotification(["The body must be a JSON object (an event)"])
    errors: list[str] = []
    routing_key = text_field(event, "routing_key", errors, required=True)
    action = text_field(event, "event_action", errors, required=True)
    if action and action not in tuple(Action):
        errors.append("'event_action' must be one of trigger, acknowledge or resolve")
    key = text_field(event, "dedup_key", errors)
    if len(key) > KEY_LIMIT:
        errors.append(f"'dedup_key' is longer than {KEY_LIMIT} characters")
    if not key and action in (Action.ACKNOWLEDGE, Action.RESOLVE):
        errors.append(f"'dedup_key' is missing or blank: an {action} names the alert it is about")
    payload = event.get("payload")
    if payload is None:
        payload = {}
        if action == Action.TRIGGER:
            errors.append("'payload' is missing: a trigger needs one")
    elif not isinstance(payload, dict):
        errors.append("'payload' must be an object")
        payload = {}
    trigger = action == Action.TRIGGER
    summary = text_field(payload, "summary", errors, required=trigger, prefix="payload.")
    if len(summary) > SUMMARY_LIMIT:
        errors.append(f"'payload.summary' is longer than {SUMMARY_LIMIT} characters")
    text_field(payload, "source", errors, required=trigger, prefix="payload.")
    severity = text_field(payload, "severity", errors, required=trigger, prefix="payload.")
    if severity and severity not in EVENT_SEVERITIES:
        errors.append("'payload.severity' must be one of critical, error, warning or info")
    stamp = text_field(payload, "timestamp", errors, prefix="payload.")
    if stamp and when(stamp) is None:
        errors.append("'payload.timestamp' is not an ISO 8601 time")
    names = ("source", "component", "group", "class")
    labels = {name: text_field(payload, name, errors, prefix="payload.") for name in names}
    client_url = text_field(event, "client_url", errors)
    text_field(event, "client", errors)
    links = link_list(event, "links", ("href",), "text", errors)
    links += link_list(event, "images", ("href", "src"), "alt", errors)
    if errors:
        raise BadNotification(errors)
    key = key or new_key
    alert = Alert(
        fingerprint=key,
        firing=action == Action.TRIGGER,
        summary=one_line(summary, ANNOTATION_LIMIT),
        severity=severity,
        labels=kept_labels({k: v for k, v in labels.items() if v}),
        starts_at=when(stamp) if stamp else None,
        link=cut(client_url, 2000),
    )
    said = [summary, severity, labels, payload.get("custom_details")]
    notification = Notification(
        key=key,
        action=Action(action),
        summary=one_line(summary, TITLE_LIMIT) or f"event {cut(key, 60)}",
        alerts=(alert,),
        labels=alert.labels,
        links=kept_links(links),
        digest=digest("events", said),
        raw=kept_raw(body),
    )
    return routing_key, notification


def text_field(
    where: dict[str, Any], name: str, errors: list[str], *, required: bool = False, prefix: str = ""
) -> str:
    """`where[name]` if it is a string ("" if it is left out); what is wrong, in `errors`."""
    value = where.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"'{prefix}{name}' is missing or blank")
        return ""
    if not isinstance(value, str):
        errors.append(f"'{prefix}{name}' must be a string")
        return ""
    return value.strip()


def link_list(
    event: dict[str, Any], name: str, targets: tuple[str, ...], text: str, errors: list[str]
) -> list[Link]:
    """The links an event carries in `name`: each item's first of `targets` that it has (an
    image links to its `href`, else to itself), with its `text`."""
    value = event.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors.append(f"'{name}' must be a list of objects")
        return []
    found = []
    for item in value:
        for target in targets:
            href, label = item.get(target), item.get(text) or ""
            if href is None:
                continue
            if not isinstance(href, str) or not isinstance(label, str):
                errors.append(f"'{name}[].{target}' and '{name}[].{text}' must be strings")
            elif href:
                found.append(Link(href=href, text=label))
            break
    return found
