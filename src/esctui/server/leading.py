"""Work that one server process at a time does, among all that serve one store: auto-escalation
(and, beside it, sending pages).

Every process asks its backend every `LEAD_EVERY` seconds whether it leads the work
(`Admin.leads`: an advisory lock in PostgreSQL, a file lock in a journal store). The one that
leads does the work on its own timer; a process that takes over from one that died does it at
once, so the work resumes within seconds. `/healthz` says which work a process leads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from esctui.backends.base import Admin

log = logging.getLogger("esctui.server")

# How often a process asks whether it leads: how soon another takes over from one that died.
LEAD_EVERY = 1.0


class Led:
    """`work`, done by `do()` every `every` seconds while this process leads it."""

    def __init__(self, work: str, every: float, do: Callable[[], Awaitable[object]]) -> None:
        self.work = work
        self.every = every
        self.do = do
        self.last: float | None = None  # when this process last did it, while leading

    @property
    def ask_every(self) -> float:
        return min(self.every, LEAD_EVERY)

    async def tick(self, admin: Admin, leading: set[str]) -> None:
        """Ask whether this process leads (noting it in `leading`); if it does, do the work
        when it is due."""
        if not await admin.leads(self.work):
            if self.work in leading:
                log.warning("This process no longer leads %s.", self.work)
            leading.discard(self.work)
            self.last = None
            return
        if self.work not in leading:
            log.info("This process leads %s.", self.work)
            leading.add(self.work)
        now = time.monotonic()
        if self.last is None or now - self.last >= self.every:
            self.last = now
            await self.do()
