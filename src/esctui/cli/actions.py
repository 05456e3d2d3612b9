"""Commands that change incidents: trigger, ack, unack, handoff, escalate, snooze, resolve,
reopen, note, comm."""

from __future__ import annotations

from collections.abc import Callable

import click

from esctui.backends.base import ActionQueued, Backend, Bulk, Change, Link, StoreError
from esctui.cli import REFUSED, Session, cli, say_error, session
from esctui.cli import render as r
from esctui.cli.params import severities
from esctui.domain import commands as c
from esctui.domain.durations import parse_duration
from esctui.domain.errors import DomainError
from esctui.domain.models import Channel, Direction


def act(
    s: Session,
    commands: list[c.AnyCommand],
    say: Callable[[Change], str],
    *,
    queue_offline: bool = False,
) -> list[Change]:
    """Run `commands` in order as me; print a line for each done (what it did last), a
    sentence for each refused
    (exit 1 at the end if any was). With `queue_offline`, a server that cannot be reached
    keeps the actions in the outbox (each said so on stdout)."""

    async def work(backend: Backend) -> tuple[list[Change], list[str], list[str]]:
        try:
            queue = await backend.open()
            me = await s.me(backend, queue, required=True)
            # Every process that writes to a store records the escalations that fell due.
            if backend.admin is not None:
                await backend.admin.escalate_due()
        except StoreError:
            if not (queue_offline and backend.link is Link.OFFLINE):
                raise
            me = None  # the server says who I am when the outbox is sent
        done: list[Change] = []
        refused: list[str] = []
        queued: list[str] = []
        if isinstance(backend, Bulk) and len(commands) > 1:  # fewer requests than one each
            for answer in await backend.execute_many(commands, actor=me):
                if isinstance(answer, DomainError):
                    refused.append(str(answer))
                else:
                    done.extend(answer.changes[-1:])
            return done, refused, queued
        for command in commands:
            try:
                recorded = await backend.execute(command, actor=me, queue_offline=queue_offline)
                done.extend(recorded.changes[-1:])  # what was asked (after what fell due)
            except ActionQueued as waiting:
                queued.append(str(waiting))
            except DomainError as error:
                refused.append(str(error))
        return done, refused, queued

    done, refused, queued = s.run(work)
    for change in done:
        click.echo(say(change))
    for message in queued:
        click.echo(message)
    for message in refused:
        say_error(message)
    if refused:
        raise SystemExit(REFUSED)
    return done


queue_option = click.option(
    "--queue",
    "queue_offline",
    is_flag=True,
    help="If the server cannot be reached, keep the action in the outbox to send later.",
)


def ids(values: tuple[str, ...]) -> list[str]:
    """Ids as typed: another platform's are case-sensitive (esctui's own store takes `inc-12`
    for `INC-12` itself)."""
    return [value.strip() for value in values]


def said(verb: str) -> Callable[[Change], str]:
    return lambda change: f"{change.event.incident} {verb} by {r.who(change.event.by)}."


@cli.command()
@queue_option
@click.option("--title", required=True, help="What is wrong, in a line.")
@click.option("--service", required=True, help="The service that is affected.")
@click.option(
    "--severity",
    required=True,
    metavar="N",
    callback=severities,
    help="1 (worst) to 4, or SEV1 to SEV4.",
)
@click.option("--customer", default="", help="The customer affected, if one is.")
@click.option("--label", "labels", multiple=True, metavar="KEY=VALUE", help="Repeatable.")
def trigger(
    title: str,
    service: str,
    severity: int,
    customer: str,
    labels: tuple[str, ...],
    queue_offline: bool,
) -> None:
    """Open an incident; prints its id."""
    parsed: dict[str, str] = {}
    for label in labels:
        key, sep, value = label.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{label!r} is not KEY=VALUE.", param_hint="--label")
        parsed[key.strip()] = value.strip()
    command = c.Trigger(
        title=title, service=service, severity=severity, customer=customer, labels=parsed
    )
    act(session(), [command], lambda change: change.event.incident, queue_offline=queue_offline)


@cli.command()
@queue_option
@click.argument("incident_ids", metavar="ID...", nargs=-1, required=True)
def ack(incident_ids: tuple[str, ...], queue_offline: bool) -> None:
    """Acknowledge incidents: they are yours now."""
    act(
        session(),
        [c.Acknowledge(incident=i) for i in ids(incident_ids)],
        said("acknowledged"),
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.option("--reason", default="", help="Why it goes back to the queue.")
def unack(incident_id: str, reason: str, queue_offline: bool) -> None:
    """Give an acknowledged incident back to the queue (escalation starts again)."""
    act(
        session(),
        [c.Unacknowledge(incident=incident_id.strip(), reason=reason)],
        said("unacknowledged"),
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="NAME", help="The responder taking it.")
@click.option("--note", default="", help="What they need to know.")
def handoff(incident_id: str, to: str, note: str, queue_offline: bool) -> None:
    """Hand an incident to another responder."""
    act(
        session(),
        [c.HandOff(incident=incident_id.strip(), to=to, note=note)],
        lambda change: f"{change.event.incident} handed to {r.scrub(to)}.",
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.option("--level", type=click.IntRange(min=1), help="The level to page (default: next).")
@click.option("--reason", default="", help="Why.")
def escalate(incident_id: str, level: int | None, reason: str, queue_offline: bool) -> None:
    """Page the next level of the incident's escalation policy, or the level given."""

    def say(change: Change) -> str:
        event = change.event
        target = getattr(event, "to_level", "?")
        paged = r.who(getattr(event, "assignee", None))
        return f"{event.incident} escalated to level {target}, paging {paged}."

    act(
        session(),
        [c.Escalate(incident=incident_id.strip(), level=level, reason=reason)],
        say,
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.option("--for", "duration", required=True, metavar="DURATION", help="30m, 2h, 1h30m.")
def snooze(incident_id: str, duration: str, queue_offline: bool) -> None:
    """Hold auto-escalation of an incident for a while."""
    s = session()
    try:
        until = s.now + parse_duration(duration)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--for") from None
    act(
        s,
        [c.Snooze(incident=incident_id.strip(), until=until)],
        lambda change: (
            f"{change.event.incident} snoozed until {r.clock(until, s.now, s.zone)} "
            f"{r.zone_name(until, s.zone)}."
        ),
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_ids", metavar="ID...", nargs=-1, required=True)
@click.option("--note", default="", help="How it was fixed.")
def resolve(incident_ids: tuple[str, ...], note: str, queue_offline: bool) -> None:
    """Resolve incidents."""
    act(
        session(),
        [c.Resolve(incident=i, note=note) for i in ids(incident_ids)],
        said("resolved"),
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.option("--reason", default="", help="Why it is back.")
def reopen(incident_id: str, reason: str, queue_offline: bool) -> None:
    """Reopen a resolved incident (it starts again at level 1)."""
    act(
        session(),
        [c.Reopen(incident=incident_id.strip(), reason=reason)],
        said("reopened"),
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.argument("text", nargs=-1, required=True)
def note(incident_id: str, text: tuple[str, ...], queue_offline: bool) -> None:
    """Add a note to an incident's timeline."""
    act(
        session(),
        [c.AddNote(incident=incident_id.strip(), text=" ".join(text))],
        lambda change: f"Note added to {change.event.incident}.",
        queue_offline=queue_offline,
    )


@cli.command()
@queue_option
@click.argument("incident_id", metavar="ID")
@click.argument("summary", nargs=-1, required=True)
@click.option("--channel", required=True, type=click.Choice([ch.value for ch in Channel]))
@click.option("--direction", required=True, type=click.Choice([d.value for d in Direction]))
@click.option("--with", "counterpart", required=True, metavar="WHO", help="Who it was with.")
def comm(
    incident_id: str,
    summary: tuple[str, ...],
    channel: str,
    direction: str,
    counterpart: str,
    queue_offline: bool,
) -> None:
    """Log a communication with a customer or anyone outside the responders."""
    command = c.LogCommunication(
        incident=incident_id.strip(),
        channel=Channel(channel),
        direction=Direction(direction),
        counterpart=counterpart,
        summary=" ".join(summary),
    )
    act(
        session(),
        [command],
        lambda change: f"Communication logged on {change.event.incident}.",
        queue_offline=queue_offline,
    )
