"""The incident service: how a command is handled, over any store.

For one command, in one transaction of the store: answer a request already recorded under its
idempotency key (refusing the key sent with another request); hold the incident and check the
version the caller saw; record the escalations that fell due for it first (so the command acts
on the incident as it truly is now); let the rules `decide`; append what they produced,
remembered under the key. The store keeps events and state; the rules are here and in
`domain/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import msgspec

from esctui.domain import lifecycle
from esctui.domain.commands import (
    LATE,
    AnyCommand,
    IncidentCommand,
    RecordPage,
    Trigger,
    Undo,
)
from esctui.domain.errors import DomainError, NotFound, RequestReused, VersionConflict
from esctui.domain.escalation import due
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.domain.oncall import directory_problems
from esctui.domain.undo import unchanged_since
from esctui.service.ports import EventStore, Transaction
from esctui.stores.records import Change, Recorded

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fingerprint(command: AnyCommand, actor: str | None) -> str:
    """What identifies a request beside its key: who asked for what, exactly."""
    body = msgspec.json.encode([actor, command])
    return hashlib.sha256(body).hexdigest()[:32]


class IncidentService:
    """Commands in, changes out, over `store`; `clock` is the time the rules see."""

    def __init__(self, store: EventStore, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or utc_now

    async def execute(
        self,
        command: AnyCommand,
        actor: str | None,
        *,
        expected_version: int | None = None,
        request_key: str | None = None,
    ) -> Recorded:
        """Record `command` as `actor` and return what it did; `DomainError` (or `NotFound`,
        `VersionConflict`, `RequestReused`) if the rules or the caller's version refuse it.

        With a `request_key` already recorded for the same request, the recorded changes
        come back and nothing is written: the caller is resending a request whose answer it
        never got."""
        request = None if request_key is None else (request_key, fingerprint(command, actor))
        async with self.store.transaction() as tx:
            answered = None if request is None else await self.answered(tx, *request)
            if answered is None:
                return await self.decided(tx, command, actor, expected_version, request)
        changes, incident = answered
        if incident is None:  # archived since: what it did still stands, as it is now
            history = await self.store.history(changes[-1].event.incident)
            incident = history.incident if history is not None else fold(None, changes)
        return Recorded(incident=incident, changes=changes)

    async def decided(
        self,
        tx: Transaction,
        command: AnyCommand,
        actor: str | None,
        expected_version: int | None,
        request: tuple[str, str] | None,
    ) -> Recorded:
        """What the rules make of `command` on the incident as it stands now, appended."""
        now = self.clock()
        if isinstance(command, IncidentCommand):
            incident = await self.held(tx, command)
            if expected_version is not None and not await self.as_seen(
                tx, incident, expected_version
            ):
                raise VersionConflict(
                    f"{incident.id} changed since you looked (version {expected_version}, "
                    f"now {incident.version}); look again and retry.",
                    incident,
                )
            incident = await self.escalate_first(tx, incident, now)
            # Only an undo reads the timeline: for the state before the change it undoes.
            timeline = tuple(await tx.timeline(incident.id)) if isinstance(command, Undo) else ()
            ctx = lifecycle.Context(directory=tx.directory, now=now, actor=actor, timeline=timeline)
            events = lifecycle.decide(incident, command, ctx)
        else:
            assert isinstance(command, Trigger)
            new_id = await tx.next_id()
            ctx = lifecycle.Context(directory=tx.directory, now=now, actor=actor, new_id=new_id)
            incident = None
            events = lifecycle.decide(None, command, ctx)
        changes = await tx.append(events, request)
        return Recorded(incident=fold(incident, changes), changes=changes)

    async def as_seen(self, tx: Transaction, incident: Incident, version: int) -> bool:
        """Whether `incident` is as the caller saw it at `version`: the same version, or only
        pages recorded since (a page going out does not make the caller's view stale)."""
        if incident.version == version:
            return True
        return version < incident.version and unchanged_since(
            await tx.timeline(incident.id), version
        )

    async def answered(
        self, tx: Transaction, key: str, print_: str
    ) -> tuple[list[Change], Incident | None] | None:
        """What the request with `key` recorded, and the incident as it is now (None if it
        was archived since); None if nothing was recorded under `key`."""
        recorded = await tx.recorded(key)
        if recorded is None:
            return None
        # A key recorded before requests had fingerprints is answered as it always was.
        if recorded.fingerprint and recorded.fingerprint != print_:
            raise RequestReused(
                "This Idempotency-Key was already used for another request "
                f"({describe_changes(recorded.changes)}); use a new key for a new request."
            )
        if not recorded.changes:
            raise RequestReused("This Idempotency-Key was recorded without changes.")
        return recorded.changes, await tx.incident(recorded.changes[-1].event.incident)

    async def held(self, tx: Transaction, command: IncidentCommand) -> Incident:
        """The incident `command` is for, held; an archived one only for a review or a
        follow-up (`LATE`): anything else on it is refused."""
        incident_id = command.incident
        incident = await tx.incident(incident_id)
        if incident is not None:
            return incident
        if isinstance(command, LATE):
            incident = await tx.unarchive(incident_id)
            if incident is not None:
                return incident
        if await tx.archived(incident_id):
            raise DomainError(
                f"{incident_id} is archived (resolved long ago): only a review or a follow-up "
                "can still be recorded on it."
            )
        raise NotFound(f"There is no incident {incident_id}.")

    async def escalate_first(self, tx: Transaction, incident: Incident, now: datetime) -> Incident:
        """Record what auto-escalation owes `incident` by now, so the command meets the
        incident as it truly stands; the incident after."""
        events = escalations(incident, tx.directory, now)
        if not events:
            return incident
        changes = await tx.append(events)
        return fold(incident, changes)

    async def escalate_due(self) -> list[Change]:
        """Record every escalation due now (idempotent: any process holding the store may run
        it, and a second run at the same time records nothing)."""
        now = self.clock()
        recorded: list[Change] = []
        for incident_id in await self.store.due(now):
            async with self.store.transaction() as tx:
                incident = await tx.incident(incident_id)
                if incident is None:
                    continue
                events = escalations(incident, tx.directory, now)
                if events:
                    recorded += await tx.append(events)
        return recorded

    async def record(self, commands: Sequence[RecordPage]) -> list[Change]:
        """Record what esctui did itself (such as the pages it sent), in one transaction, as
        nobody's. A command for an incident the store no longer holds (archived) is passed
        over: there is no timeline left to tell."""
        now = self.clock()
        async with self.store.transaction() as tx:
            states: dict[str, Incident] = {}
            events: list[AnyEvent] = []
            context = lifecycle.Context(directory=tx.directory, now=now, actor=None)
            for command in commands:
                incident = states.get(command.incident) or await tx.incident(command.incident)
                if incident is None:
                    continue
                for event in lifecycle.decide(incident, command, context):
                    incident = lifecycle.apply(incident, event)
                    events.append(event)
                states[incident.id] = incident
            return await tx.append(events)

    async def replace_directory(self, directory: Directory) -> str:
        """Put a new directory in force; refused if it has dangling references, or if an open
        incident's service would vanish. A one-line summary of what is now in force."""
        problems = directory_problems(directory)
        if problems:
            raise DomainError("The directory has problems: " + "; ".join(problems) + ".")
        services = {s.name for s in directory.services}
        async with self.store.transaction() as tx:
            orphans = sorted(i.id for i in await tx.open_incidents() if i.service not in services)
            if orphans:
                shown = ", ".join(orphans[:5]) + (", ..." if len(orphans) > 5 else "")
                raise DomainError(
                    f"Open incidents use services the new directory drops ({shown}); resolve "
                    "them or keep the services."
                )
            await tx.put_directory(directory)
        return (
            f"Directory in force: {len(directory.responders)} responders, "
            f"{len(directory.rotations)} rotations, {len(directory.policies)} policies, "
            f"{len(directory.services)} services."
        )


def escalations(incident: Incident, directory: Directory, now: datetime) -> list[AnyEvent]:
    """The events auto-escalation owes `incident` at `now` (none, or one step)."""
    system = lifecycle.Context(directory=directory, now=now, actor=None)
    events: list[AnyEvent] = []
    for command in due([incident], directory, now):
        events += lifecycle.decide(incident, command, system)
    return events


def fold(incident: Incident | None, changes: list[Change]) -> Incident:
    state = incident
    for change in changes:
        if state is None or change.event.incident == state.id:
            state = lifecycle.apply(state, change.event)
    assert state is not None
    return state


def describe_changes(changes: list[Change]) -> str:
    if not changes:
        return "nothing"
    first = changes[-1].event
    return f"{first.__struct_config__.tag} of {first.incident}"
