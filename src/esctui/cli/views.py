"""Read-only views: status, ls, show, oncall."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import click
import msgspec

from esctui.backends.base import Backend, IncidentHistory, OnCall, Queue
from esctui.cli import Session, cli, session
from esctui.cli import render as r
from esctui.cli.alert_lines import alert_lines, maintenance_line, source_lines
from esctui.cli.params import severities
from esctui.domain import events as e
from esctui.domain.alerts import label_pair
from esctui.domain.cadence import CadenceBook, Owed
from esctui.domain.durations import parse_duration
from esctui.domain.models import Directory, Incident, Status, check_year
from esctui.domain.oncall import level_on_call, service_on_call
from esctui.domain.paging import page_log
from esctui.domain.sla import Clock, Deadline, SlaBook, SlaRecord, sla_record
from esctui.listing import OPEN, Filter, listed, owes, recently_resolved


def incident_json(
    incident: Incident, book: SlaBook, now: datetime, cadence: CadenceBook | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(incident)
    owed = cadence.due(incident) if cadence is not None else None
    data["customer_due"] = (
        None
        if owed is None
        else {
            "owed": str(owed.owed),
            "due_at": msgspec.to_builtins(owed.due_at),
            "overdue": owed.overdue(now),
        }
    )
    deadline = book.deadline(incident)
    data["snoozed"] = incident.snoozed(now)
    data["sla"] = (
        None
        if deadline is None
        else {
            "clock": str(deadline.clock),
            "breach_at": msgspec.to_builtins(deadline.breach_at),
            "seconds_left": int(deadline.time_left(now).total_seconds()),
            "breached": deadline.breached(now),
        }
    )
    return data


def emit_json(data: Any) -> None:
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(data).decode(), indent=2) + "\n")


async def on_call_directory(backend: Backend, queue: Queue, at: datetime) -> Directory:
    """The directory that says who is on call at `at`: the queue's, whose rotations say it,
    or, where the platform keeps the schedules (PagerDuty), the platform's answer."""
    if isinstance(backend, OnCall):
        return await backend.on_call(at)
    return queue.directory


async def opened(s: Session, backend: Backend, *, required: bool) -> tuple[Queue, str | None]:
    """The queue, and who I am in it (see `Session.me`)."""
    queue = await backend.open()
    return queue, await s.me(backend, queue, required=required)


# -- status --------------------------------------------------------------------------------


def print_status(s: Session, *, as_json: bool) -> None:
    queue, me = s.run(lambda backend: opened(s, backend, required=False))
    now, book = s.now, s.sla(queue)
    unresolved = {i.id: i for i in queue.incidents.values() if i.is_open}
    open_ = list(unresolved.values())
    deadlines = {i.id: book.deadline(i) for i in open_}
    at_risk = listed(Filter(breaching=True), unresolved, deadlines, now)
    breached = [i for i in at_risk if (d := deadlines[i.id]) and d.breached(now)]
    mine = listed(Filter(assignee=me or ""), unresolved, deadlines, now) if me else []
    statuses = Counter(i.status for i in open_)
    severities = Counter(i.severity for i in open_)
    snoozed = sum(1 for i in open_ if i.snoozed(now))
    day_ago = now - timedelta(days=1)
    resolved_today = sum(
        1
        for i in queue.incidents.values()
        if i.resolved_at is not None and i.resolved_at >= day_ago
    )
    loop = learning_loop(s, queue, me)
    if as_json:
        emit_json(
            {
                "at": now,
                "store": s.backend.location,
                "identity": me,
                "revision": queue.revision,
                "open": len(open_),
                "by_status": {
                    str(status): statuses.get(status, 0)
                    for status in (Status.TRIGGERED, Status.ACKNOWLEDGED)
                },
                "by_severity": {f"sev{n}": severities.get(n, 0) for n in range(1, 5)},
                "snoozed": snoozed,
                "resolved_last_24h": resolved_today,
                "breached": [i.id for i in breached],
                "at_risk": [i.id for i in at_risk if i not in breached],
                "mine": [i.id for i in mine],
                **loop,
                "maintenance": {
                    name: window
                    for name, window in queue.maintenance.items()
                    if window.in_force(now)
                },
            }
        )
        return
    lines = [
        f"{s.backend.kind} {r.scrub(s.backend.location)} · rev {queue.revision} · "
        f"{r.stamp(now, s.zone)}" + (f" · you are {me}" if me else ""),
        f"open {len(open_)}: {statuses.get(Status.TRIGGERED, 0)} triggered, "
        f"{statuses.get(Status.ACKNOWLEDGED, 0)} acknowledged ({snoozed} snoozed) · "
        f"resolved in 24h: {resolved_today}",
        "severity: " + "  ".join(f"SEV{n} {severities.get(n, 0)}" for n in range(1, 5)),
        f"SLA: {len(breached)} breached, {len(at_risk) - len(breached)} about to",
        f"customers: {len(loop['updates_due'])} updates due, {len(loop['follow_ups_due'])} "
        f"follow-ups owed · reviews due {len(loop['reviews_due'])} · follow-up actions "
        f"overdue {len(loop['follow_up_actions_overdue'])}"
        + (f" · team {loop['team']}: {loop['team_open']} open" if loop["team"] else ""),
    ]
    maintenance = maintenance_line(queue.maintenance, now, s.zone)
    if maintenance:
        lines.insert(3, maintenance)
    shown = 2 if maintenance else 3  # ten lines in all
    for incident in at_risk[:shown]:
        lines.append("  " + brief(incident, deadlines[incident.id], now))
    if len(at_risk) > shown:
        lines.append(f"  … {len(at_risk) - shown} more: esctui ls --breaching")
    if me:
        ids = ", ".join(i.id for i in mine)
        waiting = sum(1 for i in mine if i.status is Status.TRIGGERED)
        yours = f"yours: {len(mine)} ({waiting} to acknowledge)" + (f": {ids}" if ids else "")
        lines.append(yours)
    click.echo("\n".join(r.fit(line, r.width()) for line in lines[:10]))


def learning_loop(s: Session, queue: Queue, me: str | None) -> dict[str, Any]:
    """What customers and reviews are owed, and my team's share of the queue."""
    now, cadence = s.now, s.cadence(queue)
    today = now.astimezone(s.zone).date()
    owed = {i.id: cadence.due(i) for i in queue.incidents.values() if i.customer}
    incidents = queue.incidents.values()
    responder = queue.directory.responder(me) if me else None
    team = responder.team if responder is not None else ""
    members = queue.directory.team_members(team) if team else frozenset()
    return {
        "updates_due": sorted(i for i, o in owed.items() if owes(o, Owed.UPDATE, now)),
        "follow_ups_due": sorted(i for i, o in owed.items() if owes(o, Owed.FOLLOW_UP, None)),
        "reviews_due": sorted(
            i.id for i in incidents if i.review_due and recently_resolved(i, now)
        ),
        "follow_up_actions_overdue": sorted(
            f"{i.id}/{f.number}" for i in incidents for f in i.follow_ups if f.overdue(today)
        ),
        "team": team or None,
        "team_open": sum(1 for i in incidents if i.is_open and i.assignee in members),
    }


def brief(incident: Incident, deadline: Deadline | None, now: datetime) -> str:
    return (
        f"{incident.id} {r.severity(incident)} {incident.status:<12} "
        f"{r.countdown(deadline, now):>10}  {r.who(incident.assignee):<8} "
        f"{r.scrub(incident.title)}"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Counts, what breaches or is about to, and what is yours, in ten lines."""
    print_status(session(), as_json=as_json)


# -- ls ------------------------------------------------------------------------------------


@cli.command("ls")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in Status]),
    help="Only these (repeatable).",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="N",
    callback=severities,
    help="Only these severities, 1 to 4 or SEV1 to SEV4 (repeatable).",
)
@click.option("--mine", is_flag=True, help="Only incidents assigned to me.")
@click.option("--service", help="Only this service.")
@click.option("--breaching", is_flag=True, help="Only those past or close to their SLA.")
@click.option(
    "--update-due", is_flag=True, help="Only those whose customer update is due or close."
)
@click.option(
    "--follow-up-due",
    is_flag=True,
    help="Only resolved ones whose customer still awaits the follow-up.",
)
@click.option("--team", help="Only those held by this team's responders.")
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="KEY=VALUE",
    help="Only those with this label, such as an alert group's (repeatable: all of them).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
def list_incidents(
    statuses: tuple[str, ...],
    severities: tuple[int, ...],
    mine: bool,
    service: str | None,
    breaching: bool,
    update_due: bool,
    follow_up_due: bool,
    team: str | None,
    labels: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
) -> None:
    """The queue, most urgent first (open incidents unless --status says otherwise)."""
    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    try:
        pairs = tuple(label_pair(text) for text in labels)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--label") from None
    s = session()
    queue, me = s.run(lambda backend: opened(s, backend, required=mine))
    now, book, cadence = s.now, s.sla(queue), s.cadence(queue)
    if service is not None:
        check_service(service, queue)
    default = frozenset({Status.RESOLVED}) if follow_up_due else OPEN
    chosen_list = Filter(
        statuses=frozenset(Status(status) for status in statuses) or default,
        severities=frozenset(severities),
        service=service,
        assignee=(me or "") if mine else None,
        assignees=team_members(team, queue) if team is not None else None,
        breaching=breaching,
        update_due=update_due,
        follow_up_due=follow_up_due,
        labels=pairs,
    )
    deadlines = {i.id: book.deadline(i) for i in queue.incidents.values()}
    customers = {i.id: cadence.due(i) for i in queue.incidents.values() if i.customer}
    chosen = listed(chosen_list, queue.incidents, deadlines, now, customers=customers)
    if as_json:
        emit_json([incident_json(i, book, now, cadence) for i in chosen])
        return
    if as_csv:
        header = ["id", "severity", "status", "sla_clock", "sla_seconds_left", "age", "level",
                  "assignee", "service", "customer", "title"]  # fmt: skip
        r.write_csv(header, (csv_row(i, book, now) for i in chosen))
        return
    if not chosen:
        click.echo("Nothing matches.")
        return
    records = sla_records(s, chosen, book)
    rows = [
        [
            i.id,
            r.severity(i),
            i.status.value + ("*" if i.snoozed(now) else ""),
            records[i.id].verdict(CLOCK_WORDS)
            if i.id in records
            else "quiet"
            if i.quiet
            else r.countdown(book.deadline(i), now),
            r.age(i.opened_at, now),
            str(i.level),
            r.who(i.assignee) if i.assignee else "-",
            r.scrub(i.service),
            r.scrub(i.title),
        ]
        for i in chosen
    ]
    click.echo(
        r.table(
            ["ID", "SEV", "STATUS", "SLA", "AGE", "LVL", "ASSIGNEE", "SERVICE", "TITLE"],
            rows,
            droppable=["LVL", "AGE", "SERVICE"],
        )
    )
    snoozed = sum(1 for i in chosen if i.snoozed(now))
    if snoozed:
        click.echo(f"* snoozed ({snoozed})")


CLOCK_WORDS = {Clock.ACKNOWLEDGE: "ack", Clock.RESOLVE: "res"}


def sla_records(s: Session, incidents: list[Incident], book: SlaBook) -> dict[str, SlaRecord]:
    """What became of the SLA deadlines of the resolved `incidents`, from their timelines
    (read in one request)."""
    resolved = {i.id: i.resolved_at for i in incidents if i.resolved_at is not None}
    if not resolved:
        return {}
    since = min(resolved.values())
    histories = s.run(lambda backend: backend.histories(since))
    return {
        h.incident.id: sla_record(
            h.incident, h.timeline, book.target(h.incident.service, h.incident.severity)
        )
        for h in histories
        if h.incident.id in resolved
    }


def team_members(team: str, queue: Queue) -> frozenset[str]:
    """The responders of `team`; a team nobody is in is a typo to point out."""
    members = queue.directory.team_members(team)
    if not members:
        known = ", ".join(queue.directory.teams()) or "none"
        raise click.BadParameter(f"There is no team {team!r}; teams: {known}.", param_hint="--team")
    return members


def check_service(service: str, queue: Queue) -> None:
    """A service nobody knows is a typo to point out, not an empty queue."""
    known = {s.name for s in queue.directory.services} | {
        i.service for i in queue.incidents.values()
    }
    if service not in known:
        raise click.BadParameter(
            f"There is no service {service!r}; known services: {', '.join(sorted(known))}.",
            param_hint="--service",
        )


def csv_row(i: Incident, book: SlaBook, now: datetime) -> list[object]:
    d = book.deadline(i)
    left = int(d.time_left(now).total_seconds()) if d else ""
    age = int((now - i.opened_at).total_seconds())
    return [i.id, i.severity, i.status.value, d.clock.value if d else "", left, age, i.level,
            i.assignee or "", i.service, i.customer, i.title]  # fmt: skip


# -- show ----------------------------------------------------------------------------------


# Where a timeline entry's text starts: a note's further lines stand under it.
ENTRY = len("  ") + 11 + len("  ")


@cli.command()
@click.argument("incident_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(incident_id: str, as_json: bool) -> None:
    """One incident: summary, who is on call at each level, timeline, communications."""
    s = session()

    async def load(backend: Backend) -> tuple[Queue, IncidentHistory, Directory]:
        queue = await backend.open()
        history = await backend.history(incident_id.strip())
        return queue, history, await on_call_directory(backend, queue, s.now)

    queue, history, directory = s.run(load)
    now, book, incident, zone = s.now, s.sla(queue), history.incident, s.zone
    policy = directory.service_policy(incident.service)
    on_call = service_on_call(directory, incident.service, now)
    if as_json:
        emit_json(
            {
                "incident": incident_json(incident, book, now),
                "policy": policy.name if policy else None,
                "on_call": [
                    {"level": n, "responders": names} for n, names in enumerate(on_call, 1)
                ],
                "timeline": history.timeline,
                "communications": e.communications(history.timeline),
                "alerts": e.alerts_seen(history.timeline),
                "pages": page_log(history.timeline),
            }
        )
        return
    deadline = book.deadline(incident)
    lines = [
        f"{incident.id}  {r.severity(incident)}  {incident.status}"
        + (
            f"  snoozed until {r.clock(incident.snoozed_until, now, zone)}"
            if incident.snoozed(now)
            else ""
        )
        + f"  level {incident.level}  assigned to {r.who(incident.assignee)}",
        f"  title     {r.scrub(incident.title)}",
        f"  service   {r.scrub(incident.service)}"
        + (f" (policy {r.scrub(policy.name)})" if policy else ""),
    ]
    if incident.customer:
        lines.append(f"  customer  {r.scrub(incident.customer)}")
    if incident.labels:
        lines.append(
            "  labels    "
            + " ".join(f"{r.scrub(k)}={r.scrub(v)}" for k, v in sorted(incident.labels.items()))
        )
    opened = incident.opened_at
    lines.append(f"  opened    {r.clock(opened, now, zone)} ({r.age(opened, now)} ago)")
    if deadline:
        state = "breached" if deadline.breached(now) else "due"
        lines.append(
            f"  SLA       {deadline.clock} by {r.clock(deadline.breach_at, now, zone)}: "
            f"{state} ({r.countdown(deadline, now)})"
        )
    lines += source_lines(incident, zone)
    if incident.exhausted:
        lines.append("  escalation exhausted: nobody left to page")
    if on_call:
        lines.append(
            "  on call   "
            + " · ".join(
                f"{n}: {', '.join(names) or 'nobody'}" for n, names in enumerate(on_call, 1)
            )
        )
    lines.append("timeline")
    for event in history.timeline:
        lines.append(
            f"  {r.clock(event.at, now, zone):>11}  {r.hanging(r.describe(event, zone), ENTRY)}"
        )
    talks = e.communications(history.timeline)
    if talks:
        lines.append("communications")
        for talk in talks:
            summary = r.hanging(r.scrub_lines(talk.summary), ENTRY)
            lines.append(
                f"  {r.clock(talk.at, now, zone):>11}  {talk.direction:<3} {talk.channel:<11} "
                f"{r.scrub(talk.counterpart)}: {summary} ({r.who(talk.author)})"
            )
    lines += alert_lines(history.timeline, now, zone)
    paged = page_log(history.timeline)
    if paged:
        lines.append("pages")
        lines += [f"  {r.clock(p.at, now, zone):>11}  {r.describe(p, zone)}" for p in paged]
    click.echo("\n".join(lines))


# -- oncall --------------------------------------------------------------------------------


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime:
    """An ISO date-time (in `zone`, the display zone, unless it says), `HH:MM` today in `zone`,
    or `+2h` / `-1d` from now; within the years esctui takes. In UTC, as times are kept."""
    text = text.strip()
    try:
        if text[:1] in "+-":
            delta = parse_duration(text[1:])
            at = now + delta if text[0] == "+" else now - delta
        elif len(text) <= 5 and ":" in text:
            hours, minutes = text.split(":")
            local = now.astimezone(zone)
            at = local.replace(hour=int(hours), minute=int(minutes), second=0, microsecond=0)
        else:
            at = datetime.fromisoformat(text)
            at = at if at.tzinfo else at.replace(tzinfo=zone)
    except ValueError as error:
        message = str(error) if text[:1] in "+-" else f"{text!r} is not a time"
        raise click.BadParameter(
            f"{message}; write 2026-11-23T09:00, 09:00, +2h or -1d.", param_hint="--at"
        ) from None
    try:
        check_year(at, repr(text))
    except ValueError as error:
        raise click.BadParameter(f"{error}.", param_hint="--at") from None
    return at.astimezone(UTC)


@cli.command()
@click.option("--policy", help="Only this escalation policy.")
@click.option(
    "--at", "at_text", metavar="TIME", help="ISO time, HH:MM (in your time zone), +2h or -1d."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def oncall(policy: str | None, at_text: str | None, as_json: bool) -> None:
    """Who is on call at each level of each escalation policy."""
    s = session()
    at = parse_when(at_text, s.now, s.zone) if at_text else s.now

    async def load(backend: Backend) -> Directory:
        return await on_call_directory(backend, await backend.open(), at)

    directory = s.run(load)
    policies = [p for p in directory.policies if policy is None or p.name == policy]
    if policy and not policies:
        known = ", ".join(p.name for p in directory.policies) or "none"
        raise click.BadParameter(
            f"no policy {policy!r}; known policies: {known}.", param_hint="--policy"
        )
    data: list[dict[str, Any]] = [
        {
            "policy": p.name,
            "levels": [
                {
                    "level": n,
                    "timeout_minutes": level.timeout_minutes,
                    "on_call": level_on_call(directory, p, n, at),
                }
                for n, level in enumerate(p.levels, 1)
            ],
        }
        for p in policies
    ]
    if as_json:
        emit_json({"at": at, "policies": data})
        return
    click.echo(f"on call at {r.stamp(at, s.zone)}")
    for entry in data:
        levels = " · ".join(
            f"{lv['level']}: {', '.join(lv['on_call']) or 'nobody'} ({lv['timeout_minutes']}m)"
            for lv in entry["levels"]
        )
        click.echo(f"  {r.scrub(entry['policy']):<12} {r.scrub(levels)}")
