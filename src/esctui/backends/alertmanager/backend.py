"""Prometheus Alertmanager as a backend. The queue is its alert groups; an action is what
Alertmanager can do about a group:

- acknowledge: a silence of the group whose `createdBy` is the responder and whose comment
  starts `ACK!` (karma and kthxbye read it as an acknowledgement), for `ack_for` (2 h unless
  configured), extended while the group still fires and the responder's console is open;
- unacknowledge: that silence expired; hand off: that silence rewritten in the other
  responder's name; note: appended to its comment; snooze: a silence with the chosen end.

Resolve, reopen and escalate are not offered: Alertmanager resolves an alert when it stops
firing, and escalation is its routing's business. A group that stops firing shows as resolved
for the rest of the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec

from esctui.backends.alertmanager import wire
from esctui.backends.alertmanager.api import GROUPS, SILENCES, Cluster, Credentials
from esctui.backends.alertmanager.groups import (
    ACK,
    DEFAULT_SEVERITIES,
    ack_silence,
    group_id,
    incident_of,
    is_ack,
    matchers,
    silences_of,
)
from esctui.backends.base import IncidentHistory, Recorded, Update
from esctui.backends.platform import PlatformBackend
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.actions import Action
from esctui.domain.commands import AnyCommand
from esctui.domain.errors import DomainError, NotFound
from esctui.domain.models import Directory, Incident, Responder, Service, Status

RESOLVES = (
    "Alertmanager resolves an alert when it stops firing; fix the cause, or silence it "
    "(snooze) until then."
)
WHY: dict[Action, str] = {
    Action.RESOLVE: RESOLVES,
    Action.REOPEN: "Alertmanager reopens nothing: an alert that fires again is a new alert group.",
    Action.ESCALATE: "Alertmanager escalates through its routing, not by request: hand the "
    "acknowledgement to someone instead.",
    Action.ESCALATE_TO: "Alertmanager escalates through its routing, not by request: hand the "
    "acknowledgement to someone instead.",
    Action.TRIGGER: "Alerts come into Alertmanager from Prometheus, not from esctui.",
    Action.COMMUNICATE: "Alertmanager keeps no record of communications.",
    Action.UNDO: "Alertmanager keeps no history to undo by: unacknowledge, or acknowledge again.",
    Action.HAND_OFF: "In Alertmanager a hand-off passes the acknowledgement silence to someone "
    "else: acknowledge the alert group first.",
    Action.NOTE: "In Alertmanager a note is kept in the acknowledgement silence's comment: "
    "acknowledge the alert group first.",
}
NEEDS_ACK = frozenset({Action.HAND_OFF, Action.NOTE})
# Resolved groups are shown for so long after they stopped firing.
RESOLVED_KEPT = timedelta(hours=24)


@dataclass(frozen=True)
class AlertmanagerSettings:
    """What the config says about the Alertmanagers (several: one HA cluster)."""

    urls: tuple[str, ...]
    identity: str
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = 10.0
    ack_for: timedelta = timedelta(hours=2)
    severities: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    poll_every: float = 5.0


class AlertmanagerBackend(PlatformBackend):
    kind = "alertmanager"
    capabilities = frozenset(
        {Action.ACKNOWLEDGE, Action.UNACKNOWLEDGE, Action.HAND_OFF, Action.SNOOZE, Action.NOTE}
    )
    why = WHY

    def __init__(self, settings: AlertmanagerSettings) -> None:
        super().__init__()
        self.settings = settings
        self.cluster = Cluster(settings.urls, settings.credentials, settings.timeout)
        self.poll_every = settings.poll_every
        self.groups: dict[str, wire.AlertGroup] = {}
        self.silences: dict[str, wire.Silence] = {}
        self.resolved: dict[str, Incident] = {}
        self.seen_names: set[str] = set()

    @property
    def location(self) -> str:
        return ", ".join(self.settings.urls)

    async def whoami(self) -> str:
        return self.settings.identity

    def offered(self, incident: Incident) -> frozenset[Action]:
        offered = super().offered(incident)
        if incident.status is not Status.ACKNOWLEDGED:
            offered -= NEEDS_ACK
        return offered

    def find(self, incident_id: str) -> str | None:
        # esctui made these ids: any case names them (`am-1f2e...` as typed).
        wanted = incident_id.upper()
        return wanted if wanted in self.observed.incidents else None

    # -- reading --------------------------------------------------------------------------

    def read_ahead(self) -> Future[None]:
        """The groups and silences of the first `open`, asked for at once (see `ReadAhead`)."""
        return self.cluster.read_ahead([GROUPS, SILENCES])

    async def read(self, now: datetime) -> tuple[dict[str, Incident], Directory]:
        groups, silences = await asyncio.gather(self.cluster.groups(), self.cluster.silences())
        self.silences = {s.id: s for s in silences}
        self.groups = {group_id(g): g for g in groups if g.alerts}
        fresh = {
            gid: incident_of(g, self.silences, self.settings.severities, now)
            for gid, g in self.groups.items()
        }
        for gid, was in self.observed.incidents.items():
            if gid not in fresh and was.is_open:  # stopped firing: Alertmanager resolved it
                self.resolved[gid] = msgspec.structs.replace(
                    was, status=Status.RESOLVED, resolved_at=now, snoozed_until=None
                )
        for gid, was in list(self.resolved.items()):
            if gid in fresh or (was.resolved_at or now) < now - RESOLVED_KEPT:
                del self.resolved[gid]
        self.seen_names |= {s.created_by for s in silences} | {self.settings.identity}
        shown = {**self.resolved, **fresh}
        return shown, self.directory(list(shown.values()))

    def directory(self, incidents: list[Incident]) -> Directory:
        """Who has made silences (the names a hand-off offers), and the services shown."""
        services = sorted({i.service for i in incidents})
        return Directory(
            responders=tuple(Responder(name=n) for n in sorted(self.seen_names) if n),
            services=tuple(Service(name=s, policy="") for s in services),
        )

    async def refresh(self) -> Update | None:
        update = await super().refresh()
        await self.extend_acks()
        return update

    async def extend_acks(self) -> None:
        """Keep my acknowledgements from running out while the group still fires and this
        console follows it: extended once less than half their time is left."""
        now = self.clock()
        mine = {
            ack.id: ack
            for group in self.groups.values()
            for ack in self.acks(group)
            if ack.created_by == self.settings.identity
        }
        for ack in mine.values():
            if ack.ends_at - now < self.settings.ack_for / 2:
                await self.replace(ack, ends_at=now + self.settings.ack_for)

    async def history(self, incident_id: str) -> IncidentHistory:
        found = self.find(incident_id)
        if found is None:
            await self.open()
            found = self.find(incident_id)
        if found is None:
            raise NotFound(f"There is no alert group {incident_id} in {self.location}.")
        return IncidentHistory(
            incident=self.observed.incidents[found],
            timeline=list(self.observed.timelines.get(found, [])),
        )

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        if not self.observed.incidents:
            await self.open()
        return [
            IncidentHistory(incident=i, timeline=list(self.observed.timelines.get(i.id, [])))
            for i in self.observed.incidents.values()
            if i.created_at >= since
            or (i.resolved_at is not None and i.resolved_at >= since)
            or i.is_open
        ]

    # -- acting ---------------------------------------------------------------------------

    async def carry_out(self, command: AnyCommand, actor: str | None) -> Recorded:
        assert isinstance(command, c.IncidentCommand)
        who = actor or self.settings.identity
        now = self.clock()
        gid = command.incident
        group = self.groups.get(gid)
        if group is None:
            raise DomainError(f"{gid} no longer fires: Alertmanager has resolved it.")
        ack = ack_silence(group, self.silences)
        match command:
            case c.Acknowledge():
                await self.silence(
                    group,
                    who,
                    f"{ACK} Acknowledged by {who} in esctui.",
                    now + self.settings.ack_for,
                )
                return self.observed.record(gid, [{"kind": e.Acknowledged}], who, now)
            case c.Unacknowledge():
                for silence in self.acks(group):
                    await self.cluster.expire(silence.id)
                    self.silences.pop(silence.id, None)
                return self.observed.record(
                    gid, [{"kind": e.Unacknowledged, "reason": command.reason}], who, now
                )
            case c.HandOff():
                assert ack is not None  # offered only on an acknowledged group
                said = f" {command.note.strip()}" if command.note.strip() else ""
                comment = f"{ACK} Handed to {command.to} by {who} in esctui.{said}"
                await self.replace(ack, created_by=command.to, comment=comment)
                self.seen_names.add(command.to)
                held = self.observed.incidents[gid].assignee
                events = [
                    {
                        "kind": e.HandedOff,
                        "from_responder": held,
                        "to": command.to,
                        "note": command.note.strip(),
                    },
                ]
                recorded = self.observed.record(gid, events, who, now)
                # In Alertmanager the acknowledgement is theirs now.
                more = self.observed.record(gid, [{"kind": e.Acknowledged}], command.to, now)
                return Recorded(incident=more.incident, changes=recorded.changes + more.changes)
            case c.Snooze():
                until = command.until.astimezone(now.tzinfo)
                await self.silence(group, who, f"Snoozed by {who} in esctui.", until)
                return self.observed.record(gid, [{"kind": e.Snoozed, "until": until}], who, now)
            case c.AddNote():
                assert ack is not None
                text = command.text.strip()
                await self.replace(ack, comment=f"{ack.comment.rstrip()}\n{who}: {text}")
                return self.observed.record(gid, [{"kind": e.NoteAdded, "text": text}], who, now)
        raise DomainError(self.unavailable(Action.UNDO))

    def acks(self, group: wire.AlertGroup) -> list[wire.Silence]:
        return [s for s in silences_of(group, self.silences) if is_ack(s)]

    async def silence(
        self, group: wire.AlertGroup, who: str, comment: str, until: datetime
    ) -> None:
        new = wire.NewSilence(
            matchers=matchers(group),
            starts_at=self.clock(),
            ends_at=until,
            created_by=who,
            comment=comment,
        )
        silence_id = await self.cluster.post_silence(new)
        self.keep(new, silence_id, group)

    async def replace(self, old: wire.Silence, **changes: object) -> None:
        """Post `old` again with `changes` (Alertmanager updates it, or replaces it by a new
        one and expires the old)."""
        fields = {
            "matchers": old.matchers,
            "starts_at": old.starts_at,
            "ends_at": old.ends_at,
            "created_by": old.created_by,
            "comment": old.comment,
            "id": old.id,
            **changes,
        }
        new = wire.NewSilence(**fields)  # type: ignore[arg-type]
        silence_id = await self.cluster.post_silence(new)
        if silence_id != old.id:
            self.silences.pop(old.id, None)
        for group in self.groups.values():
            if any(old.id in a.status.silenced_by for a in group.alerts):
                self.keep(new, silence_id, group)

    def keep(self, new: wire.NewSilence, silence_id: str, group: wire.AlertGroup) -> None:
        """What was posted, as the next read will show it, so the next action and the next
        extension see it at once."""
        self.silences[silence_id] = wire.Silence(
            id=silence_id,
            status=wire.SilenceStatus(state="active"),
            matchers=new.matchers,
            starts_at=new.starts_at,
            ends_at=new.ends_at,
            created_by=new.created_by,
            comment=new.comment,
        )
        gid = group_id(group)
        alerts = [
            msgspec.structs.replace(
                a,
                status=msgspec.structs.replace(
                    a.status, silenced_by=[*a.status.silenced_by, silence_id]
                ),
            )
            for a in group.alerts
        ]
        self.groups[gid] = msgspec.structs.replace(group, alerts=alerts)

    async def close(self) -> None:
        await self.cluster.close()
