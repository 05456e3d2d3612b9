"""The demo store: four teams, their rotations and policies, and incidents in every state.

Pure: `now` and `seed` are arguments. Incidents are made by driving the real rules (every event
comes from `lifecycle.decide`), so the demo is legal by construction and exercises the same
paths a responder does.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import msgspec

from esctui.domain import commands as c
from esctui.domain import lifecycle
from esctui.domain.escalation import due, escalation_due_at
from esctui.domain.events import AnyEvent
from esctui.domain.models import (
    Channel,
    Direction,
    Directory,
    EscalationLevel,
    EscalationPolicy,
    Incident,
    Override,
    Responder,
    Rotation,
    Service,
    SlaTarget,
    Target,
    format_incident_id,
)

TEAMS: dict[str, tuple[str, str, int, list[tuple[str, str]]]] = {
    # team: (time zone, lead, shift hours, members as (handle, full name))
    "payments": (
        "Europe/Berlin",
        "carol",
        168,
        [
            ("alice", "Alice Adler"),
            ("bob", "Bob Brandt"),
            ("carol", "Carol Castro"),
            ("dmitri", "Dmitri Volkov"),
        ],
    ),
    "platform": (
        "America/New_York",
        "frank",
        24,
        [
            ("erin", "Erin Walsh"),
            ("frank", "Frank Osei"),
            ("grace", "Grace Kim"),
            ("hiro", "Hiro Tanaka"),
        ],
    ),
    "data": (
        "UTC",
        "ivan",
        168,
        [("ivan", "Ivan Petrov"), ("judy", "Judy Lindqvist"), ("kwame", "Kwame Mensah")],
    ),
    "edge": (
        "Asia/Singapore",
        "mei",
        168,
        [("lena", "Lena Fischer"), ("mei", "Mei Chen"), ("nora", "Nora Haddad")],
    ),
}
COMMANDERS = ("carol", "frank", "ivan", "mei")

SERVICES: dict[str, tuple[str, str]] = {
    "checkout": ("payments", "Customer checkout flow"),
    "billing": ("payments", "Invoices and subscriptions"),
    "payments-api": ("payments", "Card and wallet payments"),
    "api-gateway": ("platform", "Public API edge"),
    "kubernetes": ("platform", "Production clusters"),
    "auth": ("platform", "Login and tokens"),
    "kafka": ("data", "Event streaming"),
    "warehouse": ("data", "Analytics warehouse"),
    "search": ("data", "Product search"),
    "cdn": ("edge", "Static assets and caching"),
    "dns": ("edge", "Authoritative DNS"),
}

TITLES: dict[str, list[str]] = {
    "checkout": [
        "Checkout p99 latency above 2s in {region}",
        "Checkout error rate at {pct}% in {region}",
        "Cart service pods crash-looping in {region}",
    ],
    "billing": ["Invoice run stuck for {n} minutes", "Dunning emails not sent since {hh:02d}:00"],
    "payments-api": [
        "Card authorisations failing for {pct}% of attempts",
        "Payment provider timeouts above {n} per minute",
        "3-D Secure redirects returning 502",
    ],
    "api-gateway": [
        "5xx rate above {pct}% on api-gateway in {region}",
        "TLS certificate for api.example.com expires in {n} days",
    ],
    "kubernetes": [
        "Node pool {region}-b NotReady ({n} nodes)",
        "etcd leader elections flapping on prod-{region}",
        "PersistentVolume claims pending in namespace orders",
    ],
    "auth": ["Login latency p95 above {n}00ms", "Token refresh errors for mobile clients"],
    "kafka": [
        "Kafka consumer lag on orders-events > {n}00k",
        "Under-replicated partitions on broker-{n}",
    ],
    "warehouse": ["Nightly ETL late by {n} hours", "Warehouse disk usage at {pct}%"],
    "search": ["Search index freshness over {n} minutes", "Search p99 latency above 1s"],
    "cdn": ["Cache hit ratio dropped to {pct}% in {region}", "Origin shield 503s in {region}"],
    "dns": ["SERVFAIL spike on ns{n}.example.com", "Zone transfer failing to secondary"],
}
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1")
CUSTOMERS = (
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Retail",
    "Wayne Logistics",
    "Hooli",
)
NOTES = (
    "Looking into it now.",
    "Dashboards show the spike started right after the 02:40 deploy.",
    "Rolled back to the previous release; watching error rates.",
    "Upstream provider confirms degraded service on their side.",
    "Scaled the deployment from 6 to 12 replicas.",
    "Root cause: expired credentials on the batch worker. Rotated them.",
    "Paged the database team for a second pair of eyes.",
    "Error rate back under 0.1%; keeping it open for another 30 minutes.",
)
UPDATES_OUT = (
    "Acknowledged; our engineers are investigating.",
    "Mitigation in place; we are monitoring recovery.",
    "Resolved; a full report follows within two business days.",
)
UPDATES_IN = (
    "Customer reports failed payments at their storefront.",
    "Customer asks for an ETA on the fix.",
    "Customer confirms recovery on their side.",
)
HOSTILE_TITLE = "[bold red]Disk full[/] on \x1b[31mdb-7\x1b[0m \x07(markup and escapes)"


def demo_identity() -> str:
    """The responder the demo makes you: a lead and incident commander, holding incidents."""
    return "frank"


def build_directory(now: datetime) -> Directory:
    responders = [
        Responder(name=handle, full_name=full, email=f"{handle}@example.com", team=team)
        for team, (_, _, _, members) in TEAMS.items()
        for handle, full in members
    ]
    rotations = [
        Rotation(
            name=f"{team}-primary",
            members=tuple(h for h, _ in members),
            shift_hours=hours,
            handoff_time="09:00",
            time_zone=zone,
            start_date="2026-01-05",
        )
        for team, (zone, _, hours, members) in TEAMS.items()
    ]
    start = now.replace(minute=0, second=0, microsecond=0)
    rotations[0] = msgspec.structs.replace(
        rotations[0],
        overrides=(
            Override(
                responder="dmitri", start=start - timedelta(hours=2), end=start + timedelta(hours=6)
            ),
        ),
    )
    rotations.append(
        Rotation(
            name="incident-commanders",
            members=COMMANDERS,
            shift_hours=168,
            handoff_time="10:00",
            time_zone="UTC",
            start_date="2026-01-05",
        )
    )
    policies = [
        EscalationPolicy(
            name=team,
            repeat=1 if team == "payments" else 0,
            levels=(
                EscalationLevel(
                    targets=(Target(kind="rotation", name=f"{team}-primary"),), timeout_minutes=15
                ),
                EscalationLevel(targets=(Target(kind="responder", name=lead),), timeout_minutes=15),
                EscalationLevel(
                    targets=(Target(kind="rotation", name="incident-commanders"),),
                    timeout_minutes=30,
                ),
            ),
        )
        for team, (_, lead, _, _) in TEAMS.items()
    ]
    services = [
        Service(name=name, policy=team, description=description)
        for name, (team, description) in SERVICES.items()
    ]
    services[0] = Service(
        name="checkout",
        policy="payments",
        description=SERVICES["checkout"][1],
        sla={1: SlaTarget(acknowledge_minutes=3, resolve_minutes=120)},
    )
    return Directory(
        responders=tuple(responders),
        rotations=tuple(rotations),
        policies=tuple(policies),
        services=tuple(services),
    )


class Scenario:
    """One incident's story, told through the real rules."""

    def __init__(
        self, directory: Directory, rng: random.Random, events: list[AnyEvent], now: datetime
    ) -> None:
        self.directory = directory
        self.now = now
        self.rng = rng
        self.events = events
        self.incident: Incident | None = None
        self.at = datetime.min

    def act(self, command: c.AnyCommand, actor: str | None, new_id: str | None = None) -> None:
        """Do `command` at the story's time; a story that has reached the present stops."""
        if self.at > self.now:
            return
        ctx = lifecycle.Context(directory=self.directory, now=self.at, actor=actor, new_id=new_id)
        for event in lifecycle.decide(self.incident, command, ctx):
            self.incident = lifecycle.apply(self.incident, event)
            self.events.append(event)

    def wait(self, low: float, high: float) -> None:
        self.at += timedelta(minutes=self.rng.uniform(low, high))

    def escalate_until(self, until: datetime) -> None:
        """Let auto-escalation run, as the store would have, up to `until`."""
        while self.incident is not None:
            due_at = escalation_due_at(self.incident, self.directory)
            if due_at is None or due_at > until:
                return
            self.at = due_at
            for command in due([self.incident], self.directory, self.at):
                self.act(command, None)

    @property
    def holder(self) -> str:
        assert self.incident is not None
        return self.incident.assignee or demo_identity()

    @property
    def id(self) -> str:
        assert self.incident is not None
        return self.incident.id


def build_demo(
    incidents: int = 120, seed: int = 7, *, now: datetime
) -> tuple[Directory, list[AnyEvent]]:
    """The demo directory and the events of `incidents` incidents, oldest first."""
    rng = random.Random(seed)
    directory = build_directory(now)
    names = [r.name for r in directory.responders]
    events: list[AnyEvent] = []
    fates = (
        ["resolved"] * 70
        + ["acknowledged"] * 12
        + ["triggered"] * 8
        + ["snoozed"] * 4
        + ["reopened"] * 3
        + ["exhausted"] * 1
        + ["handed-off"] * 2
    )
    for number in range(1001, 1001 + incidents):
        first = number - 1001 < len(FIRST_FATES)
        fate = FIRST_FATES[number - 1001] if first else rng.choice(fates)
        story = Scenario(directory, rng, events, now)
        service = rng.choice(list(SERVICES))
        severity = rng.choices((1, 2, 3, 4), weights=(6, 18, 40, 36))[0]
        open_window = {"triggered": 0.5, "exhausted": 3.0}.get(fate, 10.0)
        hours_ago = (
            rng.uniform(0.05, open_window) if fate != "resolved" else rng.uniform(2, 30 * 24)
        )
        if fate in NEAR_BREACH:
            service, severity, minutes_ago = NEAR_BREACH[fate]
            hours_ago = minutes_ago / 60
        story.at = now - timedelta(hours=hours_ago)
        customer = rng.choice(CUSTOMERS) if rng.random() < 0.35 else ""
        title = (
            HOSTILE_TITLE
            if number == 1003
            else rng.choice(TITLES[service]).format(
                region=rng.choice(REGIONS),
                pct=rng.randint(2, 40),
                n=rng.randint(2, 9),
                hh=rng.randint(0, 23),
            )
        )
        labels = {
            "env": "prod",
            "region": rng.choice(REGIONS),
            "alertname": title.split()[0].lower(),
        }
        trigger = c.Trigger(
            title=title, service=service, severity=severity, customer=customer, labels=labels
        )
        story.act(
            trigger,
            None if rng.random() < 0.8 else rng.choice(names),
            new_id=format_incident_id(number),
        )
        tell(story, fate, customer, names, now)
    events.sort(key=lambda event: event.at)
    return directory, events


# The first few incidents cover every state, whatever the seed.
FIRST_FATES = [
    "near-acknowledge",
    "near-resolve",
    "triggered",
    "acknowledged",
    "snoozed",
    "reopened",
    "triggered",
    "exhausted",
    "handed-off",
    "resolved",
]


# Placed to be about to breach when the demo opens: (service, severity, minutes ago).
NEAR_BREACH = {
    "near-acknowledge": ("kafka", 2, 12.5),  # 15 min to acknowledge: 2.5 left
    "near-resolve": ("auth", 1, 200.0),  # 4 h to resolve: 40 min left
}


def tell(story: Scenario, fate: str, customer: str, names: list[str], now: datetime) -> None:
    rng = story.rng
    fate = {"near-acknowledge": "triggered", "near-resolve": "acknowledged"}.get(fate, fate)
    if fate == "triggered":
        story.escalate_until(now)
        return
    if fate == "exhausted":
        story.escalate_until(now)
        return
    story.wait(1, 14)
    if rng.random() < 0.2:
        story.wait(15, 40)
        story.escalate_until(min(story.at, now))
    story.act(c.Acknowledge(incident=story.id), story.holder)
    if customer:
        story.wait(2, 10)
        story.act(
            c.LogCommunication(
                incident=story.id,
                channel=rng.choice(list(Channel)),
                direction=Direction.OUTBOUND,
                counterpart=customer,
                summary=UPDATES_OUT[0],
            ),
            story.holder,
        )
    for _ in range(rng.randint(0, 3)):
        story.wait(3, 25)
        story.act(c.AddNote(incident=story.id, text=rng.choice(NOTES)), story.holder)
    if customer and rng.random() < 0.5:
        story.wait(3, 20)
        story.act(
            c.LogCommunication(
                incident=story.id,
                channel=Channel.EMAIL,
                direction=Direction.INBOUND,
                counterpart=customer,
                summary=rng.choice(UPDATES_IN),
            ),
            story.holder,
        )
    if fate == "handed-off" or rng.random() < 0.1:
        story.wait(5, 30)
        others = [n for n in names if n != story.holder]
        story.act(
            c.HandOff(
                incident=story.id,
                to=rng.choice(others),
                note="Handing over at the end of my shift.",
            ),
            story.holder,
        )
        story.wait(1, 5)
        story.act(c.Acknowledge(incident=story.id), story.holder)
    if rng.random() < 0.08:
        story.wait(2, 10)
        assert story.incident is not None
        if story.incident.level < 3:
            escalation = c.Escalate(incident=story.id, level=3, reason="Need a commander.")
        else:
            escalation = c.Escalate(incident=story.id, level=1, reason="Back to the team on call.")
        story.act(escalation, story.holder)
        story.wait(1, 5)
        story.act(c.Acknowledge(incident=story.id), story.holder)
    if fate == "snoozed":
        story.act(
            c.Snooze(incident=story.id, until=now + timedelta(minutes=rng.randint(20, 240))),
            story.holder,
        )
        return
    if fate in ("acknowledged", "handed-off"):
        return
    story.wait(10, 240)
    if customer:
        story.act(
            c.LogCommunication(
                incident=story.id,
                channel=Channel.STATUS_PAGE,
                direction=Direction.OUTBOUND,
                counterpart=customer,
                summary=UPDATES_OUT[2],
            ),
            story.holder,
        )
    story.act(c.Resolve(incident=story.id, note=rng.choice(NOTES[2:])), story.holder)
    if fate == "reopened":
        story.wait(5, 60)
        story.act(c.Reopen(incident=story.id, reason="Errors are back."), story.holder)
        story.wait(1, 4)
        story.act(c.Acknowledge(incident=story.id), story.holder)
    story.escalate_until(now)
