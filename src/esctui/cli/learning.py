"""After the incident: its review, and the follow-up actions it decided on."""

from __future__ import annotations

from datetime import date

import click

from esctui.backends.base import Change, Queue
from esctui.cli import cli, session
from esctui.cli import render as r
from esctui.cli.actions import act, queue_option
from esctui.cli.views import emit_json, opened
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.models import CauseCategory, FollowUp, Incident


def due_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date; write it as 2026-12-01.", param_hint="--follow-up"
        ) from None


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.option(
    "--cause",
    required=True,
    type=click.Choice([c_.value for c_ in CauseCategory]),
    help="What caused it.",
)
@click.option("--summary", required=True, help="What happened, in a few lines.")
@click.option("--went-well", default="", help="What went well.")
@click.option("--went-badly", default="", help="What did not.")
@click.option(
    "--follow-up",
    "follow_ups",
    multiple=True,
    nargs=3,
    metavar="OWNER DUE ACTION",
    help="A follow-up action: its owner, due date (2026-12-01) and what (repeatable).",
)
def review(
    incident_id: str,
    cause: str,
    summary: str,
    went_well: str,
    went_badly: str,
    follow_ups: tuple[tuple[str, str, str], ...],
    queue_offline: bool,
) -> None:
    """Record the review of a resolved incident (due for every SEV1 and SEV2)."""
    items = tuple(
        c.FollowUpItem(action=action, owner=owner, due=due_date(due))
        for owner, due, action in follow_ups
    )
    command = c.RecordReview(
        incident=incident_id.strip(),
        cause=CauseCategory(cause),
        summary=summary,
        went_well=went_well,
        went_badly=went_badly,
        follow_ups=items,
    )

    def say(change: Change) -> str:
        """One line for the review, naming the follow-ups it added (the last event is the
        last of them)."""
        incident = change.event.incident
        line = f"{incident} reviewed: cause {cause}: {r.scrub(summary).rstrip('.')}"
        if isinstance(change.event, e.FollowUpAdded):
            last = change.event.number
            numbers = range(last - len(items) + 1, last + 1)
            line += "; follow-ups " + ", ".join(f"{incident}/{n}" for n in numbers)
        return line + "."

    act(session(), [command], say, queue_offline=queue_offline)


def follow_up_rows(
    queue: Queue, me: str | None, *, mine: bool, overdue: bool, today: date
) -> list[tuple[Incident, FollowUp]]:
    """The open follow-up actions of the incidents in the queue, soonest due first."""
    found = [
        (incident, follow_up)
        for incident in queue.incidents.values()
        for follow_up in incident.follow_ups_open()
        if (not mine or follow_up.owner == me) and (not overdue or follow_up.overdue(today))
    ]
    found.sort(key=lambda pair: (pair[1].due, pair[0].id, pair[1].number))
    return found


@cli.command()
@click.option("--mine", is_flag=True, help="Only those I own.")
@click.option("--overdue", is_flag=True, help="Only those past their due date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def followups(mine: bool, overdue: bool, as_json: bool) -> None:
    """The follow-up actions reviews decided on that are not done yet, soonest due first."""
    s = session()
    queue, me = s.run(lambda backend: opened(s, backend, required=mine))
    today = s.now.astimezone(s.zone).date()
    rows = follow_up_rows(queue, me, mine=mine, overdue=overdue, today=today)
    if as_json:
        emit_json(
            [
                {
                    "id": f"{incident.id}/{f.number}",
                    "incident": incident.id,
                    "action": f.action,
                    "owner": f.owner,
                    "due": f.due,
                    "overdue": f.overdue(today),
                }
                for incident, f in rows
            ]
        )
        return
    if not rows:
        click.echo("No follow-up actions open." if not overdue else "None overdue.")
        return
    click.echo(
        r.table(
            ["ID", "DUE", "OWNER", "ACTION"],
            [
                [
                    f"{incident.id}/{f.number}",
                    f"{f.due:%Y-%m-%d}" + (" overdue" if f.overdue(today) else ""),
                    r.scrub(f.owner),
                    r.scrub(f.action),
                ]
                for incident, f in rows
            ],
        )
    )


@cli.group()
def followup() -> None:
    """One follow-up action: `followup done INC-1042/2`."""


def follow_up_id(text: str) -> tuple[str, int]:
    incident, _, number = text.strip().rpartition("/")
    if not incident or not number.isdigit() or not 1 <= int(number) <= 1000:
        raise click.BadParameter(
            f"{text!r} is not a follow-up; write it as `esctui followups` lists it: INC-1042/2.",
            param_hint="ID",
        )
    return incident, int(number)


@followup.command("done")
@queue_option
@click.argument("follow_up", metavar="ID")
def followup_done(follow_up: str, queue_offline: bool) -> None:
    """Mark a follow-up action done."""
    incident, number = follow_up_id(follow_up)
    act(
        session(),
        [c.CompleteFollowUp(incident=incident, number=number)],
        lambda change: f"{change.event.incident}/{number} done.",
        queue_offline=queue_offline,
    )
