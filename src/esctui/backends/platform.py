"""What the Alertmanager and PagerDuty backends share: the queue as the platform last showed
it, with the revisions and events esctui gives it, and the polling that follows it.

A platform keeps no esctui journal. Each read is compared with the one before and every
difference is described with the domain's events (`observed.events_between`), each given the
next revision, so the console folds them like a store's; where events cannot say it, followers
get the whole queue again. An action done through esctui is recorded the same way, with the
actor's own events, and the next read finds nothing new to say about it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import msgspec

from esctui.backends.base import Change, Link, Queue, Recorded, StoreError, Update
from esctui.backends.observed import FIXED, SEEN, events_between
from esctui.domain import events as e
from esctui.domain.actions import Action, action_of, allowed, refusal
from esctui.domain.commands import AnyCommand
from esctui.domain.errors import DomainError, NotFound
from esctui.domain.lifecycle import apply
from esctui.domain.models import Directory, Incident


def unchanged(old: Incident, new: Incident, now: datetime) -> bool:
    return all(getattr(old, name) == getattr(new, name) for name in (*SEEN, *FIXED)) and (
        old.snoozed(now) == new.snoozed(now)
    )


class ObservedQueue:
    """The incidents as last read, each with the events esctui has described it by."""

    def __init__(self) -> None:
        self.directory = Directory()
        self.incidents: dict[str, Incident] = {}
        self.timelines: dict[str, list[e.AnyEvent]] = {}
        self.revision = 0
        self.generation = 0  # a new one each time followers must redraw the whole queue
        self.followers: list[asyncio.Queue[Update]] = []

    def queue(self) -> Queue:
        return Queue(
            directory=self.directory,
            incidents=dict(self.incidents),
            revision=self.revision,
            snapshot=str(self.generation),
        )

    def emit(self, update: Update) -> None:
        for follower in self.followers:
            follower.put_nowait(update)

    def observe(
        self, fresh: Mapping[str, Incident], directory: Directory, now: datetime
    ) -> Update | None:
        """Bring the queue to what the platform shows now (`fresh`: every incident to keep;
        the others are forgotten); the update for followers, or None when nothing changed."""
        changes: list[Change] = []
        whole = directory != self.directory
        self.directory = directory
        for incident_id in [i for i in self.incidents if i not in fresh]:
            del self.incidents[incident_id]
            self.timelines.pop(incident_id, None)
        for incident_id, new in fresh.items():
            old = self.incidents.get(incident_id)
            if old is not None and unchanged(old, new, now):
                continue
            described = events_between(old, new, now)
            if described is None:  # no event says it: followers redraw
                whole = True
                version = old.version + 1 if old is not None else 1
                self.incidents[incident_id] = msgspec.structs.replace(new, version=version)
                self.revision += 1
                continue
            events, state = described
            self.incidents[incident_id] = state
            changes.extend(self.keep(events))
        if whole:
            self.generation += 1
            return Update(changes=[], queue=self.queue())
        return Update(changes=changes) if changes else None

    def keep(self, events: list[e.AnyEvent]) -> list[Change]:
        """Give `events` their revisions and add them to their timelines."""
        changes = []
        for event in events:
            self.revision += 1
            self.timelines.setdefault(event.incident, []).append(event)
            changes.append(Change(revision=self.revision, event=event))
        return changes

    def record(
        self, incident_id: str, events: list[dict[str, Any]], by: str | None, at: datetime
    ) -> Recorded:
        """What an action did on the platform, as events of `by` (each given as its type
        under `kind` and its fields), told to followers too."""
        state = self.incidents.get(incident_id)
        if state is None:
            raise NotFound(f"There is no incident {incident_id} in this queue.")
        made: list[e.AnyEvent] = []
        for fields in events:
            kind = fields.pop("kind")
            event = kind(incident=incident_id, at=at, version=state.version + 1, by=by, **fields)
            state = apply(state, event)
            made.append(event)
        self.incidents[incident_id] = state
        changes = self.keep(made)
        self.emit(Update(changes=changes))
        return Recorded(incident=state, changes=changes)


class PlatformBackend:
    """The part of the protocol every platform answers alike. A subclass says what the
    platform can do (`capabilities`, `why`), reads it (`read`) and acts on it (`carry_out`)."""

    kind = "platform"
    link = Link.ONLINE
    waiting = 0  # nothing ever waits: the platform is asked at once, or the action fails
    admin = None  # the platform escalates and keeps its own history
    capabilities: frozenset[Action] = frozenset()
    why: Mapping[Action, str] = {}
    poll_every = 5.0  # seconds between reads while the queue is followed

    def __init__(self) -> None:
        self.observed = ObservedQueue()
        self.notices: list[str] = []
        self.unreachable = False

    def offered(self, incident: Incident) -> frozenset[Action]:
        return allowed(incident) & self.capabilities

    def unavailable(self, action: Action) -> str:
        return self.why.get(action, f"{self.location} does not take the {action} action.")

    def take_notices(self) -> list[str]:
        taken, self.notices = self.notices, []
        return taken

    def notice(self, sentence: str) -> None:
        if self.observed.followers:
            self.observed.emit(Update(changes=[], notices=[sentence]))
        else:
            self.notices.append(sentence)

    # -- what a subclass provides -----------------------------------------------------------

    @property
    def location(self) -> str:
        raise NotImplementedError

    async def read(self, now: datetime) -> tuple[dict[str, Incident], Directory]:
        """Every incident to show, as the platform shows it now, and the directory."""
        raise NotImplementedError

    async def carry_out(self, command: AnyCommand, actor: str | None) -> Recorded:
        """Do `command` on the platform; what it did, recorded in `self.observed`."""
        raise NotImplementedError

    def clock(self) -> datetime:
        from datetime import UTC

        return datetime.now(UTC)

    # -- the protocol ---------------------------------------------------------------------

    async def open(self) -> Queue:
        fresh, directory = await self.read(self.clock())
        self.observed.observe(fresh, directory, self.clock())
        return self.observed.queue()

    async def refresh(self) -> Update | None:
        """Read the platform again (what changed since the last look, where it can say);
        what changed, for followers."""
        return await self.reread()

    async def reread(self) -> Update | None:
        """Read everything on the platform again; what changed, for followers."""
        fresh, directory = await self.read(self.clock())
        return self.observed.observe(fresh, directory, self.clock())

    async def full_refresh(self) -> Queue:
        """Everything read again now (see `FullRefresh`), told to followers."""
        update = await self.reread()
        if update is not None:
            self.observed.emit(update)
        return self.observed.queue()

    async def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Update]:
        """What changes on the platform, read every `poll_every` seconds (the console's
        `interval` is for stores that are cheap to ask), and what esctui's own actions did."""
        updates: asyncio.Queue[Update] = asyncio.Queue()
        self.observed.followers.append(updates)
        for sentence in self.take_notices():
            updates.put_nowait(Update(changes=[], notices=[sentence]))
        if after < self.observed.revision:  # the follower has not seen everything kept
            updates.put_nowait(Update(changes=[], queue=self.observed.queue()))
        poller = asyncio.create_task(self.poll())
        try:
            while True:
                yield await updates.get()
        finally:
            poller.cancel()
            self.observed.followers.remove(updates)

    async def settle(self) -> Update | None:
        """What the first read left for later, read once the queue is followed (so it is
        shown first); what it changed, for followers."""
        return None

    async def poll(self) -> None:
        await self.look(self.settle)
        while True:
            await asyncio.sleep(self.poll_every)
            await self.look(self.refresh)

    async def look(self, read: Callable[[], Awaitable[Update | None]]) -> None:
        """Read the platform again; what changed to followers, and whether it answers."""
        try:
            update = await read()
        except StoreError as failure:
            if not self.unreachable:
                self.unreachable = True
                self.notice(f"{failure} The queue shows what was last read.")
            return
        if self.unreachable:
            self.unreachable = False
            self.notice(f"{self.location} answers again.")
        if update is not None:
            self.observed.emit(update)

    async def execute(
        self,
        command: AnyCommand,
        *,
        actor: str | None,
        expected_version: int | None = None,
        queue_offline: bool = False,  # nothing waits: a platform is asked at once
        request_key: str | None = None,  # the platform's own calls are what they are
    ) -> Recorded:
        return await self.carry_out(await self.checked(command), actor)

    async def checked(self, command: AnyCommand) -> AnyCommand:
        """`command` if the platform can do it on its incident now (else `DomainError` with
        the rules' sentence or the platform's), naming the incident as the platform does."""
        action = action_of(command)
        if action is not None and action not in self.capabilities:
            raise DomainError(self.unavailable(action))
        incident_id = getattr(command, "incident", None)
        if incident_id is None:
            return command
        incident = await self.known(incident_id)
        if action is not None and action not in self.offered(incident):
            raise DomainError(refusal(incident, action, self.clock()) or self.unavailable(action))
        return msgspec.structs.replace(command, incident=incident.id)

    def find(self, incident_id: str) -> str | None:
        """The id of the incident `incident_id` names (a platform's ids are compared exactly
        unless its backend says otherwise)."""
        return incident_id if incident_id in self.observed.incidents else None

    async def known(self, incident_id: str) -> Incident:
        """The incident as last read; the queue is read first where it was never read."""
        if self.find(incident_id) is None:
            await self.open()
        found = self.find(incident_id)
        if found is None:
            raise NotFound(f"There is no incident {incident_id} in {self.location}.")
        return self.observed.incidents[found]
