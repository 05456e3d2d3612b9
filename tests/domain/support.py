"""A small team and a way to tell an incident's story through the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from esctui.domain import commands as c
from esctui.domain import lifecycle
from esctui.domain.events import AnyEvent
from esctui.domain.models import (
    Directory,
    EscalationLevel,
    EscalationPolicy,
    Incident,
    Responder,
    Rotation,
    Service,
    SlaTarget,
    Target,
)

T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PEOPLE = ("alice", "bob", "carol", "dave")


def team() -> Directory:
    return Directory(
        responders=tuple(Responder(name=n) for n in PEOPLE),
        rotations=(
            Rotation(
                name="day",
                members=("alice", "bob"),
                shift_hours=24,
                handoff_time="09:00",
                time_zone="Europe/Berlin",
                start_date="2026-01-05",
            ),
            Rotation(
                name="week",
                members=("carol", "dave"),
                shift_hours=168,
                handoff_time="00:00",
                time_zone="UTC",
                start_date="2026-01-05",
            ),
        ),
        policies=(
            EscalationPolicy(
                name="web",
                repeat=1,
                levels=(
                    EscalationLevel(
                        targets=(Target(kind="rotation", name="day"),), timeout_minutes=10
                    ),
                    EscalationLevel(
                        targets=(Target(kind="responder", name="carol"),), timeout_minutes=20
                    ),
                ),
            ),
            EscalationPolicy(
                name="db",
                acknowledge_timeout_minutes=120,
                levels=(
                    EscalationLevel(
                        targets=(Target(kind="rotation", name="week"),), timeout_minutes=15
                    ),
                    EscalationLevel(
                        targets=(
                            Target(kind="responder", name="alice"),
                            Target(kind="rotation", name="day"),
                        ),
                        timeout_minutes=15,
                    ),
                    EscalationLevel(
                        targets=(Target(kind="responder", name="dave"),), timeout_minutes=30
                    ),
                ),
            ),
        ),
        services=(
            Service(
                name="web",
                policy="web",
                sla={1: SlaTarget(acknowledge_minutes=2, resolve_minutes=60)},
            ),
            Service(name="db", policy="db"),
        ),
    )


class Story:
    """Commands applied in order at a moving time; keeps the events."""

    def __init__(self, directory: Directory | None = None, at: datetime = T0) -> None:
        self.directory = directory or team()
        self.at = at
        self.incident: Incident | None = None
        self.events: list[AnyEvent] = []

    def later(self, minutes: float) -> Story:
        self.at += timedelta(minutes=minutes)
        return self

    def do(self, command: c.AnyCommand, actor: str | None = "alice") -> list[AnyEvent]:
        ctx = lifecycle.Context(
            directory=self.directory,
            now=self.at,
            actor=actor,
            new_id="INC-1001",
            timeline=tuple(self.events),  # as a store gives it for an undo
        )
        produced = lifecycle.decide(self.incident, command, ctx)
        for event in produced:
            self.incident = lifecycle.apply(self.incident, event)
            self.events.append(event)
        return produced

    @property
    def state(self) -> Incident:
        assert self.incident is not None
        return self.incident


def triggered(service: str = "web", severity: int = 2, at: datetime = T0) -> Story:
    story = Story(at=at)
    story.do(c.Trigger(title="Checkout is down", service=service, severity=severity), None)
    return story


ID = "INC-1001"
