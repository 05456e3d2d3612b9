"""The rules of intake: what a notification from monitoring does to the incident its key maps to.

Given what arrived, the incident its integration and key map to (the newest one, open or
recently resolved; None if there is none) and the situation (the integration's settings, its
service, whether that service is in maintenance, the time), `judge` says what happens: open an
incident, add what changed to it, resolve or acknowledge it, reopen it (a group that fires
again soon after it resolved: flapping), count a repeat (the same again: a storm costs a
counter, not a line each), or nothing. `record` writes the verdict as events, each made by the
incident's own rules (`lifecycle.decide`) where a responder's command would make it, so an
integration's acknowledgement is an acknowledgement like any other.

Heartbeats speak the same way: a missed beat is a notification that fires, the next beat one
that resolves.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import msgspec

from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain import lifecycle
from esctui.domain.alerts import Action, Alert, Notification, OnResolve, Settings, digest
from esctui.domain.models import Directory, Incident, Status

replace = msgspec.structs.replace

HEARTBEAT = "heartbeat"  # the key a heartbeat's incidents are kept under


class Verdict(enum.StrEnum):
    """What a notification did, in the words the integrations' answers use."""

    OPEN = "opened"
    REOPEN = "reopened"
    UPDATE = "updated"
    RESOLVE = "resolved"
    ACKNOWLEDGE = "acknowledged"
    REPEAT = "repeated"  # nothing new: counted
    IGNORE = "ignored"  # about nothing open: dropped, as the Events API drops it


class Situation(msgspec.Struct, frozen=True):
    """What the rules look at besides the notification and the incident: the integration
    (its name, service and settings), the time, and whether the service is in maintenance."""

    integration: str
    service: str
    settings: Settings
    now: datetime
    maintenance: bool = False


class News(msgspec.Struct, frozen=True):
    """What a notification changes on an incident's alerts: the alerts that are news (began
    firing, changed, or stopped), the fingerprints that stopped firing, and those firing after."""

    alerts: tuple[Alert, ...]
    cleared: tuple[str, ...]
    firing: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.alerts or self.cleared)


def news(notification: Notification, incident: Incident | None) -> News:
    """What `notification` changes on the alerts of `incident` (all of it, if it is resolved
    or there is none). An alert it leaves out stops firing only if it tells of every alert."""
    state = incident.alerts if incident is not None and incident.is_open else None
    before = set(state.firing) if state is not None else set()
    told = {alert.fingerprint: alert for alert in notification.alerts}
    cleared = {fp for fp in before if fp in told and not told[fp].firing}
    if notification.complete:
        cleared |= before - set(told)
    firing = (before - cleared) | {fp for fp, alert in told.items() if alert.firing}
    fresh = tuple(
        alert
        for alert in notification.alerts
        if (alert.firing and alert.fingerprint not in before) or alert.fingerprint in cleared
    )
    changed = notification.digest and notification.digest != (state.digest if state else "")
    if not fresh and not cleared and state is not None and changed:
        fresh = notification.firing  # told again, with something changed: a summary
    if fresh or cleared:
        # Alerts it tells of as resolved that never fired here are kept with the news, though
        # alone they are none (a sender resends them until it forgets them).
        fresh += tuple(
            alert
            for alert in notification.alerts
            if not alert.firing and alert.fingerprint not in before
        )
    return News(alerts=fresh, cleared=tuple(sorted(cleared)), firing=tuple(sorted(firing)))


def judge(notification: Notification, incident: Incident | None, situation: Situation) -> Verdict:
    """What `notification` does to `incident`, the newest its key maps to (see the module)."""
    open_ = incident is not None and incident.is_open
    match notification.action:
        case Action.ACKNOWLEDGE:
            triggered = incident is not None and incident.status is Status.TRIGGERED
            return Verdict.ACKNOWLEDGE if triggered else Verdict.IGNORE
        case Action.RESOLVE:
            if not open_:
                return Verdict.IGNORE
            if situation.settings.on_resolve is OnResolve.NOTE:
                return Verdict.UPDATE if news(notification, incident) else Verdict.REPEAT
            return Verdict.RESOLVE
    if incident is None:
        return Verdict.OPEN
    if not open_:
        return Verdict.REOPEN if reopens(incident, situation) else Verdict.OPEN
    if wakes(incident, situation) or news(notification, incident):
        return Verdict.UPDATE
    return Verdict.REPEAT


def reopens(incident: Incident, situation: Situation) -> bool:
    """Whether a group firing again reopens its resolved incident (it resolved within the
    integration's window, and the service is not in maintenance: a reopening pages)."""
    within = situation.settings.reopen_within
    resolved = incident.resolved_at
    return (
        not situation.maintenance
        and within > timedelta(0)
        and resolved is not None
        and situation.now - resolved <= within
    )


def wakes(incident: Incident, situation: Situation) -> bool:
    """Whether a quiet incident's alerts firing now wake it: its maintenance is over."""
    return incident.quiet and not situation.maintenance


def woken_unprompted(
    incident: Incident, situation: Situation, directory: Directory
) -> list[e.AnyEvent]:
    """A quiet incident whose maintenance is over wakes, though monitoring has told nothing
    new (Alertmanager repeats itself only every few hours): if its alerts still fire, it pages
    whoever is on call now. The events; none where it stays as it is."""
    firing = incident.alerts is not None and bool(incident.alerts.firing)
    if not (incident.is_open and wakes(incident, situation) and firing):
        return []
    made = Made(incident, situation, directory, None)
    made.wake()
    return made.events


def record(
    verdict: Verdict,
    notification: Notification,
    incident: Incident | None,
    situation: Situation,
    directory: Directory,
    *,
    new_id: str | None = None,
    received: int = 1,
) -> list[e.AnyEvent]:
    """The events of `verdict` (`judge`'s), as the rules make them. `new_id` is the id of an
    incident it opens; `received` the notifications recorded (this one, and the repeats
    counted since the last one recorded). A repeat records the count alone."""
    made = Made(incident, situation, directory, new_id)
    n = notification
    integration = situation.integration
    match verdict:
        case Verdict.OPEN:
            command = c.Trigger(
                title=n.summary,
                service=situation.service,
                severity=n.severity(situation.settings),
                labels=n.labels,
            )
            made.decided(command, quiet=situation.maintenance)
            made.alerts(n, news(n, None), received)
        case Verdict.REOPEN:
            made.decided(
                c.Reopen(incident=made.id, reason="its alerts fire again"), via=integration
            )
            made.alerts(n, news(n, None), received)
        case Verdict.UPDATE:
            if made.state is not None and wakes(made.state, situation) and n.firing:
                made.wake()
            made.alerts(n, news(n, made.state), received)
        case Verdict.RESOLVE:
            made.alerts(n, news(n, made.state), received)
            made.decided(c.Resolve(incident=made.id, note=n.closing), via=integration)
        case Verdict.ACKNOWLEDGE:
            made.decided(c.Acknowledge(incident=made.id), via=integration)
        case Verdict.REPEAT:
            made.alerts(n, News(alerts=(), cleared=(), firing=made.firing()), received, raw=False)
    return made.events


class Made:
    """The events of one verdict, each folded into the incident before the next is made."""

    def __init__(
        self,
        incident: Incident | None,
        situation: Situation,
        directory: Directory,
        new_id: str | None,
    ) -> None:
        self.state = incident
        self.situation = situation
        self.context = lifecycle.Context(
            directory=directory, now=situation.now, actor=None, new_id=new_id
        )
        self.events: list[e.AnyEvent] = []

    @property
    def id(self) -> str:
        assert self.state is not None
        return self.state.id

    def firing(self) -> tuple[str, ...]:
        alerts = self.state.alerts if self.state is not None else None
        return alerts.firing if alerts is not None else ()

    def add(self, event: e.AnyEvent) -> None:
        self.events.append(event)
        self.state = lifecycle.apply(self.state, event)

    def head(self) -> dict[str, Any]:
        assert self.state is not None
        return {
            "incident": self.state.id,
            "at": self.situation.now,
            "version": self.state.version + 1,
            "by": None,
        }

    def decided(self, command: c.AnyCommand, **changes: Any) -> None:
        """The events the rules make of `command`, done by monitoring, with `changes`."""
        for event in lifecycle.decide(self.state, command, self.context):
            self.add(replace(event, **changes) if changes else event)

    def wake(self) -> None:
        assert self.state is not None
        service = self.state.service
        assignee = lifecycle.first_on_call(
            self.context.directory, service, self.state.level, self.situation.now
        )
        reason = f"the maintenance of {service} is over and its alerts still fire"
        self.add(e.Woken(**self.head(), assignee=assignee, reason=reason))

    def alerts(self, n: Notification, told: News, received: int, *, raw: bool = True) -> None:
        self.add(
            e.AlertsReceived(
                **self.head(),
                integration=self.situation.integration,
                key=n.key,
                summary=n.summary,
                alerts=told.alerts,
                cleared=told.cleared,
                firing=told.firing,
                labels=n.labels,
                links=n.links,
                received=received,
                digest=n.digest,
                raw=n.raw if raw else "",
            )
        )


# -- heartbeats -------------------------------------------------------------------------------


def missed_since(
    last: datetime, every: timedelta, newest: Incident | None, now: datetime
) -> datetime | None:
    """When the heartbeat last heard of at `last` was due, if it was missed and no incident
    was told of this miss yet (`newest` is the newest incident of the heartbeat); None
    otherwise."""
    due = last + every
    if now < due:
        return None
    told = newest.alerts.last_at if newest is not None and newest.alerts is not None else None
    if told is not None and told >= due:
        return None  # told already (and perhaps resolved by a responder since)
    return due


def heartbeat_missed(name: str, due: datetime) -> Notification:
    summary = f"heartbeat {name} missed since {due:%H:%M} UTC"
    alert = Alert(fingerprint=HEARTBEAT, firing=True, summary=summary, starts_at=due)
    return Notification(
        key=HEARTBEAT,
        action=Action.TRIGGER,
        summary=summary,
        alerts=(alert,),
        digest=digest(HEARTBEAT, due),
    )


def heartbeat_beat(name: str, at: datetime) -> Notification:
    summary = f"heartbeat {name} beat again at {at:%H:%M} UTC"
    return Notification(
        key=HEARTBEAT,
        action=Action.RESOLVE,
        summary=summary,
        alerts=(Alert(fingerprint=HEARTBEAT, firing=False, summary=summary),),
        digest=digest(HEARTBEAT, "beat"),
        closing="it beat again",
    )
