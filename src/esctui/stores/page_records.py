"""What every store keeps of pages out: each page owed, each try to send it, and what became of
it; where the sender is in the store's events; and the outbound webhooks.

A store is written records (`PageRecord`), in order, each durable before the call returns; it
answers with pages as they stand now (`PageState`). The sender writes a page's `Owed` before
it sends it, and its `Attempted` once it knows how the try went: a page whose delivery is
recorded is never sent again, and a page sent but not yet recorded (a crash in between) is sent
again, so a page is delivered at least once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from esctui.domain.paging import Page

PageStatus = Literal["pending", "delivered", "cancelled", "gave-up"]
TryOutcome = Literal["delivered", "failed", "gave-up"]
# Where a page stands after a try: a failed one is still to go out.
AFTER_TRY: dict[str, PageStatus] = {
    "delivered": "delivered",
    "failed": "pending",
    "gave-up": "gave-up",
}


class Owed(msgspec.Struct, frozen=True, tag="owed", forbid_unknown_fields=True):
    """A page is owed (recorded once: a page whose id is already known is not owed again)."""

    page: Page
    at: datetime


class Attempted(msgspec.Struct, frozen=True, tag="attempted", forbid_unknown_fields=True):
    """The `attempt`th try of `page` at `at`: `delivered`; `failed`, to be tried again at
    `next_at`; or failed for the last time (`gave-up`). `detail` says why it failed."""

    page: str
    attempt: int
    at: datetime
    outcome: TryOutcome
    detail: str = ""
    next_at: datetime | None = None


class Cancelled(msgspec.Struct, frozen=True, tag="cancelled", forbid_unknown_fields=True):
    """A page still waiting is no longer owed (`why`: acknowledged, resolved, ...)."""

    page: str
    at: datetime
    why: str


class Cursor(msgspec.Struct, frozen=True, tag="cursor", forbid_unknown_fields=True):
    """The sender has looked at every event up to `revision` (the last of them at `at`)."""

    revision: int
    at: datetime | None = None


class Started(msgspec.Struct, frozen=True, tag="started", forbid_unknown_fields=True):
    """Paging began at `at`: what was owed before then is not paged (recorded once)."""

    at: datetime


PageRecord = Owed | Attempted | Cancelled | Cursor | Started


class PageState(msgspec.Struct, frozen=True):
    """A page as it stands: when it was owed, its tries so far, and whether it is still to go
    out (`pending`), `delivered`, `cancelled` (`why`) or given up on (`gave-up`)."""

    page: Page
    owed_at: datetime
    status: PageStatus = "pending"
    attempts: tuple[Attempted, ...] = ()
    why: str = ""

    @property
    def next_at(self) -> datetime:
        """When a pending page is next tried."""
        if self.attempts and self.attempts[-1].next_at is not None:
            return self.attempts[-1].next_at
        return self.page.send_at

    def after(self, record: PageRecord) -> PageState:
        """The page once `record` (about it) is taken in."""
        match record:
            case Attempted() if self.status == "pending":
                return msgspec.structs.replace(
                    self, status=AFTER_TRY[record.outcome], attempts=(*self.attempts, record)
                )
            case Cancelled() if self.status == "pending":
                return msgspec.structs.replace(self, status="cancelled", why=record.why)
        return self


class Paging(msgspec.Struct, frozen=True):
    """What the sender starts from: when paging began (None before the first sender ran),
    the cursor (None: no event looked at yet), and every page still pending."""

    started: datetime | None
    cursor: Cursor | None
    pending: list[PageState]


def fold(states: dict[str, PageState], records: list[PageRecord]) -> list[str]:
    """Take `records` into `states` (by page id); the ids of the pages newly owed."""
    new: list[str] = []
    for record in records:
        if isinstance(record, Owed):
            if record.page.id not in states:
                states[record.page.id] = PageState(page=record.page, owed_at=record.at)
                new.append(record.page.id)
        elif isinstance(record, Attempted | Cancelled):
            state = states.get(record.page)
            if state is not None:
                states[record.page] = state.after(record)
    return new
