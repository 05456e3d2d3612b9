"""PagerDuty's incidents as esctui's: ids as PagerDuty gives them (opaque, case-sensitive),
the severity from the priority or the urgency (mapping configurable), the assignee (the user
who acknowledged it, while it is acknowledged), and the directory they imply: the users seen
(by e-mail, as the `From` user is named), the services and their escalation policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from esctui.domain.models import (
    Directory,
    EscalationLevel,
    EscalationPolicy,
    Incident,
    Responder,
    Service,
    Status,
)

DEFAULT_SEVERITIES = {"p1": 1, "p2": 2, "p3": 3, "p4": 4, "p5": 4, "high": 2, "low": 4}
UNKNOWN_SEVERITY = 3
STATUSES = {s.value: s for s in Status}


def instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


class People:
    """The users PagerDuty has shown, by id: their e-mail is their name here."""

    def __init__(self) -> None:
        self.emails: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def learn(self, user: Any) -> None:
        if isinstance(user, dict) and user.get("id") and user.get("email"):
            self.emails[user["id"]] = user["email"]
            self.names[user["id"]] = user.get("name") or user.get("summary") or ""

    def name(self, user: Any) -> str | None:
        """The user's e-mail where known, else what PagerDuty calls them."""
        if not isinstance(user, dict):
            return None
        self.learn(user)
        return self.emails.get(user.get("id", "")) or user.get("summary") or user.get("id")

    def id_of(self, email: str) -> str | None:
        return next((uid for uid, known in self.emails.items() if known == email), None)

    def responders(self, also: Iterable[str]) -> tuple[Responder, ...]:
        by_email = {email: self.names.get(uid, "") for uid, email in self.emails.items()}
        for email in also:
            by_email.setdefault(email, "")
        return tuple(Responder(name=e, full_name=n, email=e) for e, n in sorted(by_email.items()))


def severity(data: Mapping[str, Any], severities: Mapping[str, int]) -> int:
    priority = (data.get("priority") or {}).get("summary") or ""
    if priority.lower() in severities:
        return severities[priority.lower()]
    return severities.get(str(data.get("urgency", "")).lower(), UNKNOWN_SEVERITY)


def incident_of(
    data: Mapping[str, Any],
    people: People,
    severities: Mapping[str, int],
    *,
    level: int = 1,
    snoozed_until: datetime | None = None,
) -> Incident:
    """One incident of PagerDuty's (version 0: the queue that keeps it gives it its version).
    PagerDuty does not list an incident's escalation level: `level` is what esctui knows."""
    status = STATUSES.get(data.get("status", ""), Status.TRIGGERED)
    created = instant(data.get("created_at"))
    assert created is not None
    acks = data.get("acknowledgements") or []
    last_ack = acks[-1] if acks and status is Status.ACKNOWLEDGED else None
    acknowledged_by = people.name(last_ack.get("acknowledger")) if last_ack else None
    assignments = data.get("assignments") or []
    assigned = people.name(assignments[0].get("assignee")) if assignments else None
    resolved = status is Status.RESOLVED
    service = data.get("service") or {}
    policy = data.get("escalation_policy") or {}
    labels = {
        "urgency": str(data.get("urgency", "")),
        "number": str(data.get("incident_number", "")),
        "escalation_policy": str(policy.get("summary", "")),
        "url": str(data.get("html_url", "")),
    }
    if data.get("priority"):
        labels["priority"] = str(data["priority"].get("summary", ""))
    return Incident(
        id=str(data["id"]),
        title=str(data.get("title") or data.get("summary") or data["id"]),
        service=str(service.get("summary") or service.get("name") or service.get("id", "")),
        severity=severity(data, severities),
        status=status,
        created_at=created,
        opened_at=created,
        version=0,
        assignee=acknowledged_by or assigned,
        level=level,
        acknowledged_at=instant(last_ack.get("at")) if last_ack else None,
        acknowledged_by=acknowledged_by,
        resolved_at=instant(data.get("resolved_at")) if resolved else None,
        snoozed_until=snoozed_until if status is Status.ACKNOWLEDGED else None,
        labels={k: v for k, v in labels.items() if v},
    )


def policy_name(policy: Mapping[str, Any]) -> str:
    """An escalation policy (or a reference to one) by its name."""
    return str(policy.get("summary") or policy.get("name") or policy.get("id", ""))


def directory(
    incidents: Iterable[Mapping[str, Any]],
    people: People,
    me: str,
    on_call: Mapping[str, EscalationPolicy] | None = None,
) -> Directory:
    """The services and escalation policies the incidents name, and the users seen; a policy
    in `on_call` (read from PagerDuty's on-calls) as it says who is on call at each level."""
    policies: dict[str, EscalationPolicy] = {}
    services: dict[str, Service] = {}
    for data in incidents:
        policy = data.get("escalation_policy") or {}
        name = policy_name(policy)
        rules = policy.get("escalation_rules") or []
        levels = tuple(
            EscalationLevel(
                targets=(),
                timeout_minutes=max(1, int(rule.get("escalation_delay_in_minutes") or 30)),
            )
            for rule in rules
        )
        if name and (name not in policies or len(levels) > len(policies[name].levels)):
            policies[name] = EscalationPolicy(name=name, levels=levels)
        service = data.get("service") or {}
        service_name = str(service.get("summary") or service.get("name") or service.get("id", ""))
        if service_name:
            services[service_name] = Service(name=service_name, policy=name)
    policies.update(on_call or {})
    return Directory(
        responders=people.responders([me]),
        policies=tuple(policies.values()),
        services=tuple(services.values()),
    )
