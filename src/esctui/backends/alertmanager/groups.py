"""An Alertmanager alert group as an incident: a stable id from the group's receiver and
labels, the worst severity among its alerts, when it started firing, its labels and
annotations, and what its silences say (an `ACK!` silence acknowledges it, as karma and
kthxbye read it; any other silence snoozes it, and is shown as what it is)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from esctui.backends.alertmanager import wire
from esctui.domain.models import Incident, Status

ACK = "ACK!"  # a silence whose comment starts so is an acknowledgement (karma, kthxbye)
DEFAULT_SEVERITIES = {"critical": 1, "page": 1, "error": 2, "high": 2, "warning": 3, "info": 4}
UNKNOWN_SEVERITY = 3
# The annotations a responder needs in the detail pane, beside the labels.
ANNOTATIONS = ("summary", "description", "runbook_url")


def group_id(group: wire.AlertGroup) -> str:
    """`AM-` and a short hash of the receiver and the group's labels: the same group has the
    same id in every console and on every read."""
    text = (
        group.receiver.name + "\0" + "\0".join(f"{k}={v}" for k, v in sorted(group.labels.items()))
    )
    return "AM-" + hashlib.sha256(text.encode()).hexdigest()[:10].upper()


def is_ack(silence: wire.Silence) -> bool:
    return silence.comment.lstrip().startswith(ACK)


def common_labels(group: wire.AlertGroup) -> dict[str, str]:
    """The labels every alert of the group has alike (the group's own among them)."""
    if not group.alerts:
        return dict(group.labels)
    first, *rest = group.alerts
    common = {k: v for k, v in first.labels.items() if all(a.labels.get(k) == v for a in rest)}
    return {**common, **group.labels}


def matchers(group: wire.AlertGroup) -> list[wire.Matcher]:
    """What a silence of the whole group matches: the labels its alerts share."""
    return [wire.Matcher(name=k, value=v) for k, v in sorted(common_labels(group).items())]


def severity(group: wire.AlertGroup, severities: Mapping[str, int]) -> int:
    """The worst severity among the group's alerts, by their `severity` label."""
    found = [
        severities.get(alert.labels.get("severity", "").lower(), UNKNOWN_SEVERITY)
        for alert in group.alerts
    ]
    return min(found, default=UNKNOWN_SEVERITY)


def silences_of(group: wire.AlertGroup, silences: Mapping[str, wire.Silence]) -> list[wire.Silence]:
    """The active silences that silence any alert of the group, oldest first."""
    ids = {sid for alert in group.alerts for sid in alert.status.silenced_by}
    found = [silences[sid] for sid in ids if sid in silences and silences[sid].active]
    return sorted(found, key=lambda s: (s.starts_at, s.id))


def ack_silence(
    group: wire.AlertGroup, silences: Mapping[str, wire.Silence]
) -> wire.Silence | None:
    """The newest acknowledgement silence on the group, if it has one."""
    acks = [s for s in silences_of(group, silences) if is_ack(s)]
    return acks[-1] if acks else None


def service(group: wire.AlertGroup, labels: Mapping[str, str]) -> str:
    """From the group's `labels` (`common_labels`)."""
    return labels.get("service") or labels.get("job") or group.receiver.name


def title(alerts: list[wire.Alert], labels: Mapping[str, str]) -> str:
    """The first summary among `alerts` (oldest first), else from the group's `labels`."""
    for alert in alerts:
        summary = alert.annotations.get("summary", "").strip()
        if summary:
            return summary
    return labels.get("alertname") or ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def shown_labels(
    alerts: list[wire.Alert], labels: Mapping[str, str], silences: list[wire.Silence]
) -> dict[str, str]:
    """The group's `labels`, the first of its `alerts`' annotations and source, and every
    silence that is not an acknowledgement: who made it, until when, and why."""
    labels = dict(labels)
    if alerts:
        first = alerts[0]
        labels.update({k: first.annotations[k] for k in ANNOTATIONS if first.annotations.get(k)})
        if first.generator_url:
            labels["generatorURL"] = first.generator_url
    for silence in silences:
        if not is_ack(silence):
            labels[f"silence {silence.id[:8]}"] = (
                f"by {silence.created_by} until {silence.ends_at:%Y-%m-%d %H:%M} UTC: "
                f"{silence.comment.strip()}"
            )
    return labels


def incident_of(
    group: wire.AlertGroup,
    silences: Mapping[str, wire.Silence],
    severities: Mapping[str, int],
    now: datetime,
) -> Incident:
    """The group as an incident (version 0: the queue that keeps it gives it its version)."""
    on_group = silences_of(group, silences)
    ack = ack_silence(group, silences)
    snoozes = [s.ends_at for s in on_group if not is_ack(s)]
    alerts = sorted(group.alerts, key=lambda a: a.starts_at)  # oldest first
    started = alerts[0].starts_at if alerts else now
    labels = common_labels(group)
    return Incident(
        id=group_id(group),
        title=title(alerts, labels),
        service=service(group, labels),
        severity=severity(group, severities),
        status=Status.ACKNOWLEDGED if ack is not None else Status.TRIGGERED,
        created_at=started,
        opened_at=started,
        version=0,
        assignee=ack.created_by if ack is not None else None,
        acknowledged_at=ack.starts_at if ack is not None else None,
        acknowledged_by=ack.created_by if ack is not None else None,
        snoozed_until=max(snoozes) if snoozes else None,
        labels=shown_labels(alerts, labels, on_group),
    )
