"""The demo store: four teams, their rotations and policies, and incidents in every state.

Pure: `now` and `seed` are arguments. Incidents are made by driving the real rules (every event
comes from `lifecycle.decide`), so the demo is legal by construction and exercises the same
paths a responder does. Ids follow the order the incidents were opened in, as in a real store.
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
)
from esctui.stores.ids import format_incident_id

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
CUSTOMER_FACING = {"checkout", "payments-api", "api-gateway", "auth", "search", "cdn"}
SERVICE_SLAS: dict[str, dict[int, SlaTarget]] = {
    "checkout": {1: SlaTarget(acknowledge_minutes=3, resolve_minutes=120)},
    "payments-api": {
        1: SlaTarget(acknowledge_minutes=3, resolve_minutes=90),
        2: SlaTarget(acknowledge_minutes=10, resolve_minutes=4 * 60),
    },
}

# service: [(alertname, title template)]
TITLES: dict[str, list[tuple[str, str]]] = {
    "checkout": [
        ("CheckoutLatencyHigh", "Checkout p99 latency above 2s in {region}"),
        ("CheckoutErrorRate", "Checkout error rate at {pct}% in {region}"),
        ("PodCrashLooping", "Cart service pods crash-looping in {region}"),
    ],
    "billing": [
        ("InvoiceRunStuck", "Invoice run stuck for {n}0 minutes"),
        ("DunningQueueStalled", "Dunning emails not sent since {hh:02d}:00 UTC"),
    ],
    "payments-api": [
        ("AuthorisationFailures", "Card authorisations failing for {pct}% of attempts"),
        ("ProviderTimeouts", "Payment provider timeouts above {n}0 per minute"),
        ("ThreeDSecure5xx", "3-D Secure redirects returning 502 in {region}"),
    ],
    "api-gateway": [
        ("Gateway5xxRate", "5xx rate above {pct}% on api-gateway in {region}"),
        ("CertificateExpiry", "TLS certificate for api.example.com expires in {n} days"),
    ],
    "kubernetes": [
        ("NodeNotReady", "Node pool {region}-b NotReady ({n} nodes)"),
        ("EtcdLeaderChanges", "etcd leader elections flapping on prod-{region}"),
        ("PVCPending", "PersistentVolume claims pending in namespace orders"),
    ],
    "auth": [
        ("LoginLatencyHigh", "Login latency p95 above {n}00ms in {region}"),
        ("TokenRefreshErrors", "Token refresh errors for mobile clients"),
    ],
    "kafka": [
        ("KafkaConsumerLag", "Kafka consumer lag on orders-events > {n}00k"),
        ("UnderReplicatedPartitions", "Under-replicated partitions on broker-{n}"),
    ],
    "warehouse": [
        ("EtlLate", "Nightly ETL late by {n} hours"),
        ("DiskUsageHigh", "Warehouse disk usage at {pct}%"),
    ],
    "search": [
        ("IndexFreshness", "Search index freshness over {n}0 minutes"),
        ("SearchLatencyHigh", "Search p99 latency above 1s in {region}"),
    ],
    "cdn": [
        ("CacheHitRatioLow", "Cache hit ratio dropped to {pct}% in {region}"),
        ("OriginShield503", "Origin shield 503s in {region}"),
    ],
    "dns": [
        ("ServfailSpike", "SERVFAIL spike on ns{n}.example.com"),
        ("ZoneTransferFailing", "Zone transfer failing to secondary"),
    ],
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
FIRST_UPDATE = "Acknowledged; our engineers are investigating."
LAST_UPDATE = "Resolved; a full report follows within two business days."
UPDATES_IN = (
    "Customer reports failed payments at their storefront.",
    "Customer asks for an ETA on the fix.",
    "Customer confirms recovery on their side.",
)
# A title that would restyle or drive the terminal if a face printed it as markup or raw bytes.
HOSTILE_TITLE = "[bold red]Disk full[/] on \x1b[31mdb-7\x1b[0m \x07(markup and escapes)"

# Share of each ending among the generated incidents: most are long resolved, as in a real queue.
FATES = (
    ["resolved"] * 70
    + ["acknowledged"] * 12
    + ["triggered"] * 8
    + ["snoozed"] * 4
    + ["reopened"] * 3
    + ["exhausted"] * 1
    + ["handed-off"] * 2
)


class Plan(msgspec.Struct, frozen=True):
    """What will happen to one incident, decided before ids are given out in opening order."""

    fate: str
    opened: datetime
    service: str
    severity: int
    title: str
    alertname: str
    region: str
    customer: str = ""
    hand_to: str | None = None


def demo_identity() -> str:
    """The responder the demo makes you: a lead and incident commander, holding incidents."""
    return "frank"


def build_directory(now: datetime) -> Directory:
    # Rotations start on a Monday three months back, so everyone has shifts behind them.
    first = (now - timedelta(days=90)).date()
    start_date = (first - timedelta(days=first.weekday())).isoformat()
    responders = [
        Responder(name=handle, full_name=full, email=f"{handle}@example.com", team=team)
        for team, (_, _, _, members) in TEAMS.items()
        for handle, full in members
    ]
    hour = now.replace(minute=0, second=0, microsecond=0)
    overrides = {
        # dmitri covers the current payments shift; grace takes the next platform night.
        "payments": (Override("dmitri", hour - timedelta(hours=2), hour + timedelta(hours=6)),),
        "platform": (Override("grace", hour + timedelta(hours=3), hour + timedelta(hours=15)),),
    }
    rotations = [
        Rotation(
            name=f"{team}-primary",
            members=tuple(handle for handle, _ in members),
            shift_hours=hours,
            handoff_time="09:00",
            time_zone=zone,
            start_date=start_date,
            overrides=overrides.get(team, ()),
        )
        for team, (zone, _, hours, members) in TEAMS.items()
    ]
    rotations.append(
        Rotation(
            name="incident-commanders",
            members=COMMANDERS,
            shift_hours=168,
            handoff_time="10:00",
            time_zone="UTC",
            start_date=start_date,
        )
    )
    policies = [
        EscalationPolicy(
            name=team,
            repeat=1 if team in ("payments", "platform") else 0,
            levels=(
                EscalationLevel((Target("rotation", f"{team}-primary"),), timeout_minutes=15),
                EscalationLevel((Target("responder", lead),), timeout_minutes=15),
                EscalationLevel((Target("rotation", "incident-commanders"),), timeout_minutes=30),
            ),
        )
        for team, (_, lead, _, _) in TEAMS.items()
    ]
    services = [
        Service(name=name, policy=team, description=text, sla=SERVICE_SLAS.get(name, {}))
        for name, (team, text) in SERVICES.items()
    ]
    return Directory(
        responders=tuple(responders),
        rotations=tuple(rotations),
        policies=tuple(policies),
        services=tuple(services),
    )


def build_demo(
    incidents: int = 120, seed: int = 7, *, now: datetime
) -> tuple[Directory, list[AnyEvent]]:
    """The demo directory and the events of `incidents` incidents, ordered by time.

    The first plans are fixed, so every state (and an incident about to breach, one breached,
    one with a hostile title) is there whatever the seed; the rest are drawn from `seed`.
    """
    rng = random.Random(seed)
    directory = build_directory(now)
    names = [r.name for r in directory.responders]
    fixed = fixed_plans(now)[:incidents]
    plans = fixed + [random_plan(rng, now) for _ in range(incidents - len(fixed))]
    plans.sort(key=lambda plan: plan.opened)
    events: list[AnyEvent] = []
    for number, plan in enumerate(plans, start=1001):
        story = Story(directory, rng, events, now, plan.opened)
        labels = {"env": "prod", "region": plan.region, "alertname": plan.alertname}
        trigger = c.Trigger(
            title=plan.title,
            service=plan.service,
            severity=plan.severity,
            customer=plan.customer,
            labels=labels,
        )
        # Most incidents come from alerts; a few are opened by hand.
        opener = None if rng.random() < 0.8 else rng.choice(names)
        story.act(trigger, opener, new_id=format_incident_id(number))
        tell(story, plan, names)
        story.escalate_until(now)
    events.sort(key=lambda event: event.at)
    return directory, events


def fixed_plans(now: datetime) -> list[Plan]:
    def ago(minutes: float) -> datetime:
        return now - timedelta(minutes=minutes)

    return [
        # The one every queue has: opened weeks ago, waiting on a vendor, long past its SLA.
        Plan("stale", ago(29.5 * 24 * 60), "warehouse", 4,
             "Warehouse disk usage at 86%; capacity order pending", "DiskUsageHigh", "eu-west-1"),
        # 2.5 minutes left to acknowledge (SEV2: 15 minutes).
        Plan("triggered", ago(12.5), "kafka", 2,
             "Kafka consumer lag on orders-events > 500k", "KafkaConsumerLag", "eu-central-1"),
        # 40 minutes left to resolve (SEV1: 4 hours).
        Plan("acknowledged", ago(200), "auth", 1,
             "Login latency p95 above 900ms in us-east-1", "LoginLatencyHigh", "us-east-1",
             customer="Globex"),
        # Timed out at level 1: now with the platform lead, who is you, and past its SLA.
        Plan("triggered", ago(21), "api-gateway", 2,
             "5xx rate above 12% on api-gateway in eu-west-1", "Gateway5xxRate", "eu-west-1"),
        Plan("triggered", ago(25), "billing", 3, HOSTILE_TITLE, "DiskFull", "eu-central-1"),
        Plan("handed-off", ago(150), "checkout", 3,
             "Checkout p99 latency above 2s in eu-west-1", "CheckoutLatencyHigh", "eu-west-1",
             customer="Acme Corp", hand_to=demo_identity()),
        # Nobody acknowledged it, but a snooze holds off the escalation until the rerun is done.
        Plan("parked", ago(7 * 60), "warehouse", 4,
             "Nightly ETL late by 3 hours", "EtlLate", "eu-west-1"),
        Plan("snoozed", ago(95), "cdn", 4,
             "Cache hit ratio dropped to 61% in ap-southeast-1", "CacheHitRatioLow",
             "ap-southeast-1"),
        Plan("reopened", ago(6 * 60), "payments-api", 2,
             "Card authorisations failing for 7% of attempts", "AuthorisationFailures",
             "us-west-2", customer="Stark Retail"),
        Plan("exhausted", ago(4 * 60), "dns", 3,
             "SERVFAIL spike on ns2.example.com", "ServfailSpike", "us-east-1"),
        Plan("commander", ago(70), "checkout", 1,
             "Checkout error rate at 34% in us-east-1", "CheckoutErrorRate", "us-east-1",
             customer="Umbrella Health"),
        Plan("resolved", ago(26 * 60), "search", 3,
             "Search p99 latency above 1s in eu-west-1", "SearchLatencyHigh", "eu-west-1",
             customer="Hooli"),
    ]  # fmt: skip


def random_plan(rng: random.Random, now: datetime) -> Plan:
    fate = rng.choice(FATES)
    if fate == "resolved":
        hours_ago = rng.uniform(2, 29 * 24)
    elif fate == "triggered":
        hours_ago = rng.uniform(0.05, 0.5)
    elif fate == "exhausted":
        hours_ago = rng.uniform(2.5, 6)  # past every level and repeat of any policy
    else:
        hours_ago = rng.uniform(0.1, 10)
    service = rng.choice(list(SERVICES))
    alertname, template = rng.choice(TITLES[service])
    region = rng.choice(REGIONS)
    title = template.format(
        region=region, pct=rng.randint(2, 40), n=rng.randint(2, 9), hh=rng.randint(0, 23)
    )
    facing = service in CUSTOMER_FACING
    customer = rng.choice(CUSTOMERS) if rng.random() < (0.6 if facing else 0.1) else ""
    return Plan(
        fate=fate,
        opened=now - timedelta(hours=hours_ago),
        service=service,
        severity=rng.choices((1, 2, 3, 4), weights=(5, 17, 42, 36))[0],
        title=title,
        alertname=alertname,
        region=region,
        customer=customer,
    )


class Story:
    """One incident's life, told through the real rules at the story's own clock."""

    def __init__(
        self,
        directory: Directory,
        rng: random.Random,
        events: list[AnyEvent],
        now: datetime,
        at: datetime,
    ) -> None:
        self.directory = directory
        self.rng = rng
        self.events = events
        self.now = now
        self.at = at
        self.incident: Incident | None = None

    def act(self, command: c.AnyCommand, actor: str | None, new_id: str | None = None) -> None:
        """Do `command` at the story's time; what would happen after `now` has not happened."""
        if self.at > self.now:
            return
        ctx = lifecycle.Context(directory=self.directory, now=self.at, actor=actor, new_id=new_id)
        for event in lifecycle.decide(self.incident, command, ctx):
            self.incident = lifecycle.apply(self.incident, event)
            self.events.append(event)

    def wait(self, low: float, high: float) -> None:
        """Let `low` to `high` minutes pass."""
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

    def note(self, text: str) -> None:
        self.act(c.AddNote(incident=self.id, text=text), self.holder)

    def tell_customer(self, customer: str, channel: Channel, summary: str) -> None:
        self.act(
            c.LogCommunication(
                incident=self.id,
                channel=channel,
                direction=Direction.OUTBOUND,
                counterpart=customer,
                summary=summary,
            ),
            self.holder,
        )

    def hear_from(self, customer: str) -> None:
        self.act(
            c.LogCommunication(
                incident=self.id,
                channel=self.rng.choice((Channel.PHONE, Channel.EMAIL, Channel.CHAT)),
                direction=Direction.INBOUND,
                counterpart=customer,
                summary=self.rng.choice(UPDATES_IN),
            ),
            self.holder,
        )

    def acknowledge(self) -> None:
        self.act(c.Acknowledge(incident=self.id), self.holder)

    def resolve(self) -> None:
        self.act(c.Resolve(incident=self.id, note=self.rng.choice(NOTES[2:])), self.holder)


def tell(story: Story, plan: Plan, names: list[str]) -> None:
    """Play `plan`'s fate: acknowledge, talk, hand off, escalate, snooze, resolve, reopen."""
    rng, fate, customer = story.rng, plan.fate, plan.customer
    if fate in ("triggered", "exhausted"):
        return  # nobody answers; `build_demo` lets the timeouts run
    if fate == "stale":
        tell_stale(story)
        return
    if fate == "parked":
        story.wait(3, 10)
        story.note("Upstream export is late again; the rerun takes about nine hours.")
        until = story.now + timedelta(minutes=rng.randint(120, 180))
        story.act(c.Snooze(incident=story.id, until=until), story.holder)
        return
    story.wait(1, 14)
    if rng.random() < 0.2:  # nobody answered the first page in time
        story.wait(15, 40)
        story.escalate_until(min(story.at, story.now))
        story.wait(1, 10)
    story.acknowledge()
    if customer:
        story.wait(2, 10)
        channel = rng.choice((Channel.STATUS_PAGE, Channel.EMAIL, Channel.CHAT, Channel.PHONE))
        story.tell_customer(customer, channel, FIRST_UPDATE)
    for _ in range(rng.randint(0, 3)):
        story.wait(3, 25)
        story.note(rng.choice(NOTES))
    if customer and rng.random() < 0.5:
        story.wait(3, 20)
        story.hear_from(customer)
    if fate == "handed-off" or rng.random() < 0.1:
        story.wait(5, 30)
        to = plan.hand_to or rng.choice([n for n in names if n != story.holder])
        if to != story.holder:
            note = "Handing over at the end of my shift."
            story.act(c.HandOff(incident=story.id, to=to, note=note), story.holder)
            story.wait(1, 5)
            story.acknowledge()
    if fate == "commander" or rng.random() < 0.08:
        story.wait(2, 10)
        assert story.incident is not None
        if story.incident.level < 3:
            escalation = c.Escalate(incident=story.id, level=3, reason="Need a commander.")
        else:
            escalation = c.Escalate(incident=story.id, level=1, reason="Back to the team on call.")
        story.act(escalation, story.holder)
        story.wait(1, 5)
        story.acknowledge()
    if fate == "snoozed":
        until = story.now + timedelta(minutes=rng.randint(20, 240))
        story.act(c.Snooze(incident=story.id, until=until), story.holder)
        return
    if fate in ("acknowledged", "handed-off", "commander"):
        if customer:
            story.wait(5, 20)
            story.tell_customer(customer, Channel.STATUS_PAGE, "Mitigation in progress.")
        return
    story.wait(10, 240)
    if customer:
        story.tell_customer(customer, Channel.STATUS_PAGE, LAST_UPDATE)
    story.resolve()
    if fate == "reopened" or rng.random() < 0.03:
        story.wait(5, 60)
        story.act(c.Reopen(incident=story.id, reason="Errors are back."), story.holder)
        story.wait(1, 4)
        story.acknowledge()
        if fate != "reopened":  # a regression fixed for good this time
            story.wait(10, 90)
            story.resolve()


def tell_stale(story: Story) -> None:
    story.wait(5, 30)
    story.acknowledge()
    story.wait(60, 120)
    story.note("Cleaned up old partitions; usage down to 81%, still growing 1% a day.")
    story.wait(24 * 60, 26 * 60)
    story.note("Capacity order placed with the vendor; delivery expected in three weeks.")
    story.wait(20 * 24 * 60, 22 * 24 * 60)
    story.note("Usage at 86%. Vendor confirms delivery next week; keeping this open until then.")
