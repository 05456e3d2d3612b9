"""PagerDuty as a backend, through its REST API v2 as the `From` user.

The queue is PagerDuty's triggered and acknowledged incidents, and those resolved within a
window (a day unless configured). While followed, it asks only for the log entries since the
last look (every 15 s unless configured: 4 requests a minute when nothing happens) and reads
again just the incidents they name; who is on call (`/oncalls`) once the queue is shown, then
every 5 minutes. `full_refresh` lists everything again on demand. Acknowledge and resolve
are `PUT /incidents` (bulk for a bulk action), hand-off is `assignments`, escalate
`escalation_level`, snooze, notes and status updates their own endpoints; the timeline is
the incident's log entries. PagerDuty's API cannot unacknowledge: that is not offered.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from esctui.backends.base import IncidentHistory, Link, Recorded, StoreError, Update
from esctui.backends.pagerduty import incidents as pd
from esctui.backends.pagerduty.client import PagerDuty, Token
from esctui.backends.pagerduty.limits import RateLimit
from esctui.backends.pagerduty.oncall import policies_on_call
from esctui.backends.pagerduty.timeline import timeline
from esctui.backends.platform import PlatformBackend
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.actions import Action
from esctui.domain.commands import AnyCommand
from esctui.domain.errors import DomainError, NotFound
from esctui.domain.models import Direction, Directory, EscalationPolicy, Incident, Status

WHY: dict[Action, str] = {
    Action.UNACKNOWLEDGE: "PagerDuty's API cannot unacknowledge an incident: it returns to "
    "triggered when its acknowledgement times out, or escalate it to page again.",
    Action.UNDO: "PagerDuty keeps its own log and takes nothing back: do the opposite action "
    "where PagerDuty has one.",
    Action.TRIGGER: "Incidents come into PagerDuty through its integrations; trigger them there.",
    Action.SNOOZE: "PagerDuty snoozes only an acknowledged incident: acknowledge it first.",
}
BULK = 250  # the most incidents one `PUT /incidents` changes
LONGEST_SNOOZE = 604_800  # seconds: PagerDuty snoozes for a week at most
OPEN = [("statuses[]", "triggered"), ("statuses[]", "acknowledged"), ("date_range", "all")]
INCLUDE = [("include[]", "assignees"), ("include[]", "acknowledgers")]
SEEN_ENTRIES = 5_000  # log entries remembered, so an overlap is not read twice
ON_CALL_EVERY = 300.0  # seconds between reads of who is on call: shifts change by the hour
ON_CALL_INCLUDE = [("include[]", "users"), ("include[]", "escalation_policies")]


@dataclass(frozen=True)
class PagerDutySettings:
    from_email: str
    token: str
    url: str = "https://api.pagerduty.com"
    timeout: float = 10.0
    poll_every: float = 15.0
    resolved_within: timedelta = timedelta(days=1)
    severities: Mapping[str, int] = field(default_factory=lambda: dict(pd.DEFAULT_SEVERITIES))
    per_minute: int = 960
    backoff: float = 1.0

    def __repr__(self) -> str:  # the token never shows
        return f"PagerDutySettings(url={self.url!r}, from_email={self.from_email!r})"


class PagerDutyBackend(PlatformBackend):
    kind = "pagerduty"
    capabilities = frozenset(
        {
            Action.ACKNOWLEDGE,
            Action.HAND_OFF,
            Action.ESCALATE,
            Action.ESCALATE_TO,
            Action.SNOOZE,
            Action.RESOLVE,
            Action.REOPEN,
            Action.NOTE,
            Action.COMMUNICATE,
        }
    )
    why = WHY

    def __init__(self, settings: PagerDutySettings) -> None:
        super().__init__()
        self.settings = settings
        self.poll_every = settings.poll_every
        self.api = PagerDuty(
            settings.url,
            Token(settings.token),
            settings.from_email,
            timeout=settings.timeout,
            limit=RateLimit(settings.per_minute),
            backoff=settings.backoff,
            on_wait=self.waiting_for,
        )
        self.people = pd.People()
        self.raw: dict[str, dict[str, Any]] = {}  # as PagerDuty last sent each incident
        self.levels: dict[str, int] = {}  # what esctui knows of each one's escalation level
        self.snoozes: dict[str, datetime] = {}
        self.since: datetime | None = None  # the log entries read up to here
        self.entries_seen: dict[str, None] = {}
        self.on_call_now: dict[str, EscalationPolicy] = {}  # as last read, by policy
        self.on_call_read: float | None = None  # when (monotonic)
        self.link = Link.ONLINE

    @property
    def location(self) -> str:
        return self.settings.url

    async def whoami(self) -> str:
        return self.settings.from_email

    def offered(self, incident: Incident) -> frozenset[Action]:
        offered = super().offered(incident)
        if incident.status is not Status.ACKNOWLEDGED:
            offered -= {Action.SNOOZE}
        return offered

    def waiting_for(self, seconds: float) -> None:
        """A 429: the header says so while it lasts; the wait is told once."""
        link = Link.LIMITED if seconds else Link.ONLINE
        if link is not self.link:
            self.link = link
            self.observed.emit(Update(changes=[], link=link))
        if seconds:
            self.notice(f"PagerDuty asked esctui to slow down: waiting {seconds:.0f} s.")

    # -- reading ------------------------------------------------------------------------

    async def read(self, now: datetime) -> tuple[dict[str, Incident], Directory]:
        since = now - self.settings.resolved_within
        listed, more = await self.api.pages("/incidents", "incidents", [*OPEN, *INCLUDE])
        resolved, more_resolved = await self.api.pages(
            "/incidents",
            "incidents",
            [("statuses[]", "resolved"), ("since", iso(since)), ("until", iso(now)), *INCLUDE],
        )
        if more or more_resolved:
            self.notice(
                "PagerDuty lists no more than 10,000 incidents at once: the queue shows the "
                "first 10,000."
            )
        self.raw = {str(data["id"]): data for data in [*resolved, *listed]}
        if self.since is None:
            self.since = now
        return self.shown(now), self.directory()

    def shown(self, now: datetime) -> dict[str, Incident]:
        severities = self.settings.severities
        return {
            incident_id: pd.incident_of(
                data,
                self.people,
                severities,
                level=self.levels.get(incident_id, 1),
                snoozed_until=self.snoozes.get(incident_id),
            )
            for incident_id, data in self.raw.items()
        }

    def directory(self, on_call: dict[str, EscalationPolicy] | None = None) -> Directory:
        """What the incidents name, with who is on call (as last read, unless `on_call`)."""
        return pd.directory(
            self.raw.values(),
            self.people,
            self.settings.from_email,
            self.on_call_now if on_call is None else on_call,
        )

    async def on_call(self, at: datetime) -> Directory:
        """The directory as at `at`: each escalation policy's levels name the users PagerDuty
        has on call at it then (`GET /oncalls`)."""
        return self.directory(await self.read_on_call(at))

    async def read_on_call(self, at: datetime) -> dict[str, EscalationPolicy]:
        params = [*ON_CALL_INCLUDE, ("since", iso(at)), ("until", iso(at))]
        entries, _ = await self.api.pages("/oncalls", "oncalls", params)
        return policies_on_call(entries, self.people)

    async def settle(self) -> Update | None:
        """Who is on call, read once the queue is shown; what it changed, for followers."""
        now = self.clock()
        self.on_call_now = await self.read_on_call(now)
        self.on_call_read = time.monotonic()
        return self.observed.observe(self.shown(now), self.directory(), now)

    async def reread(self) -> Update | None:
        """Every incident listed again (not the log since the last look), and who is on call.
        The log is still read from where it was, for the escalations only it tells."""
        now = self.clock()
        await self.read(now)
        return await self.settle()

    async def refresh(self) -> Update | None:
        """What changed since the last look, from the log entries: one request when nothing
        did, and one for each incident they name when something did; and who is on call,
        every `ON_CALL_EVERY` seconds."""
        now = self.clock()
        if self.since is None:
            await self.read(now)
            return self.observed.observe(self.shown(now), self.directory(), now)
        update = await self.changes(now)
        if self.on_call_read is None or time.monotonic() - self.on_call_read > ON_CALL_EVERY:
            with contextlib.suppress(StoreError):  # asked again at the next look
                # A new directory is a whole queue, with what the log entries changed in it.
                return await self.settle() or update
        return update

    async def changes(self, now: datetime) -> Update | None:
        """What the log entries since the last look say changed."""
        assert self.since is not None  # read() has been
        params = [("since", iso(self.since - timedelta(seconds=1))), ("until", iso(now))]
        entries, _ = await self.api.pages("/log_entries", "log_entries", params)
        self.since = now
        changed: list[str] = []
        for entry in entries:
            entry_id = str(entry.get("id", ""))
            if entry_id in self.entries_seen:
                continue
            self.entries_seen[entry_id] = None
            incident_id = str((entry.get("incident") or {}).get("id", ""))
            if incident_id and incident_id not in changed:
                changed.append(incident_id)
            if entry.get("type") == "escalate_log_entry" and incident_id:
                self.levels[incident_id] = self.levels.get(incident_id, 1) + 1
        while len(self.entries_seen) > SEEN_ENTRIES:
            del self.entries_seen[next(iter(self.entries_seen))]
        for incident_id in changed:
            answer = await self.api.request(
                "GET", f"/incidents/{incident_id}", params=[("include[]", "assignees")]
            )
            self.raw[incident_id] = answer["incident"]
        if not changed:
            return None
        return self.observed.observe(self.shown(now), self.directory(), now)

    async def history(self, incident_id: str) -> IncidentHistory:
        incident = await self.known(incident_id)
        entries, _ = await self.api.pages(
            f"/incidents/{incident.id}/log_entries", "log_entries", []
        )
        return IncidentHistory(incident=incident, timeline=timeline(incident, entries, self.people))

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        """Every incident created or resolved since `since` that the queue shows, with its log
        entries, read from the account's log in one listing."""
        if not self.observed.incidents:
            await self.open()
        params = [("since", iso(since)), ("until", iso(self.clock()))]
        entries, _ = await self.api.pages("/log_entries", "log_entries", params)
        by_incident: dict[str, list[Any]] = {}
        for entry in entries:
            by_incident.setdefault(str((entry.get("incident") or {}).get("id", "")), []).append(
                entry
            )
        return [
            IncidentHistory(
                incident=i, timeline=timeline(i, by_incident.get(i.id, []), self.people)
            )
            for i in self.observed.incidents.values()
            if i.is_open or i.created_at >= since or (i.resolved_at or since) > since
        ]

    # -- acting -------------------------------------------------------------------------

    async def execute_many(
        self, commands: list[AnyCommand], *, actor: str | None
    ) -> list[Recorded | DomainError]:
        """Acknowledge or resolve many incidents in as few requests as PagerDuty allows
        (`PUT /incidents`, 250 at a time); anything else one by one. Each answer in the
        order of `commands`: what it did, or why not."""
        answers: dict[int, Recorded | DomainError] = {}
        batch: dict[int, c.Acknowledge | c.Resolve] = {}
        for n, command in enumerate(commands):
            try:
                checked = await self.checked(command)
                if isinstance(checked, c.Acknowledge | c.Resolve):
                    batch[n] = checked
                else:
                    answers[n] = await self.carry_out(checked, actor)
            except DomainError as refused:
                answers[n] = refused
        answers.update(zip(batch, await self.statuses(list(batch.values()), actor), strict=True))
        return [answers[n] for n in range(len(commands))]

    async def statuses(
        self, commands: list[c.Acknowledge | c.Resolve], actor: str | None
    ) -> list[Recorded | DomainError]:
        answers: list[Recorded | DomainError] = []
        for start in range(0, len(commands), BULK):
            chunk = commands[start : start + BULK]
            body = {"incidents": [status_of(command) for command in chunk]}
            await self.api.request("PUT", "/incidents", body=body)
            now = self.clock()
            for command in chunk:
                if isinstance(command, c.Acknowledge):
                    answers.append(self.record(command.incident, e.Acknowledged, actor, now))
                else:
                    answers.append(
                        self.record(command.incident, e.Resolved, actor, now, note=command.note)
                    )
        return answers

    def record(
        self,
        incident_id: str,
        kind: type[e.AnyEvent],
        actor: str | None,
        at: datetime,
        **fields: Any,
    ) -> Recorded:
        return self.observed.record(incident_id, [{"kind": kind, **fields}], actor, at)

    async def carry_out(self, command: AnyCommand, actor: str | None) -> Recorded:
        assert isinstance(command, c.IncidentCommand)
        who = actor or self.settings.from_email
        incident_id = command.incident
        path = f"/incidents/{incident_id}"
        match command:
            case c.Acknowledge() | c.Resolve():
                answer = await self.statuses([command], actor=who)
                assert isinstance(answer[0], Recorded)
                return answer[0]
            case c.Reopen():
                await self.api.request("PUT", path, body=incident_body(status="triggered"))
                self.levels.pop(incident_id, None)
                held = self.observed.incidents[incident_id].assignee
                return self.record(
                    incident_id, e.Reopened, who, self.clock(), assignee=held, reason=command.reason
                )
            case c.HandOff():
                user_id = await self.user_id(command.to)
                assignee = {"assignee": {"id": user_id, "type": "user_reference"}}
                await self.api.request("PUT", path, body=incident_body(assignments=[assignee]))
                if command.note.strip():
                    await self.api.request("POST", f"{path}/notes", body=note(command.note))
                held = self.observed.incidents[incident_id].assignee
                return self.record(
                    incident_id,
                    e.HandedOff,
                    who,
                    self.clock(),
                    from_responder=held,
                    to=command.to,
                    note=command.note.strip(),
                )
            case c.Escalate():
                incident = self.observed.incidents[incident_id]
                target = self.level_for(incident, command.level)
                await self.api.request("PUT", path, body=incident_body(escalation_level=target))
                self.levels[incident_id] = target
                return self.record(
                    incident_id,
                    e.Escalated,
                    who,
                    self.clock(),
                    from_level=incident.level,
                    to_level=target,
                    cycle=incident.cycle,
                    assignee=None,
                    reason=command.reason.strip(),
                )
            case c.Snooze():
                now = self.clock()
                seconds = int((command.until - now).total_seconds())
                if not 1 <= seconds <= LONGEST_SNOOZE:
                    raise DomainError(
                        f"PagerDuty snoozes {incident_id} for a second to a week, not {seconds} s."
                    )
                await self.api.request("POST", f"{path}/snooze", body={"duration": seconds})
                self.snoozes[incident_id] = command.until
                return self.record(incident_id, e.Snoozed, who, now, until=command.until)
            case c.AddNote():
                await self.api.request("POST", f"{path}/notes", body=note(command.text))
                return self.record(
                    incident_id, e.NoteAdded, who, self.clock(), text=command.text.strip()
                )
            case c.LogCommunication():
                said = f"{command.summary.strip()} ({command.channel}, with {command.counterpart})"
                if command.direction is Direction.OUTBOUND:  # what subscribers are told
                    body: dict[str, Any] = {"message": said}
                    await self.api.request("POST", f"{path}/status_updates", body=body)
                else:  # heard from them: kept on the incident, told to no one
                    await self.api.request("POST", f"{path}/notes", body=note(f"Heard: {said}"))
                return self.record(
                    incident_id,
                    e.CommunicationLogged,
                    who,
                    self.clock(),
                    channel=command.channel,
                    direction=command.direction,
                    counterpart=command.counterpart.strip(),
                    summary=command.summary.strip(),
                )
        raise DomainError(self.unavailable(Action.UNDO))

    def level_for(self, incident: Incident, asked: int | None) -> int:
        service = self.observed.directory.service(incident.service)
        policy = self.observed.directory.policy(service.policy) if service else None
        last = len(policy.levels) if policy is not None and policy.levels else None
        target = asked if asked is not None else incident.level + 1
        if last is not None and not 1 <= target <= last:
            raise DomainError(
                f"{incident.id}'s escalation policy {policy.name if policy else ''!r} has levels "
                f"1 to {last}, not {target}."
            )
        if target == incident.level:
            raise DomainError(f"{incident.id} is already at level {target}.")
        return target

    async def user_id(self, email: str) -> str:
        known = self.people.id_of(email)
        if known is not None:
            return known
        answer = await self.api.request("GET", "/users", params=[("query", email)])
        for user in answer.get("users", []):
            self.people.learn(user)
        found = self.people.id_of(email)
        if found is None:
            raise NotFound(f"PagerDuty has no user {email}.")
        return found

    async def close(self) -> None:
        await self.api.close()


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def status_of(command: c.Acknowledge | c.Resolve) -> dict[str, Any]:
    body: dict[str, Any] = {"id": command.incident, "type": "incident_reference"}
    if isinstance(command, c.Acknowledge):
        body["status"] = "acknowledged"
    else:
        body["status"] = "resolved"
        if command.note.strip():
            body["resolution"] = command.note.strip()
    return body


def incident_body(**fields: Any) -> dict[str, Any]:
    return {"incident": {"type": "incident_reference", **fields}}


def note(text: str) -> dict[str, Any]:
    return {"note": {"content": text.strip()}}


__all__ = ["PagerDutyBackend", "PagerDutySettings", "StoreError"]
