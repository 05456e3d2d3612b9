from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from acting import execute
from esctui.domain import commands as c
from esctui.domain.models import (
    Directory,
    EscalationLevel,
    EscalationPolicy,
    Responder,
    Rotation,
    Service,
    Target,
)
from esctui.stores.journal import JournalStore, create_store

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def team() -> Directory:
    people = ("alice", "bob", "carol", "dave")
    return Directory(
        responders=tuple(Responder(name) for name in people),
        rotations=(Rotation(name="primary", members=people, shift_hours=24),),
        policies=(
            EscalationPolicy(
                name="default",
                levels=(
                    EscalationLevel(
                        targets=(Target(kind="rotation", name="primary"),), timeout_minutes=10
                    ),
                    EscalationLevel(
                        targets=(Target(kind="responder", name="carol"),), timeout_minutes=10
                    ),
                ),
            ),
        ),
        services=(Service(name="api", policy="default"), Service(name="db", policy="default")),
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store holding three triggered incidents, INC-1001 to INC-1003."""
    path = tmp_path / "store"
    create_store(path, team(), [], now=NOW)
    store = JournalStore(path)
    for n in range(3):
        execute(store, c.Trigger(title=f"incident {n}", service="api", severity=2), "alice")
    return path
