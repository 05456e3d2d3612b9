"""An incident's PagerDuty log entries as esctui's timeline: triggered, acknowledged,
assigned, escalated, snoozed, noted, unacknowledged (a timeout) and resolved, each by whom
PagerDuty names. Entries esctui has no event for (notifications sent, urgency changes) are
left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from esctui.backends.pagerduty.incidents import People, instant
from esctui.domain import events as e
from esctui.domain.models import Incident


def timeline(
    incident: Incident, entries: Iterable[Mapping[str, Any]], people: People
) -> list[e.AnyEvent]:
    """The events of `incident`'s log `entries` (in any order), oldest first, numbered from 1;
    a trigger of its own first where the entries start later."""
    ordered = sorted(entries, key=lambda entry: str(entry.get("created_at", "")))
    made: list[e.AnyEvent] = []
    level = 1

    def add(kind: type[e.AnyEvent], entry: Mapping[str, Any], **fields: Any) -> None:
        at = instant(entry.get("created_at")) or incident.created_at
        by = (
            people.name(entry.get("agent"))
            if entry.get("agent", {}).get("type", "").startswith("user")
            else None
        )
        made.append(kind(incident=incident.id, at=at, version=len(made) + 1, by=by, **fields))

    for entry in ordered:
        kind = entry.get("type", "")
        if kind == "trigger_log_entry" and not made:
            add(e.Triggered, entry, **trigger_fields(incident))
            continue
        if not made:  # the entries start after the trigger
            made.append(
                e.Triggered(
                    incident=incident.id,
                    at=incident.created_at,
                    version=1,
                    by=None,
                    **trigger_fields(incident),
                )
            )
        if kind in ("acknowledge_log_entry", "acknowledgement_log_entry"):
            add(e.Acknowledged, entry)
        elif kind == "unacknowledge_log_entry":
            add(e.Unacknowledged, entry, reason=str(entry.get("summary", "")))
        elif kind == "assign_log_entry":
            assignees = entry.get("assignees") or []
            to = people.name(assignees[0]) if assignees else None
            if to:
                add(e.HandedOff, entry, from_responder=None, to=to)
        elif kind == "escalate_log_entry":
            add(
                e.Escalated,
                entry,
                from_level=level,
                to_level=level + 1,
                cycle=0,
                assignee=None,
                reason=str(entry.get("summary", "")),
            )
            level += 1
        elif kind == "snooze_log_entry":
            until = next(
                (instant(a.get("at")) for a in entry.get("changed_actions") or [] if a.get("at")),
                None,
            )
            if until is not None:
                add(e.Snoozed, entry, until=until)
        elif kind == "annotate_log_entry":
            text = (entry.get("channel") or {}).get("summary") or entry.get("summary") or ""
            if text:
                add(e.NoteAdded, entry, text=str(text))
        elif kind == "resolve_log_entry":
            add(e.Resolved, entry, note=str(entry.get("note") or ""))
    if not made:
        made.append(
            e.Triggered(
                incident=incident.id,
                at=incident.created_at,
                version=1,
                by=None,
                **trigger_fields(incident),
            )
        )
    return made


def trigger_fields(incident: Incident) -> dict[str, Any]:
    return {
        "title": incident.title,
        "service": incident.service,
        "severity": incident.severity,
        "assignee": None,
        "customer": incident.customer,
        "labels": dict(incident.labels),
    }
