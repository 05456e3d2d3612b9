"""Intake: notifications from monitoring into incidents, over any store.

For one notification, in one transaction of the store: find the incident its integration and
key map to (held, so two notifications of one group take turns), record the escalations that
fell due for it first (as the incident service does for any command), let the rules of intake
judge it (`domain/intake.py`) and append what they make. Its changes are events like any
action's, with the same versions, so the console, the event streams and the metrics see them
as they see a responder's.

A repeat (the same again: a storm, a sender's retry) writes nothing at once: it is counted, and
the count is recorded with the next change of its incident, or as one line of its own once the
incident's last line from monitoring is `repeats_every` old (then or when `flush_repeats` runs,
on the server's timer). A storm of a thousand identical events costs one incident, a line a
minute and a counter; a process that stops loses the count of at most that minute, never an
alert. Heartbeats are checked by `check_heartbeats`, and quiet incidents whose maintenance
is over woken by `wake`, on the same timer.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import msgspec

from esctui.domain.alerts import Kind, Notification, Settings
from esctui.domain.intake import (
    HEARTBEAT,
    Situation,
    Verdict,
    heartbeat_beat,
    heartbeat_missed,
    judge,
    missed_since,
    record,
    woken_unprompted,
)
from esctui.domain.models import Incident
from esctui.service.incidents import Clock, IncidentService, fold, utc_now
from esctui.service.ports import (
    AlertIndex,
    AlertLookup,
    EventStore,
    IntegrationStore,
    Transaction,
)
from esctui.stores.records import IntegrationRecord, Recorded

REPEATS_EVERY = timedelta(minutes=1)


class Received(msgspec.Struct, frozen=True):
    """What a notification did (`verdict`), to which incident (None if it touched none), under
    which key; `recorded` is what was appended, if anything was."""

    verdict: Verdict
    key: str
    incident: str | None = None
    recorded: Recorded | None = None


class Repeats(msgspec.Struct):
    """Repeats counted for an incident and not recorded yet, with the last one's notification
    and its integration (to record them as they would have been)."""

    count: int
    notification: Notification
    integration: IntegrationRecord


class IntakeService:
    """Notifications in, changes out, over `store` and the integrations kept with it."""

    def __init__(
        self,
        store: EventStore,
        integrations: IntegrationStore,
        clock: Clock | None = None,
        *,
        repeats_every: timedelta = REPEATS_EVERY,
    ) -> None:
        self.store = store
        self.integrations = integrations
        self.clock = clock or utc_now
        self.incidents = IncidentService(store, self.clock)
        self.repeats_every = repeats_every
        # By incident id. A blocking store's calls run in several threads at once.
        self.repeats: dict[str, Repeats] = {}
        self.counting = threading.Lock()

    async def receive(self, integration: IntegrationRecord, notification: Notification) -> Received:
        """Record what `notification`, from `integration`, does (see the module)."""
        unchanged = await self.changes_nothing(integration, notification)
        if unchanged is not None:
            return unchanged
        situation = await self.situation(integration)
        async with self.store.transaction() as tx:
            incident = await held(tx, integration.name, notification.key)
            if incident is not None and incident.is_open:
                incident = await self.incidents.escalate_first(tx, incident, situation.now)
            verdict = judge(notification, incident, situation)
            if verdict is Verdict.IGNORE:
                return Received(verdict=verdict, key=notification.key)
            # The repeats counted for the incident are recorded with what it records now.
            same = incident if verdict not in (Verdict.OPEN, Verdict.ACKNOWLEDGE) else None
            counted = self.counted(same.id) if same is not None else 0
            if (
                verdict is Verdict.REPEAT
                and same is not None
                and not self.repeats_due(same, situation.now)
            ):
                self.count(same.id, notification, integration)
                return Received(verdict=verdict, key=notification.key, incident=same.id)
            new_id = await tx.next_id() if verdict is Verdict.OPEN else None
            events = record(
                verdict, notification, incident, situation, tx.directory,
                new_id=new_id, received=counted + 1,
            )  # fmt: skip
            changes = await tx.append(events)
        if same is not None:
            self.uncount(same.id, counted)
        recorded = Recorded(incident=fold(incident, changes), changes=changes)
        return Received(
            verdict=verdict,
            key=notification.key,
            incident=recorded.incident.id,
            recorded=recorded,
        )

    async def changes_nothing(
        self, integration: IntegrationRecord, notification: Notification
    ) -> Received | None:
        """What a notification that changes nothing did (a repeat counted, or ignored), seen
        without a transaction, as a storm's many repeats are best answered; None where it
        may change something, for `receive` to record in one.

        Whatever this reads was true as of now: a change under way elsewhere is after it."""
        if not isinstance(self.store, AlertLookup):
            return None
        incident = await self.store.alerted_now(integration.name, notification.key)
        if incident is not None and incident.quiet:
            return None  # its maintenance may be over: that is news
        now = self.clock()
        situation = Situation(
            integration=integration.name,
            service=integration.service,
            settings=integration.settings,
            now=now,
        )
        verdict = judge(notification, incident, situation)
        if verdict is Verdict.IGNORE:
            return Received(verdict=verdict, key=notification.key)
        if verdict is not Verdict.REPEAT or incident is None or self.repeats_due(incident, now):
            return None
        self.count(incident.id, notification, integration)
        return Received(verdict=verdict, key=notification.key, incident=incident.id)

    async def situation(self, integration: IntegrationRecord) -> Situation:
        now = self.clock()
        return Situation(
            integration=integration.name,
            service=integration.service,
            settings=integration.settings,
            now=now,
            maintenance=await self.in_maintenance(integration.service, now),
        )

    async def in_maintenance(self, service: str, now: datetime) -> bool:
        windows = await self.integrations.maintenance()
        return any(w.service == service and w.in_force(now) for w in windows)

    async def wake(self, incident_ids: list[str]) -> list[Received]:
        """Wake those of these quiet incidents whose maintenance is over and whose alerts
        still fire (see `woken_unprompted`), each in a transaction of its own."""
        woken = []
        for incident_id in incident_ids:
            async with self.store.transaction() as tx:
                incident = await tx.incident(incident_id)
                if incident is None or not incident.quiet or incident.alerts is None:
                    continue
                alerts, now = incident.alerts, self.clock()
                situation = Situation(
                    integration=alerts.integration,
                    service=incident.service,
                    settings=Settings(),
                    now=now,
                    maintenance=await self.in_maintenance(incident.service, now),
                )
                changes = await tx.append(woken_unprompted(incident, situation, tx.directory))
            if changes:
                recorded = Recorded(incident=fold(incident, changes), changes=changes)
                woken.append(Received(Verdict.UPDATE, alerts.key, incident_id, recorded))
        return woken

    # -- repeats ---------------------------------------------------------------------------

    def repeats_due(self, incident: Incident, now: datetime) -> bool:
        """Whether the incident's repeats are recorded now: its last line from monitoring is
        `repeats_every` old."""
        last = incident.alerts.last_at if incident.alerts is not None else None
        return last is None or now - last >= self.repeats_every

    def count(self, incident_id: str, n: Notification, integration: IntegrationRecord) -> None:
        with self.counting:
            before = self.repeats.get(incident_id)
            count = (before.count if before else 0) + 1
            self.repeats[incident_id] = Repeats(count, n, integration)

    def counted(self, incident_id: str) -> int:
        with self.counting:
            found = self.repeats.get(incident_id)
            return found.count if found else 0

    def uncount(self, incident_id: str, recorded: int) -> None:
        """`recorded` of the incident's repeats are on its timeline now."""
        with self.counting:
            found = self.repeats.get(incident_id)
            if found is None:
                return
            found.count -= recorded
            if found.count <= 0:
                del self.repeats[incident_id]

    async def flush_repeats(self) -> list[Received]:
        """Record the repeats whose incident's last line from monitoring is old enough."""
        with self.counting:
            waiting = list(self.repeats.items())
        done = []
        for incident_id, repeats in waiting:
            integration = repeats.integration
            situation = await self.situation(integration)
            async with self.store.transaction() as tx:
                incident = await tx.incident(incident_id)
                if incident is None or not self.repeats_due(incident, situation.now):
                    continue
                count = self.counted(incident_id)
                events = record(
                    Verdict.REPEAT, repeats.notification, incident, situation, tx.directory,
                    received=count,
                )  # fmt: skip
                changes = await tx.append(events)
            self.uncount(incident_id, count)
            recorded = Recorded(incident=fold(incident, changes), changes=changes)
            key = repeats.notification.key
            done.append(Received(Verdict.REPEAT, key, incident_id, recorded))
        return done

    # -- heartbeats ------------------------------------------------------------------------

    async def beat(self, integration: IntegrationRecord) -> Received:
        """The heartbeat `integration` beat now: kept, and its missed incident resolved."""
        now = self.clock()
        # The beat first: a process stopped between the two leaves an incident open that
        # the next beat resolves, never a miss without its incident.
        await self.integrations.beat(integration.name, now)
        return await self.receive(integration, heartbeat_beat(integration.name, now))

    async def check_heartbeats(self) -> list[Received]:
        """Open an incident for every heartbeat that missed its beat (once per miss)."""
        opened = []
        for integration in await self.integrations.integrations():
            every = integration.settings.every_seconds
            if integration.kind is not Kind.HEARTBEAT or not integration.active or not every:
                continue
            situation = await self.situation(integration)
            async with self.store.transaction() as tx:
                newest = await held(tx, integration.name, HEARTBEAT)
                # Read holding the heartbeat's incident: a beat resolving it waits for this.
                last = (await self.integrations.beats()).get(integration.name)
                last = max(last or integration.created_at, integration.created_at)
                due = missed_since(last, timedelta(seconds=every), newest, situation.now)
                if due is None:
                    continue
                n = heartbeat_missed(integration.name, due)
                verdict = judge(n, newest, situation)
                new_id = await tx.next_id() if verdict is Verdict.OPEN else None
                events = record(verdict, n, newest, situation, tx.directory, new_id=new_id)
                changes = await tx.append(events)
            recorded = Recorded(incident=fold(newest, changes), changes=changes)
            opened.append(Received(verdict, HEARTBEAT, recorded.incident.id, recorded))
        return opened


async def held(tx: Transaction, integration: str, key: str) -> Incident | None:
    """The incident `integration`'s alerts under `key` map to, held (see `AlertIndex`)."""
    if not isinstance(tx, AlertIndex):
        raise TypeError(f"{type(tx).__name__} cannot find the incidents of alerts")
    return await tx.alerted(integration, key)
