"""The facts of the last 30 days' incidents, kept by the console so that its KPI screen only
adds them up (`domain.metrics.summarize`): the same numbers as `esctui metrics`, without reading
every timeline again each time the screen opens.

They are read once: soon after the queue opens where the backend reads its own store, else when
the KPI screen first opens (over a server or a platform, reading every timeline costs others:
the server sends megabytes, a platform counts requests). An incident that changes afterwards
is read again (its history) when the screen next opens; so many changes that reading them one
by one would cost more, or a queue read afresh (a new directory may bring new SLA targets,
update intervals or time zones), have the whole period read again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo

from esctui.backends.base import Backend, IncidentHistory
from esctui.domain.cadence import CadenceBook
from esctui.domain.errors import NotFound
from esctui.domain.incident_facts import Facts, incident_facts, responder_zones
from esctui.domain.models import Directory
from esctui.domain.sla import SlaBook

LONGEST = timedelta(days=30)  # the KPI screen's longest period
SLICE = 200  # incidents worked out between two looks at the console's keys (about 10 ms)
READ_ALL_AGAIN = 300  # more incidents changed than this: the whole period is read again
# Backends that read their own store: their history is read ahead, in the background.
READ_AHEAD = frozenset({"journal", "postgres"})

Basis = tuple[SlaBook, CadenceBook, Directory]


class KeptFacts:
    """Each incident's `Facts` by id, as of the SLA targets, update intervals and time zones
    `basis()` gives (the live queue's: a queue read afresh gives new ones)."""

    def __init__(self, backend: Backend, basis: Callable[[], Basis]) -> None:
        self.backend = backend
        self.basis = basis
        self.facts: dict[str, Facts] = {}
        self.read_with: Basis | None = None
        self.stale: set[str] = set()
        self.lock = asyncio.Lock()

    @property
    def reads_ahead(self) -> bool:
        return self.backend.kind in READ_AHEAD

    def changed(self, ids: Iterable[str]) -> None:
        """Incidents changed since: read again at the next look."""
        self.stale.update(ids)

    async def current(self, now: datetime) -> list[Facts]:
        """The facts of every incident of the last 30 days, brought up to date; `StoreError`
        (and the rest of what a backend raises) if they cannot be read."""
        async with self.lock:
            basis = self.basis()
            same = self.read_with is not None and all(
                kept is given for kept, given in zip(self.read_with, basis, strict=True)
            )
            if not same or len(self.stale) > READ_ALL_AGAIN:
                await self.read_all(now, basis)
            else:
                await self.read_changed(basis)
            return list(self.facts.values())

    @contextlib.contextmanager
    def taking_stale(self) -> Iterator[set[str]]:
        """The incidents marked changed, taken to be read; marked again if reading fails
        (what changes meanwhile is marked anew, and read at the next look)."""
        stale, self.stale = self.stale, set()
        try:
            yield stale
        except BaseException:
            self.stale |= stale
            raise

    async def read_all(self, now: datetime, basis: Basis) -> None:
        with self.taking_stale():
            histories = await self.backend.histories(now - LONGEST)
        # Worked out a slice at a time, the console answering keys between slices (and
        # quitting at once: work in a thread would hold the process until it ended).
        zones = responder_zones(basis[2])
        facts: dict[str, Facts] = {}
        for start in range(0, len(histories), SLICE):
            facts.update(work_out(histories[start : start + SLICE], basis, zones))
            await asyncio.sleep(0)
        self.facts = facts
        self.read_with = basis

    async def read_changed(self, basis: Basis) -> None:
        found = []
        with self.taking_stale() as stale:
            for incident_id in sorted(stale):
                try:
                    found.append(await self.backend.history(incident_id))
                except NotFound:
                    self.facts.pop(incident_id, None)
        self.facts.update(work_out(found, basis, responder_zones(basis[2])))


def work_out(
    histories: list[IncidentHistory], basis: Basis, zones: Mapping[str, tzinfo]
) -> dict[str, Facts]:
    book, cadence, _ = basis
    return {
        h.incident.id: incident_facts(h.incident, h.timeline, book, cadence, zones)
        for h in histories
    }
