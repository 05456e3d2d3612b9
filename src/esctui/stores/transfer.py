"""Moving a journal store into a PostgreSQL database (`esctui db import`) and back out
(`esctui db export`), keeping ids, versions, revisions, tokens and recorded requests.

The journal side is read and written through the journal store's own code (`JournalStore`,
`create_store`, `TokenBook`); the database side is `stores/postgres/transfer.py`. (This module
sits here, above both, because the journal store lives under `backends/`.)

Revisions: the journal keeps its revision, and the revision of every event a recorded request
made, but a compaction forgets the revisions of the other events it folds. Those keep their
order in time and take the revisions left, so the database's revision is the journal's, a
recorded request is answered with the revisions it was first answered with, and every event
has a revision of its own.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime
from pathlib import Path

from esctui.stores.holdings import Holdings
from esctui.stores.ids import incident_number
from esctui.stores.journal import JournalStore, create_store
from esctui.stores.journal.tokens import TokenBook, TokenFile
from esctui.stores.records import Change, IncidentHistory, RecordedRequest, StoreError, StoreExists

# Before any incident: `histories(since)` from here is every incident, archived ones included.
EVER = datetime(1970, 1, 1, tzinfo=UTC)


def read_journal(path: Path) -> Holdings:
    """Everything the journal store at `path` holds. Stop whatever writes to it first (a
    server, consoles): what is written after this reads it stays behind."""
    store = JournalStore(path)
    store.load()
    queue = store.queue()
    histories = store.histories(EVER)
    # The journal keeps the fingerprint of a request with its key, but not of one recorded by
    # an esctui from before: an empty one means "not known".
    requests = {
        key: RecordedRequest(fingerprint=entry.tag, changes=list(entry.changes))
        for key, entry in store.keys.recorded().items()
    }
    numbers = [incident_number(history.incident.id) for history in histories]
    return Holdings(
        directory=queue.directory,
        changes=numbered(path, histories, queue.revision, requests),
        revision=queue.revision,
        next_number=max(numbers, default=1000) + 1,
        tokens=TokenBook(path).records(),
        requests=requests,
    )


def numbered(
    path: Path,
    histories: list[IncidentHistory],
    revision: int,
    requests: dict[str, RecordedRequest],
) -> list[Change]:
    """Every event with a revision (see the module's docstring), in revision order."""
    known = {
        (change.event.incident, change.event.version): change.revision
        for request in requests.values()
        for change in request.changes
    }
    in_time = heapq.merge(*(history.timeline for history in histories), key=lambda e: e.at)
    changes: list[Change] = []
    unknown = []
    for event in in_time:
        pinned = known.get((event.incident, event.version))
        if pinned is None:
            unknown.append(event)
        else:
            changes.append(Change(revision=pinned, event=event))
    taken = {change.revision for change in changes}
    left = [n for n in range(1, revision + 1) if n not in taken]
    if len(unknown) > len(left):
        raise StoreError(
            f"The store at {path} holds more events than its revision ({revision}) counts; "
            "it cannot be moved as it is."
        )
    # Any revisions to spare go before the first event, where no follower's cursor points.
    changes += [
        Change(revision=n, event=event)
        for n, event in zip(left[len(left) - len(unknown) :], unknown, strict=True)
    ]
    return sorted(changes, key=lambda change: change.revision)


def write_journal(path: Path, holdings: Holdings, now: datetime) -> None:
    """A new journal store at `path` holding `holdings`; `StoreExists` if one is there.

    Its revision is the number of events (the database's, unless it was imported with
    revisions to spare); incidents resolved long ago go to its archive at the first
    `esctui compact`. Recorded requests are not written: `create_store` takes none.
    """
    try:
        create_store(path, holdings.directory, [c.event for c in holdings.changes], now=now)
    except StoreExists:
        raise StoreExists(
            f"A store already exists at {path}; export to a directory without one. Nothing "
            "was changed."
        ) from None
    if holdings.tokens:
        TokenBook(path).write(TokenFile(tokens=holdings.tokens))


async def import_journal(journal_dir: Path, url: str) -> Holdings:
    """Move the journal store at `journal_dir` into the empty database at `url` (migrated
    first); what was moved. A database holding anything is refused, and left as it was."""
    from esctui.stores.postgres.transfer import fill

    holdings = read_journal(journal_dir)
    await fill(url, holdings)
    return holdings


async def export_journal(url: str, journal_dir: Path, now: datetime | None = None) -> Holdings:
    """Write what the database at `url` holds as a new journal store at `journal_dir`; what
    was written."""
    from esctui.stores.postgres.transfer import take_out

    holdings = await take_out(url)
    write_journal(journal_dir, holdings, now or datetime.now(UTC))
    return holdings
