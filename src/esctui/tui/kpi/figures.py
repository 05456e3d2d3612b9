"""The KPI screen's words for figures: the numbers `esctui metrics --json` gives, as the screen
shows them. Plain text; nothing here needs Textual."""

from __future__ import annotations

from datetime import timedelta

from esctui.domain.durations import format_duration
from esctui.domain.metrics import Durations, Figures, Metrics, Satisfaction
from esctui.wording import scrub


def seconds(value: float | None) -> str:
    return "-" if value is None else format_duration(timedelta(seconds=value))


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def spread(d: Durations) -> str:
    """`4m12s / 9m30s`: p50 / p90."""
    return f"{seconds(d.p50)} / {seconds(d.p90)}"


def satisfied(s: Satisfaction) -> str:
    return "-" if s.mean is None else f"{s.mean:.1f}/5 ({s.count})"


def headline(f: Figures, pages_recorded: int) -> list[tuple[str, str]]:
    """The overall figures, as (label, value) in the order shown."""
    pages = "none delivered" if not pages_recorded else f"{pages_recorded} delivered"
    return [
        ("time to acknowledge p50/p90", spread(f.time_to_acknowledge)),
        ("time to resolve p50/p90", spread(f.time_to_resolve)),
        ("SLA acknowledge / resolve", f"{percent(f.acknowledge_sla_met)} / "
                                      f"{percent(f.resolve_sla_met)}"),
        ("escalations manual / timeout", f"{percent(f.escalation_rate_manual)} / "
                                         f"{percent(f.escalation_rate_timeout)} per incident"),
        ("over-escalated", f"{f.over_escalated} ({percent(f.over_escalation_rate)})"),
        ("under-escalated", f"{f.under_escalated} ({percent(f.under_escalation_rate)})"),
        ("reopen rate", percent(f.reopen_rate)),
        ("customer updates in time", f"{f.updates_in_time}/{f.updates_owed} "
                                     f"({percent(f.update_cadence_kept)})"),
        ("satisfaction", satisfied(f.satisfaction)),
        ("pages", pages),
    ]  # fmt: skip


GROUP_HEADERS = ("", "INC", "TTA p50/p90", "TTR p50/p90", "SLA a/r", "ESC m/t", "UPD", "CSAT")
RESPONDER_HEADERS = (*GROUP_HEADERS, "PAGES/night")


def group_row(name: str, f: Figures) -> tuple[str, ...]:
    return (
        scrub(name),
        str(f.incidents),
        spread(f.time_to_acknowledge),
        spread(f.time_to_resolve),
        f"{percent(f.acknowledge_sla_met)}/{percent(f.resolve_sla_met)}",
        f"{f.escalations_manual}/{f.escalations_timeout}",
        percent(f.update_cadence_kept),
        satisfied(f.satisfaction),
    )


def service_rows(result: Metrics) -> list[tuple[str, ...]]:
    return [group_row(name, f) for name, f in result.per_service.items()]


def responder_rows(result: Metrics) -> list[tuple[str, ...]]:
    """Per responder: the figures of the incidents they held last, and their pages."""
    rows = []
    for name, person in result.per_responder.items():
        if person.held is not None:
            row = group_row(name, person.held)
        else:
            row = (scrub(name), "0", *("-",) * (len(GROUP_HEADERS) - 2))
        rows.append((*row, f"{person.pages}/{person.pages_at_night}"))
    return rows


def sources(result: Metrics) -> list[str]:
    return [
        f"{s.incidents:>4}  {scrub(s.service)} {scrub(s.alertname) or '(opened by hand)'}"
        for s in result.recurring
    ]
