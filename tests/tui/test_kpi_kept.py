"""The console's kept KPI facts: an incident that changed is read again at the next look, and
one that could not be read then (the store failed) is read at the look after, never left as it
was."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from acting import execute, local
from esctui.backends.base import StoreError
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain.cadence import cadence_book
from esctui.domain.models import Status
from esctui.domain.sla import sla_book
from esctui.stores.journal import JournalStore, create_store
from esctui.tui.kpi.kept import KeptFacts


def test_an_incident_whose_history_could_not_be_read_is_read_at_the_next_look(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    path = tmp_path / "store"
    directory, events = build_demo(40, seed=5, now=now)
    create_store(path, directory, events, now=now)

    async def scenario() -> tuple[float | None, float | None]:
        backend = local(path)
        queue = await backend.open()
        basis = (sla_book(queue.directory), cadence_book(queue.directory), queue.directory)
        kept = KeptFacts(backend, lambda: basis)
        await kept.current(now)
        target = next(
            i.id
            for i in queue.incidents.values()
            if i.status is Status.TRIGGERED and i.created_at >= now - timedelta(days=7)
        )
        before = kept.facts[target].tta
        execute(path, c.Acknowledge(incident=target), "alice")  # another process
        JournalStore(path).compact(timedelta(days=3650))  # a new snapshot, and timelines file
        await backend.open()  # as the console's follower does: it reads the store again
        kept.changed({target})
        [timelines] = path.glob("timelines-*.json")
        timelines.rename(tmp_path / "aside.json")
        with pytest.raises(StoreError):
            await kept.current(now)
        (tmp_path / "aside.json").rename(timelines)
        await kept.current(now)
        return before, kept.facts[target].tta

    before, after = asyncio.run(scenario())
    assert before is None
    assert after is not None, "the acknowledgement was never counted"
