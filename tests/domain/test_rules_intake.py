"""The rules of intake: what a notification does to the incident its key maps to."""

from __future__ import annotations

from datetime import timedelta

from alert_bodies import am_alert, am_body, pd_body
from domain.support import T0, team
from esctui.domain import events as e
from esctui.domain import lifecycle
from esctui.domain.alert_formats import read_event, read_webhook
from esctui.domain.alerts import Notification, OnResolve, Settings
from esctui.domain.escalation import escalation_due_at
from esctui.domain.intake import (
    Situation,
    Verdict,
    heartbeat_beat,
    heartbeat_missed,
    judge,
    missed_since,
    record,
    woken_unprompted,
)
from esctui.domain.models import Incident, Status
from esctui.domain.sla import sla_book
from esctui.wording import describe

KEY = "k" * 32


class Intake:
    """Notifications applied in order to the incident their key maps to, at a moving time."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.now = T0
        self.incident: Incident | None = None
        self.events: list[e.AnyEvent] = []
        self.numbers = 1000
        self.maintenance = False

    def situation(self) -> Situation:
        return Situation(
            integration="prom",
            service="db",
            settings=self.settings,
            now=self.now,
            maintenance=self.maintenance,
        )

    def send(self, n: Notification, received: int = 1) -> tuple[Verdict, list[e.AnyEvent]]:
        situation = self.situation()
        verdict = judge(n, self.incident, situation)
        new_id = None
        if verdict is Verdict.OPEN:
            self.numbers += 1
            new_id = f"INC-{self.numbers}"
            self.incident, self.events = None, []
        if verdict in (Verdict.IGNORE, Verdict.REPEAT) and received == 1:
            return verdict, []
        made = record(
            verdict, n, self.incident, situation, team(), new_id=new_id, received=received
        )
        for event in made:
            self.incident = lifecycle.apply(self.incident, event)
        self.events += made
        return verdict, made

    def later(self, minutes: float) -> Intake:
        self.now += timedelta(minutes=minutes)
        return self

    @property
    def state(self) -> Incident:
        assert self.incident is not None
        return self.incident


def webhook(*alerts: dict[str, object], summary: str = "") -> Notification:
    return read_webhook(am_body(list(alerts), summary=summary))


def test_a_firing_group_opens_one_incident_with_its_alerts() -> None:
    intake = Intake()
    verdict, made = intake.send(webhook(am_alert("Disk", instance="a"), summary="Disks full"))
    assert verdict is Verdict.OPEN
    triggered, received = made
    assert isinstance(triggered, e.Triggered) and isinstance(received, e.AlertsReceived)
    assert (triggered.title, triggered.service, triggered.severity) == ("Disks full", "db", 1)
    assert triggered.by is None and triggered.assignee is not None
    assert triggered.labels == {"alertname": "DiskFull", "severity": "critical"}
    state = intake.state
    assert state.alerts is not None
    assert (state.alerts.integration, state.alerts.firing) == ("prom", ("Disk-a",))
    assert state.alerts.received == 1
    assert describe(received, T0.tzinfo) == "alerts from prom: 1 firing: Disks full"  # type: ignore[arg-type]


def test_more_alerts_in_the_group_add_to_it_and_the_same_again_is_a_repeat() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk", instance="a")))
    verdict, made = intake.later(1).send(
        webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b"))
    )
    assert verdict is Verdict.UPDATE
    (received,) = made
    assert isinstance(received, e.AlertsReceived)
    assert [a.fingerprint for a in received.alerts] == ["Disk-b"]
    assert received.firing == ("Disk-a", "Disk-b")
    again = webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b"))
    assert intake.later(1).send(again) == (Verdict.REPEAT, [])


def test_an_alert_cleared_within_a_group_is_noted_and_the_group_stays_open() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b")))
    verdict, (received,) = intake.send(
        webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b", firing=False))
    )
    assert verdict is Verdict.UPDATE
    assert isinstance(received, e.AlertsReceived)
    assert received.cleared == ("Disk-b",)
    assert received.firing == ("Disk-a",)
    assert intake.state.status is Status.TRIGGERED
    text = describe(received, T0.tzinfo)  # type: ignore[arg-type]
    assert text.startswith("alerts from prom: 1 cleared; 1 firing in all")


def test_an_alert_left_out_clears_only_when_the_notification_tells_of_every_alert() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b")))
    truncated = read_webhook(am_body([am_alert("Disk", instance="a")], truncated=1))
    assert intake.send(truncated)[0] is Verdict.REPEAT
    verdict, (received,) = intake.send(webhook(am_alert("Disk", instance="a")))
    assert isinstance(received, e.AlertsReceived)
    assert (verdict, received.cleared) == (Verdict.UPDATE, ("Disk-b",))


def test_a_resolved_group_resolves_its_incident_by_the_integration() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk")))
    verdict, (received, resolved) = intake.later(5).send(webhook(am_alert("Disk", firing=False)))
    assert verdict is Verdict.RESOLVE
    assert isinstance(received, e.AlertsReceived) and received.cleared == ("Disk-db-1",)
    assert isinstance(resolved, e.Resolved)
    assert (resolved.by, resolved.via, resolved.note) == (None, "prom", "all alerts cleared")
    assert intake.state.resolved_by == "prom"
    assert describe(resolved, T0.tzinfo) == "resolved by prom: all alerts cleared"  # type: ignore[arg-type]
    # Sent again (a retry): nothing is open, nothing changes.
    assert intake.send(webhook(am_alert("Disk", firing=False)))[0] is Verdict.IGNORE


def test_an_integration_that_only_notes_the_all_clear_leaves_it_open() -> None:
    intake = Intake(Settings(on_resolve=OnResolve.NOTE))
    intake.send(webhook(am_alert("Disk")))
    verdict, made = intake.send(webhook(am_alert("Disk", firing=False)))
    assert verdict is Verdict.UPDATE
    assert [type(event) for event in made] == [e.AlertsReceived]
    assert intake.state.status is Status.TRIGGERED
    assert intake.send(webhook(am_alert("Disk", firing=False)))[0] is Verdict.REPEAT


def test_a_group_that_fires_again_soon_after_it_resolved_reopens_its_incident() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk")))
    first = intake.state.id
    intake.later(2).send(webhook(am_alert("Disk", firing=False)))
    verdict, (reopened, received) = intake.later(29).send(webhook(am_alert("Disk")))
    assert verdict is Verdict.REOPEN
    assert isinstance(reopened, e.Reopened) and reopened.via == "prom"
    assert isinstance(received, e.AlertsReceived) and received.firing == ("Disk-db-1",)
    assert intake.state.id == first and intake.state.status is Status.TRIGGERED


def test_a_group_that_fires_again_after_the_window_opens_another() -> None:
    intake = Intake(Settings(reopen_within_seconds=600))
    intake.send(webhook(am_alert("Disk")))
    first = intake.state.id
    intake.send(webhook(am_alert("Disk", firing=False)))
    assert intake.later(11).send(webhook(am_alert("Disk")))[0] is Verdict.OPEN
    assert intake.state.id != first


def test_during_maintenance_an_alert_opens_a_quiet_incident_that_never_escalates() -> None:
    intake = Intake()
    intake.maintenance = True
    verdict, (triggered, _) = intake.send(webhook(am_alert("Disk")))
    assert verdict is Verdict.OPEN
    assert isinstance(triggered, e.Triggered) and triggered.quiet
    quiet = intake.state
    assert quiet.quiet
    assert escalation_due_at(quiet, team()) is None
    assert sla_book(team()).deadline(quiet) is None
    assert "quiet" in describe(triggered, T0.tzinfo)  # type: ignore[arg-type]
    # The same again during the maintenance: a repeat; once it is over, it wakes.
    assert intake.later(5).send(webhook(am_alert("Disk")))[0] is Verdict.REPEAT
    intake.maintenance = False
    verdict, (woken, _) = intake.later(5).send(webhook(am_alert("Disk")))
    assert verdict is Verdict.UPDATE
    assert isinstance(woken, e.Woken) and woken.assignee is not None
    loud = intake.state
    assert not loud.quiet and loud.level_since == intake.now
    assert escalation_due_at(loud, team()) is not None


def test_a_quiet_incident_wakes_unprompted_once_the_maintenance_is_over_if_alerts_fire() -> None:
    intake = Intake(Settings(on_resolve=OnResolve.NOTE))
    intake.maintenance = True
    intake.send(webhook(am_alert("Disk"), am_alert("Disk", instance="db-2")))
    assert woken_unprompted(intake.state, intake.situation(), team()) == []  # still in it
    intake.maintenance = False
    (woken,) = woken_unprompted(intake.state, intake.later(5).situation(), team())
    assert isinstance(woken, e.Woken) and woken.by is None and woken.assignee is not None
    assert woken.version == intake.state.version + 1 and woken.at == intake.now
    # Its alerts all cleared during the maintenance (noted, left open): nothing to page for.
    intake.maintenance = True
    intake.send(webhook(am_alert("Disk", firing=False), am_alert("Disk", instance="db-2")))
    intake.send(webhook(am_alert("Disk", instance="db-2", firing=False)))
    assert intake.state.is_open and intake.state.quiet
    intake.maintenance = False
    assert woken_unprompted(intake.state, intake.later(5).situation(), team()) == []


def test_a_group_firing_again_during_maintenance_opens_a_quiet_incident_instead_of_paging() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk")))
    first = intake.state.id
    intake.send(webhook(am_alert("Disk", firing=False)))
    intake.maintenance = True
    assert intake.later(1).send(webhook(am_alert("Disk")))[0] is Verdict.OPEN
    assert intake.state.id != first and intake.state.quiet


def test_an_events_api_acknowledge_is_the_integrations_and_keeps_the_holder() -> None:
    intake = Intake()
    _, trigger = read_event(pd_body(KEY), "new")
    intake.send(trigger)
    holder = intake.state.assignee
    _, ack = read_event(pd_body(KEY, "acknowledge"), "new")
    verdict, (acknowledged,) = intake.send(ack)
    assert verdict is Verdict.ACKNOWLEDGE
    assert isinstance(acknowledged, e.Acknowledged)
    assert (acknowledged.by, acknowledged.via) == (None, "prom")
    state = intake.state
    assert (state.status, state.acknowledged_by, state.assignee) == (
        Status.ACKNOWLEDGED,
        "prom",
        holder,
    )
    assert describe(acknowledged, T0.tzinfo) == "acknowledged by prom"  # type: ignore[arg-type]
    assert intake.send(ack)[0] is Verdict.IGNORE  # acknowledged already


def test_an_events_api_trigger_with_a_new_summary_is_recorded_and_the_same_one_counted() -> None:
    intake = Intake()
    intake.send(read_event(pd_body(KEY), "new")[1])
    assert intake.send(read_event(pd_body(KEY), "new")[1])[0] is Verdict.REPEAT
    verdict, (received,) = intake.send(read_event(pd_body(KEY, summary="Worse"), "new")[1])
    assert verdict is Verdict.UPDATE
    assert isinstance(received, e.AlertsReceived) and received.summary == "Worse"


def test_a_resolve_or_acknowledge_about_nothing_open_is_dropped() -> None:
    intake = Intake()
    for action in ("resolve", "acknowledge"):
        assert intake.send(read_event(pd_body(KEY, action), "new")[1])[0] is Verdict.IGNORE
    assert intake.incident is None


def test_repeats_are_recorded_as_one_count() -> None:
    intake = Intake()
    n = read_event(pd_body(KEY), "new")[1]
    intake.send(n)
    verdict, (counted,) = intake.send(n, received=999)
    assert verdict is Verdict.REPEAT
    assert isinstance(counted, e.AlertsReceived)
    assert (counted.received, counted.alerts, counted.raw) == (999, (), "")
    assert intake.state.alerts is not None and intake.state.alerts.received == 1000
    text = describe(counted, T0.tzinfo)  # type: ignore[arg-type]
    assert text == "alerts from prom: the same again (999 notifications): Disk full on db-1"


def test_alerts_seen_tells_each_alert_with_its_state_and_times() -> None:
    intake = Intake()
    intake.send(webhook(am_alert("Disk", instance="a")))
    intake.later(1).send(webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b")))
    intake.later(1).send(webhook(am_alert("Disk", instance="b")))
    seen = {s.alert.fingerprint: s for s in e.alerts_seen(intake.events)}
    assert seen["Disk-a"].firing is False and seen["Disk-b"].firing is True
    assert seen["Disk-a"].first_at == T0
    assert seen["Disk-b"].first_at == T0 + timedelta(minutes=1)
    assert seen["Disk-a"].last_at == T0 + timedelta(minutes=2)


def test_a_heartbeat_missed_opens_once_per_miss_and_a_beat_resolves() -> None:
    every = timedelta(minutes=5)
    assert missed_since(T0, every, None, T0 + timedelta(minutes=4)) is None
    due = T0 + every
    assert missed_since(T0, every, None, T0 + timedelta(minutes=6)) == due
    intake = Intake()
    intake.later(6)
    verdict, (triggered, _) = intake.send(heartbeat_missed("backup", due))
    assert verdict is Verdict.OPEN
    assert isinstance(triggered, e.Triggered)
    assert triggered.title == "heartbeat backup missed since 03:05 UTC"
    assert missed_since(T0, every, intake.state, intake.now + every) is None
    verdict, made = intake.later(1).send(heartbeat_beat("backup", intake.now))
    assert verdict is Verdict.RESOLVE
    assert isinstance(made[-1], e.Resolved) and made[-1].note == "it beat again"


def test_an_alert_told_as_resolved_is_kept_with_the_news_and_alone_is_no_news() -> None:
    intake = Intake()
    first = webhook(am_alert("Disk", instance="a"), am_alert("Disk", instance="b", firing=False))
    _, (_, received) = intake.send(first)
    assert isinstance(received, e.AlertsReceived)
    assert [(a.fingerprint, a.firing) for a in received.alerts] == [
        ("Disk-a", True),
        ("Disk-b", False),
    ]
    assert received.firing == ("Disk-a",)
    # Told again (a retry, or the sender not having forgotten it yet): nothing new.
    assert intake.send(first)[0] is Verdict.REPEAT
