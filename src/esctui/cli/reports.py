"""After the shift: export, metrics, and compaction of the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click
import msgspec

from esctui.backends.base import Admin, Backend, IncidentHistory, Queue
from esctui.cli import cli, session
from esctui.cli import render as r
from esctui.cli.views import emit_json
from esctui.domain.durations import format_duration, parse_duration
from esctui.domain.errors import DomainError

if TYPE_CHECKING:
    from esctui.domain.metrics import Durations, Figures


def since_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--since",
        "since_text",
        default=default,
        show_default=True,
        metavar="DURATION",
        help="How far back: 7d, 12h, 2w.",
    )


def window(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None


def histories_since(text: str) -> tuple[Queue, list[IncidentHistory]]:
    s = session()
    since = s.now - window(text)

    async def load(backend: Backend) -> tuple[Queue, list[IncidentHistory]]:
        queue = await backend.open()
        return queue, await backend.histories(since)

    return s.run(load)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="JSON with timelines (the default).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV, one incident per row.")
@since_option("7d")
def export(as_json: bool, as_csv: bool, since_text: str) -> None:
    """Incidents created or resolved within --since, with their timelines."""
    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    _, histories = histories_since(since_text)
    if not as_csv:
        emit_json([{"incident": h.incident, "timeline": h.timeline} for h in histories])
        return
    fields = ["id", "title", "service", "severity", "status", "assignee", "level", "customer",
              "created_at", "acknowledged_at", "resolved_at", "labels"]  # fmt: skip
    rows = []
    for h in histories:
        row = msgspec.to_builtins(h.incident)
        row["labels"] = ";".join(f"{k}={v}" for k, v in sorted(h.incident.labels.items()))
        rows.append(["" if row.get(f) is None else row.get(f) for f in fields])
    r.write_csv(fields, rows)


def seconds(value: float | None) -> str:
    return "-" if value is None else format_duration(timedelta(seconds=value))


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def spread(d: Durations) -> str:
    return f"{seconds(d.mean)} / {seconds(d.p50)} / {seconds(d.p90)}"


@cli.command("metrics")
@since_option("30d")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_metrics(since_text: str, as_json: bool) -> None:
    """Time to acknowledge and resolve, escalations, hand-offs, SLA compliance, reopen rate."""
    from esctui.domain.incident_facts import responder_zones
    from esctui.domain.metrics import metrics

    s = session()
    queue, histories = histories_since(since_text)
    result = metrics(
        ((h.incident, h.timeline) for h in histories),
        s.sla(queue),
        s.now - window(since_text),
        s.now,
        s.cadence(queue),
        responder_zones(queue.directory),
    )
    if as_json:
        emit_json(result)
        return
    click.echo(f"since {r.stamp(result.since, s.zone)} · mean / p50 / p90")
    rows = [["overall", *figure_cells(result.overall)]]
    rows += [[r.scrub(name), *figure_cells(f)] for name, f in result.per_service.items()]
    click.echo(
        r.table(
            ["", "INC", "TTA", "TTR", "ACK SLA", "RES SLA", "ESC m/t", "HANDOFF", "REOPEN"], rows
        )
    )
    click.echo("")
    people = [
        [
            r.scrub(name),
            str(p.acknowledged),
            str(p.resolved),
            spread(p.time_to_acknowledge),
            f"{p.hand_offs_given}/{p.hand_offs_received}",
            str(p.escalated_away),
            f"{p.pages}/{p.pages_at_night}",
        ]
        for name, p in result.per_responder.items()
    ]
    headers = ["RESPONDER", "ACKED", "RESOLVED", "TTA", "HANDOFF out/in", "ESCALATED AWAY"]
    click.echo(r.table([*headers, "PAGES all/night"], people))
    click.echo("")
    click.echo(
        r.table(
            ["", "ESC RATE m/t", "OVER-ESC", "UNDER-ESC", "UPDATES KEPT", "CSAT"],
            [["overall", *loop_cells(result.overall)]]
            + [[r.scrub(name), *loop_cells(f)] for name, f in result.per_service.items()],
        )
    )
    if result.recurring:
        sources = ", ".join(
            f"{r.scrub(s.service)} {r.scrub(s.alertname) or '(by hand)'} x{s.incidents}"
            for s in result.recurring[:5]
        )
        click.echo(r.fit(f"recurring: {sources}", r.width()))
    if not result.pages_recorded:
        click.echo("pages: none delivered")
    else:
        click.echo(
            f"pages: {result.pages_recorded} delivered (at night: from 22:00 to 07:00 in the "
            "responder's time zone)"
        )


def loop_cells(f: Figures) -> list[str]:
    satisfaction = f.satisfaction
    csat = "-" if satisfaction.mean is None else f"{satisfaction.mean:.1f} ({satisfaction.count})"
    return [
        f"{percent(f.escalation_rate_manual)}/{percent(f.escalation_rate_timeout)}",
        f"{f.over_escalated} ({percent(f.over_escalation_rate)})",
        f"{f.under_escalated} ({percent(f.under_escalation_rate)})",
        f"{f.updates_in_time}/{f.updates_owed} ({percent(f.update_cadence_kept)})",
        csat,
    ]


def figure_cells(f: Figures) -> list[str]:
    return [
        str(f.incidents),
        spread(f.time_to_acknowledge),
        spread(f.time_to_resolve),
        percent(f.acknowledge_sla_met),
        percent(f.resolve_sla_met),
        f"{f.escalations_manual}/{f.escalations_timeout}",
        str(f.hand_offs),
        percent(f.reopen_rate),
    ]


def administer(backend: Backend) -> Admin:
    """The backend's administration; a refusal where it offers none."""
    if backend.admin is None:
        raise DomainError(f"A {backend.kind} backend offers no administration.")
    return backend.admin


@cli.command()
@click.option(
    "--archive-after",
    "archive_after",
    default="14d",
    show_default=True,
    metavar="DURATION",
    help="Archive incidents resolved longer ago than this.",
)
def compact(archive_after: str) -> None:
    """Fold the journal into a new snapshot; archive long-resolved incidents.

    Through --server it needs an administrator's token (`token create NAME --admin`).
    """
    try:
        keep = parse_duration(archive_after)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--archive-after") from None
    click.echo(session().run(lambda backend: administer(backend).compact(keep)))


@cli.command()
@since_option("12h")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def report(since_text: str, as_json: bool) -> None:
    """The shift hand-off: who holds what now, and what happened since --since."""
    from esctui.domain.handoff import handoff_report

    s = session()
    since = s.now - window(since_text)

    async def load(backend: Backend) -> tuple[Queue, list[IncidentHistory]]:
        queue = await backend.open()
        recent = await backend.histories(since)
        known = {h.incident.id for h in recent}
        for incident in queue.incidents.values():
            if incident.is_open and incident.id not in known:
                recent.append(await backend.history(incident.id))
        return queue, recent

    queue, histories = s.run(load)
    result = handoff_report(
        ((h.incident, h.timeline) for h in histories), s.sla(queue), since, s.now
    )
    if as_json:
        emit_json(result)
        return
    now = s.now
    happened = result.happened
    zone = s.zone
    click.echo(
        f"hand-off {r.clock(since, now, zone)} to {r.clock(now, now, zone)} "
        f"{r.zone_name(now, zone)}"
    )
    holders: dict[str, list[str]] = {}
    for item in result.open:
        left = "-"
        if item.sla_breach_at is not None:
            left = ("ack " if item.sla_clock == "acknowledge" else "res ") + format_duration(
                item.sla_breach_at - now
            )
        snoozed = " (snoozed)" if item.snoozed_until else ""
        holders.setdefault(r.who(item.assignee) if item.assignee else "nobody", []).append(
            f"    {item.id} SEV{item.severity} {item.status}{snoozed} {left}  {r.scrub(item.title)}"
        )
    click.echo(f"open {len(result.open)}, by holder:")
    for holder, lines in sorted(holders.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        click.echo(f"  {holder} ({len(lines)})")
        for line in lines:
            click.echo(r.fit(line, r.width()))
    click.echo(
        f"in the shift: {len(happened.triggered)} triggered, {len(happened.resolved)} resolved, "
        f"{len(happened.reopened)} reopened, {len(happened.handed_off)} handed off\n"
        f"  escalated {len(happened.escalated_by_timeout)} by timeout and "
        f"{len(happened.escalated_by_hand)} by hand; {happened.customer_updates} customer "
        "updates sent"
    )
    if happened.breached:
        click.echo(
            r.fit(
                "SLA breached in the shift, still open: " + ", ".join(happened.breached), r.width()
            )
        )
