"""The rulebook of an incident: which commands are allowed when, and what each one changes.

`refusal` says which kinds of command an incident's state allows (and `offered` lists them, for
the faces); `decide` checks a command against an incident's current state and answers with the
events it produces, or refuses with a `DomainError` a responder can read. `apply` folds one event
into the state. An incident's state is `replay` of its events, and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain import undo
from esctui.domain.errors import DomainError
from esctui.domain.models import (
    AlertState,
    Direction,
    Directory,
    FollowUp,
    Incident,
    Status,
    check_year,
)
from esctui.domain.oncall import level_on_call

replace = msgspec.structs.replace


class Context(msgspec.Struct, frozen=True):
    """What a decision may look at besides the incident: the directory, the time and the actor.

    `actor` is None when esctui itself acts (timeout escalations). `new_id` is the id a Trigger
    gives the incident it creates; the store allocates it. `timeline` is the incident's whole
    timeline, which only an `Undo` needs (to know the state before the change it takes back).
    """

    directory: Directory
    now: datetime
    actor: str | None
    new_id: str | None = None
    timeline: tuple[e.AnyEvent, ...] = ()


def when(at: datetime, now: datetime) -> str:
    """`at 03:12` today, `on 2026-11-20 at 03:12` another day (UTC, as stored)."""
    if at.date() == now.date():
        return f"at {at:%H:%M}"
    return f"on {at:%Y-%m-%d} at {at:%H:%M}"


def known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def check_actor(ctx: Context) -> None:
    if ctx.actor is not None and ctx.directory.responder(ctx.actor) is None:
        raise DomainError(
            f"{ctx.actor!r} is not a responder here; known responders: "
            f"{known(ctx.directory.responder_names())}."
        )


def first_on_call(directory: Directory, service: str, level: int, at: datetime) -> str | None:
    policy = directory.service_policy(service)
    if policy is None:
        return None
    names = level_on_call(directory, policy, level, at)
    return names[0] if names else None


# What a responder can ask of an incident, in the order a face offers them.
RESPONDER_COMMANDS: tuple[type[c.IncidentCommand], ...] = (
    c.Acknowledge,
    c.Unacknowledge,
    c.HandOff,
    c.Escalate,
    c.Snooze,
    c.Resolve,
    c.Reopen,
    c.AddNote,
    c.LogCommunication,
    c.Reroute,
    c.RecordReview,
    c.CompleteFollowUp,
)

# The commands that need an open incident, and what the responder would do with them.
WHILE_OPEN: dict[type[c.IncidentCommand], str] = {
    c.Acknowledge: "acknowledge it",
    c.HandOff: "hand it off",
    c.Escalate: "escalate it",
    c.Snooze: "snooze it",
    c.Reroute: "reroute it",
}


def refusal(incident: Incident, kind: type[c.IncidentCommand], now: datetime) -> str | None:
    """Why no command of this `kind` can apply to `incident` as it stands, whatever its
    arguments (a sentence for the responder); None when one can."""
    name = incident.id
    status = incident.status
    if kind is c.Acknowledge and status is Status.ACKNOWLEDGED:
        assert incident.acknowledged_at is not None
        return (
            f"{name} was already acknowledged by {incident.acknowledged_by} "
            f"{when(incident.acknowledged_at, now)}."
        )
    if kind is c.Unacknowledge and status is not Status.ACKNOWLEDGED:
        return f"{name} is {status}, not acknowledged."
    if kind is c.Reopen and status is not Status.RESOLVED:
        return f"{name} is still open ({status}); only a resolved incident can be reopened."
    if kind is c.RecordReview and status is not Status.RESOLVED:
        return f"{name} is still open ({status}); review it once it is resolved."
    if kind is c.CompleteFollowUp and not incident.follow_ups_open():
        return f"{name} has no follow-up action open."
    if status is Status.RESOLVED and (kind is c.Resolve or kind in WHILE_OPEN):
        assert incident.resolved_at is not None
        by = f"by {incident.resolved_by or 'esctui'} {when(incident.resolved_at, now)}"
        if kind is c.Resolve:
            return f"{name} was already resolved {by}."
        return f"{name} was resolved {by}; reopen it before you {WHILE_OPEN[kind]}."
    return None


def offered(incident: Incident) -> frozenset[type[c.IncidentCommand]]:
    """The kinds of command a responder can ask of `incident` as it stands."""
    # The time only words a refusal; any will do to know whether there is one.
    at = incident.opened_at
    return frozenset(kind for kind in RESPONDER_COMMANDS if refusal(incident, kind, at) is None)


def decide(incident: Incident | None, command: c.AnyCommand, ctx: Context) -> list[e.AnyEvent]:
    """The events `command` produces against `incident`, or a `DomainError` saying why not."""
    check_actor(ctx)
    if isinstance(command, c.Trigger):
        return [trigger(command, ctx)]
    if incident is None:
        raise DomainError(f"There is no incident {command.incident}.")
    head: dict[str, Any] = {
        "incident": incident.id,
        "at": ctx.now,
        "version": incident.version + 1,
        "by": ctx.actor,
    }
    name = incident.id
    refused = refusal(incident, type(command), ctx.now)
    if refused is not None:
        raise DomainError(refused)
    match command:
        case c.Acknowledge():
            return [e.Acknowledged(**head)]
        case c.Unacknowledge():
            return [e.Unacknowledged(**head, reason=command.reason)]
        case c.HandOff():
            if ctx.directory.responder(command.to) is None:
                raise DomainError(
                    f"Cannot hand {name} to {command.to!r}: no such responder; known "
                    f"responders: {known(ctx.directory.responder_names())}."
                )
            if command.to == incident.assignee:
                raise DomainError(f"{name} is already assigned to {command.to}.")
            return [
                e.HandedOff(
                    **head, from_responder=incident.assignee, to=command.to, note=command.note
                )
            ]
        case c.Escalate():
            return [escalate(incident, command, ctx, head)]
        case c.MarkExhausted():
            if incident.exhausted or not incident.is_open:
                return []
            return [e.EscalationExhausted(**head, level=incident.level)]
        case c.Snooze():
            if command.until <= ctx.now:
                raise DomainError(f"A snooze of {name} must end in the future.")
            longest = ctx.directory.max_snooze_hours
            if command.until - ctx.now > timedelta(hours=longest):
                raise DomainError(
                    f"{name} can be snoozed for at most {longest}h (this one would end "
                    f"{when(command.until, ctx.now)}); the directory's max_snooze_hours says so."
                )
            return [e.Snoozed(**head, until=command.until)]
        case c.Resolve():
            return [e.Resolved(**head, note=command.note.strip())]
        case c.Reopen():
            assignee = first_on_call(ctx.directory, incident.service, 1, ctx.now)
            return [e.Reopened(**head, assignee=assignee, reason=command.reason)]
        case c.Undo():
            change = undo.undone_change(incident, command, ctx.timeline, ctx.actor)
            before = replay(ctx.timeline[: change.version - 1])
            assert before is not None  # the trigger itself is never undone
            return [undo.reverted(before, change, head)]
        case c.AddNote():
            if not command.text.strip():
                raise DomainError(f"A note on {name} needs some text.")
            return [e.NoteAdded(**head, text=command.text.strip())]
        case c.RecordPage():
            return [
                e.Paged(
                    **head,
                    page=command.page,
                    to=command.to,
                    method=command.method,
                    outcome=command.outcome,
                    attempt=command.attempt,
                    detail=command.detail,
                    next_at=command.next_at,
                )
            ]
        case c.LogCommunication():
            if not command.counterpart.strip():
                raise DomainError(f"Say who the communication on {name} was with.")
            if not command.summary.strip():
                raise DomainError(f"A communication on {name} needs a summary of what was said.")
            if command.csat is not None and command.direction is not Direction.INBOUND:
                raise DomainError(
                    f"A satisfaction score on {name} is what the customer said: log it on an "
                    "inbound communication."
                )
            if command.csat is not None and not 1 <= command.csat <= 5:
                raise DomainError(f"A satisfaction score is 1 to 5, not {command.csat}.")
            return [
                e.CommunicationLogged(
                    **head,
                    channel=command.channel,
                    direction=command.direction,
                    counterpart=command.counterpart.strip(),
                    summary=command.summary.strip(),
                    csat=command.csat,
                )
            ]
        case c.Reroute():
            return [reroute(incident, command, ctx, head)]
        case c.RecordReview():
            return review(incident, command, ctx, head)
        case c.CompleteFollowUp():
            if not any(f.number == command.number for f in incident.follow_ups_open()):
                numbers = ", ".join(f"{name}/{f.number}" for f in incident.follow_ups_open())
                raise DomainError(
                    f"{name} has no open follow-up action {command.number}; open: {numbers}."
                )
            return [e.FollowUpDone(**head, number=command.number)]
    raise DomainError(f"esctui does not know the command {type(command).__name__}.")


def trigger(command: c.Trigger, ctx: Context) -> e.Triggered:
    title = command.title.strip()
    if not title:
        raise DomainError("An incident needs a title.")
    if ctx.directory.service(command.service) is None:
        names = (s.name for s in ctx.directory.services)
        raise DomainError(
            f"There is no service {command.service!r}; known services: {known(names)}."
        )
    if not 1 <= command.severity <= 4:
        raise DomainError(
            f"Severity must be 1 to 4 (SEV1 is the most severe), not {command.severity}."
        )
    if ctx.new_id is None:
        raise DomainError("The store gave the new incident no id.")
    return e.Triggered(
        incident=ctx.new_id,
        at=ctx.now,
        version=1,
        by=ctx.actor,
        title=title,
        service=command.service,
        severity=command.severity,
        assignee=first_on_call(ctx.directory, command.service, 1, ctx.now),
        customer=command.customer.strip(),
        labels=dict(command.labels),
    )


def escalate(
    incident: Incident, command: c.Escalate, ctx: Context, head: dict[str, Any]
) -> e.Escalated:
    name = incident.id
    policy = ctx.directory.service_policy(incident.service)
    if policy is None:
        raise DomainError(f"{name}'s service {incident.service!r} has no escalation policy.")
    last = len(policy.levels)
    cycle = incident.cycle
    if command.level is None:
        if incident.level >= last:
            if not command.timeout:
                raise DomainError(
                    f"{name} is already at the last level ({last}) of policy {policy.name!r}; "
                    "choose a level to escalate to."
                )
            target, cycle = 1, cycle + 1
        else:
            target = incident.level + 1
    else:
        target = command.level
        if not 1 <= target <= last:
            raise DomainError(f"Policy {policy.name!r} has levels 1 to {last}, not {target}.")
        if target == incident.level:
            raise DomainError(f"{name} is already at level {target}.")
    assignee = first_on_call(ctx.directory, incident.service, target, ctx.now)
    reason = command.reason.strip()
    if command.timeout and not reason:
        reason = f"level {incident.level} timed out"
    return e.Escalated(
        **head,
        from_level=incident.level,
        to_level=target,
        cycle=cycle,
        assignee=assignee,
        reason=reason,
    )


def reroute(
    incident: Incident, command: c.Reroute, ctx: Context, head: dict[str, Any]
) -> e.Rerouted:
    name = incident.id
    target = ctx.directory.service(command.service)
    if target is None:
        services = (s.name for s in ctx.directory.services)
        raise DomainError(
            f"Cannot reroute {name} to {command.service!r}: no such service; known services: "
            f"{known(services)}."
        )
    if target.name == incident.service:
        raise DomainError(f"{name} is already with {target.name}.")
    if ctx.directory.policy(target.policy) is None:
        raise DomainError(f"Service {target.name!r} has no escalation policy to page.")
    return e.Rerouted(
        **head,
        from_service=incident.service,
        to_service=target.name,
        assignee=first_on_call(ctx.directory, target.name, 1, ctx.now),
        reason=command.reason.strip(),
    )


def review(
    incident: Incident, command: c.RecordReview, ctx: Context, head: dict[str, Any]
) -> list[e.AnyEvent]:
    """The review, then each follow-up action numbered after those the incident has."""
    name = incident.id
    if not command.summary.strip():
        raise DomainError(f"The review of {name} needs a summary.")
    for item in command.follow_ups:
        if not item.action.strip():
            raise DomainError(f"A follow-up action of {name} needs to say what is to be done.")
        if ctx.directory.responder(item.owner) is None:
            raise DomainError(
                f"The follow-up owner {item.owner!r} is not a responder here; known responders: "
                f"{known(ctx.directory.responder_names())}."
            )
        try:
            check_year(item.due, "A follow-up's due date")
        except ValueError as error:
            raise DomainError(f"{error}.") from None
    events: list[e.AnyEvent] = [
        e.ReviewRecorded(
            **head,
            cause=command.cause,
            summary=command.summary.strip(),
            went_well=command.went_well.strip(),
            went_badly=command.went_badly.strip(),
        )
    ]
    numbered = len(incident.follow_ups)
    for item in command.follow_ups:
        numbered += 1
        events.append(
            e.FollowUpAdded(
                **{**head, "version": head["version"] + len(events)},
                number=numbered,
                action=item.action.strip(),
                owner=item.owner,
                due=item.due,
            )
        )
    return events


def at_level_one(assignee: str | None, at: datetime) -> dict[str, Any]:
    """An incident's policy started over (reopened, rerouted): triggered at level 1, paging
    `assignee` from `at`, nobody's acknowledgement."""
    return {
        "status": Status.TRIGGERED,
        "assignee": assignee,
        "level": 1,
        "cycle": 0,
        "level_since": at,
        "exhausted": False,
        "acknowledged_at": None,
        "acknowledged_by": None,
    }


def foldable(incident: Incident | None, event: e.AnyEvent) -> bool:
    """Whether a follower holding `incident` (None: not held) can fold `event` onto it. One it
    does not hold was brought back from the archive (a late review or follow-up): only its
    trigger starts an incident, so the next whole queue read brings it instead."""
    return incident is not None or isinstance(event, e.Triggered)


def apply(incident: Incident | None, event: e.AnyEvent) -> Incident:
    """Fold one event into the incident's state (`None` before its trigger)."""
    if isinstance(event, e.Triggered):
        return Incident(
            id=event.incident,
            title=event.title,
            service=event.service,
            severity=event.severity,
            status=Status.TRIGGERED,
            created_at=event.at,
            opened_at=event.at,
            version=event.version,
            assignee=event.assignee,
            level=1,
            level_since=event.at,
            customer=event.customer,
            labels=dict(event.labels),
            quiet=event.quiet,
        )
    if incident is None:
        raise ValueError(f"{event.incident}: {event.__struct_config__.tag} before its trigger")
    base = {"version": event.version}
    match event:
        case e.Acknowledged():
            return replace(
                incident,
                **base,
                status=Status.ACKNOWLEDGED,
                acknowledged_at=event.at,
                acknowledged_by=event.by or event.via or None,
                assignee=event.by or incident.assignee,
            )
        case e.Unacknowledged():
            return replace(
                incident,
                **base,
                status=Status.TRIGGERED,
                acknowledged_at=None,
                acknowledged_by=None,
                level_since=event.at,
            )
        case e.HandedOff():
            keep_ack = incident.status is Status.ACKNOWLEDGED and event.to == event.by
            return replace(
                incident,
                **base,
                assignee=event.to,
                level_since=event.at,
                status=Status.ACKNOWLEDGED if keep_ack else Status.TRIGGERED,
                acknowledged_at=incident.acknowledged_at if keep_ack else None,
                acknowledged_by=incident.acknowledged_by if keep_ack else None,
            )
        case e.Escalated():
            return replace(
                incident,
                **base,
                status=Status.TRIGGERED,
                level=event.to_level,
                cycle=event.cycle,
                assignee=event.assignee,
                level_since=event.at,
                acknowledged_at=None,
                acknowledged_by=None,
                exhausted=False,
                quiet=False,  # an escalation pages
            )
        case e.EscalationExhausted():
            return replace(incident, **base, exhausted=True)
        case e.Snoozed():
            return replace(incident, **base, snoozed_until=event.until)
        case e.Resolved():
            return replace(
                incident,
                **base,
                status=Status.RESOLVED,
                resolved_at=event.at,
                resolved_by=event.by or event.via or None,
                snoozed_until=None,
            )
        case e.Reopened():
            return replace(
                incident,
                **base,
                **at_level_one(event.assignee, event.at),
                opened_at=event.at,
                resolved_at=None,
                resolved_by=None,
                snoozed_until=None,
                quiet=False,  # a reopening pages
            )
        case e.Reverted():
            return replace(incident, **base, **undo.restored(event))
        case e.NoteAdded():
            return replace(incident, **base, notes=incident.notes + 1)
        case e.Paged():
            return replace(incident, **base)
        case e.CommunicationLogged():
            outbound = event.direction is Direction.OUTBOUND
            return replace(
                incident,
                **base,
                communications=incident.communications + 1,
                last_customer_update=event.at if outbound else incident.last_customer_update,
            )
        case e.Rerouted():
            return replace(
                incident,
                **base,
                service=event.to_service,
                **at_level_one(event.assignee, event.at),
                quiet=False,  # a reroute, like an escalation, asks for someone: it pages
            )
        case e.ReviewRecorded():
            return replace(incident, **base, reviewed_at=event.at)
        case e.FollowUpAdded():
            added = FollowUp(event.number, event.action, event.owner, event.due)
            return replace(incident, **base, follow_ups=(*incident.follow_ups, added))
        case e.FollowUpDone():
            follow_ups = tuple(
                replace(f, done_at=event.at, done_by=event.by) if f.number == event.number else f
                for f in incident.follow_ups
            )
            return replace(incident, **base, follow_ups=follow_ups)
        case e.AlertsReceived():
            before = incident.alerts
            alerts = AlertState(
                integration=event.integration,
                key=event.key,
                firing=event.firing,
                received=(before.received if before else 0) + event.received,
                last_at=event.at,
                digest=event.digest or (before.digest if before else ""),
            )
            labels = dict(event.labels) if event.labels else incident.labels
            return replace(incident, **base, alerts=alerts, labels=labels)
        case e.Woken():
            return replace(
                incident,
                **base,
                quiet=False,
                assignee=event.assignee,
                opened_at=event.at,
                level_since=event.at,
            )
    raise ValueError(f"unknown event {event!r}")


def replay(events: Iterable[e.AnyEvent]) -> Incident | None:
    """The state after `events`, in order (None for no events)."""
    state: Incident | None = None
    for event in events:
        state = apply(state, event)
    return state
