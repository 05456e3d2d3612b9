"""Everything a store holds, in a form any store can take in: for moving between stores
(`esctui db import` and `db export`)."""

from __future__ import annotations

import msgspec

from esctui.domain.models import Directory
from esctui.stores.records import Change, RecordedRequest, TokenRecord


class Holdings(msgspec.Struct):
    """The directory; every event of every incident (archived ones included) with its
    revision, in revision order; the store's revision (at least the last change's); the next
    incident number; the tokens; and the requests recorded with an idempotency key."""

    directory: Directory
    changes: list[Change]
    revision: int
    next_number: int
    tokens: list[TokenRecord] = []
    requests: dict[str, RecordedRequest] = {}

    def summary(self) -> str:
        incidents = len({change.event.incident for change in self.changes})
        return (
            f"{incidents} incidents ({len(self.changes)} events, revision {self.revision}), "
            f"{len(self.tokens)} tokens and {len(self.requests)} recorded requests"
        )
