"""What the read-only views say of alerts from monitoring: an incident's alerts (`show`), a quiet
incident, and the services in maintenance (`status`)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from esctui.cli import render as r
from esctui.domain import events as e
from esctui.domain.models import Incident
from esctui.stores.records import MaintenanceWindow

# Alerts `show` lists; the rest are counted.
MOST_SHOWN = 50


def source_lines(incident: Incident, zone: tzinfo) -> list[str]:
    """Where an incident's alerts come from, and whether it is quiet (for `show`'s summary)."""
    lines = []
    alerts = incident.alerts
    if alerts is not None:
        told = "notification" if alerts.received == 1 else "notifications"
        lines.append(
            f"  alerts    from {r.scrub(alerts.integration)}: {len(alerts.firing)} firing, "
            f"{alerts.received} {told}"
        )
    if incident.quiet:
        lines.append(
            f"  quiet     opened while {r.scrub(incident.service)} was in maintenance: it "
            "neither escalates nor pages"
        )
    return lines


def alert_lines(timeline: list[e.AnyEvent], now: datetime, zone: tzinfo) -> list[str]:
    """Every alert monitoring told of, firing ones first: its state, fingerprint, summary,
    since when, how often told, and where it came from."""
    seen = sorted(e.alerts_seen(timeline), key=lambda s: (not s.firing, s.first_at))
    if not seen:
        return []
    lines = ["alerts"]
    for alert in seen[:MOST_SHOWN]:
        state = "FIRING" if alert.firing else "cleared"
        summary = r.scrub(alert.alert.summary) or "-"
        told = f", told {alert.told}x" if alert.told > 1 else ""
        lines.append(
            f"  {r.clock(alert.first_at, now, zone):>11}  {state:<7} "
            f"{r.scrub(alert.alert.fingerprint)}  {summary}{told}"
        )
        if alert.alert.link:
            lines.append(f"{'':15}{r.scrub(alert.alert.link)}")
    if len(seen) > MOST_SHOWN:
        lines.append(f"  … {len(seen) - MOST_SHOWN} more: esctui show ID --json")
    return lines


def maintenance_line(
    windows: dict[str, MaintenanceWindow], now: datetime, zone: tzinfo
) -> str | None:
    """`maintenance: checkout until 14:00 (upgrade), dns until 11-24 09:00` (None: none)."""
    current = sorted((w for w in windows.values() if w.in_force(now)), key=lambda w: w.service)
    if not current:
        return None
    parts = [
        f"{r.scrub(w.service)} until {r.clock(w.end, now, zone)}"
        + (f" ({r.scrub(w.reason)})" if w.reason else "")
        for w in current
    ]
    return "maintenance: " + ", ".join(parts)
