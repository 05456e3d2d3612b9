"""Filling an empty database with a whole store, and reading a whole store out of one.

`fill` writes everything a store holds (`Holdings`) in one transaction, keeping ids, versions
and revisions, into a database that holds nothing yet: a database with incidents, tokens or a
directory is refused, and nothing is changed. `create` is `fill` for a new store made of a
directory and events (the demo, tests). `take_out` reads everything back, as of one moment.
"""

from __future__ import annotations

import secrets

import asyncpg

from esctui.domain import lifecycle
from esctui.domain.escalation import escalation_due_at
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.stores.holdings import Holdings
from esctui.stores.ids import incident_number
from esctui.stores.postgres import codec
from esctui.stores.postgres.connection import connect, translated, url_without_password
from esctui.stores.postgres.schema import migrate
from esctui.stores.postgres.transaction import CHANNEL, DIRECTORY_LOCK, NEW_DIRECTORY
from esctui.stores.records import Change, RecordedRequest, StoreExists, TokenRecord

FIRST_NUMBER = 1001
INCIDENT_COLUMNS = (
    "id", "number", "version", "service", "is_open", "created_at", "resolved_at", "escalate_at",
    "state", "follows_up",
)  # fmt: skip


async def create(url: str, directory: Directory, events: list[AnyEvent]) -> None:
    """A new store at `url` (migrated first) holding `directory` and the incidents `events`
    make, numbered from revision 1."""
    changes = [Change(revision=n, event=event) for n, event in enumerate(events, 1)]
    numbers = [incident_number(event.incident) for event in events]
    await fill(
        url,
        Holdings(
            directory=directory,
            changes=changes,
            revision=len(changes),
            next_number=max(numbers, default=FIRST_NUMBER - 1) + 1,
        ),
    )


async def fill(url: str, holdings: Holdings) -> None:
    """Migrate the database at `url`, then write `holdings` into it; `StoreExists` if it
    holds anything already."""
    await migrate(url)
    location = url_without_password(url)
    connection = await connect(url)
    try:
        with translated(location, "nothing was changed"):
            async with connection.transaction():
                # Keep every store out until it is all there.
                await connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *DIRECTORY_LOCK)
                await refuse_unless_empty(connection, location)
                await write(connection, holdings)
    finally:
        await connection.close()


async def refuse_unless_empty(connection: asyncpg.Connection, location: str) -> None:
    incidents, tokens, generation = await connection.fetchrow(
        "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM tokens),"
        " (SELECT generation FROM directory)"
    )
    held = [
        f"{count} {what}{'' if count == 1 else 's'}"
        for count, what in ((incidents, "incident"), (tokens, "token"))
        if count
    ]
    if generation and not held:
        held = ["a directory"]
    if held:
        raise StoreExists(
            f"The database {location} already holds {' and '.join(held)}; a store is moved "
            "only into an empty database. Nothing was changed."
        )


async def write(connection: asyncpg.Connection, holdings: Holdings) -> None:
    states: dict[str, Incident] = {}
    for change in holdings.changes:
        states[change.event.incident] = lifecycle.apply(
            states.get(change.event.incident), change.event
        )
    asked = {
        change.revision: key
        for key, request in holdings.requests.items()
        for change in request.changes
    }
    await connection.execute(
        "UPDATE directory SET generation = 1, directory = $1::jsonb, snapshot = 'g1-' || $2",
        codec.text(holdings.directory),
        secrets.token_hex(4),
    )
    await connection.copy_records_to_table(
        "events",
        columns=["revision", "incident", "version", "type", "actor", "at", "request", "event"],
        records=[
            (
                change.revision,
                change.event.incident,
                change.event.version,
                codec.event_type(change.event),
                change.event.by,
                change.event.at,
                asked.get(change.revision),
                codec.text(change.event),
            )
            for change in holdings.changes
        ],
    )
    await connection.copy_records_to_table(
        "incidents",
        columns=INCIDENT_COLUMNS,
        records=[
            (
                state.id,
                incident_number(state.id),
                state.version,
                state.service,
                state.is_open,
                state.created_at,
                state.resolved_at,
                escalation_due_at(state, holdings.directory),
                codec.text(state),
                bool(state.follow_ups_open()),
            )
            for state in states.values()
        ],
    )
    await connection.copy_records_to_table(
        "tokens",
        columns=["id", "responder", "sha256", "created_at", "revoked_at", "admin"],
        records=[
            (t.id, t.responder, t.sha256, t.created_at, t.revoked_at, t.admin)
            for t in holdings.tokens
        ],
    )
    await connection.copy_records_to_table(
        "requests",
        columns=["key", "fingerprint", "revisions"],
        records=[
            (key, request.fingerprint, [change.revision for change in request.changes])
            for key, request in holdings.requests.items()
        ],
    )
    await connection.execute("UPDATE counters SET revision = $1", holdings.revision)
    await connection.execute(
        "SELECT setval('incident_numbers', $1, false)", max(holdings.next_number, FIRST_NUMBER)
    )
    await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, NEW_DIRECTORY)


async def take_out(url: str) -> Holdings:
    """Everything the database at `url` holds, as of one moment."""
    location = url_without_password(url)
    connection = await connect(url)
    try:
        with translated(location):
            async with connection.transaction(isolation="repeatable_read", readonly=True):
                return await read(connection)
    finally:
        await connection.close()


async def read(connection: asyncpg.Connection) -> Holdings:
    directory = codec.directory_decoder.decode(
        await connection.fetchval("SELECT directory::text FROM directory")
    )
    revision = await connection.fetchval("SELECT revision FROM counters")
    last, called = await connection.fetchrow("SELECT last_value, is_called FROM incident_numbers")
    rows = await connection.fetch("SELECT revision, event::text FROM events ORDER BY revision")
    changes = [Change(revision=row[0], event=codec.event_decoder.decode(row[1])) for row in rows]
    tokens = [
        TokenRecord(
            id=row[0],
            responder=row[1],
            sha256=row[2],
            created_at=row[3],
            revoked_at=row[4],
            admin=row[5],
        )
        for row in await connection.fetch(
            "SELECT id, responder, sha256, created_at, revoked_at, admin FROM tokens ORDER BY made"
        )
    ]
    by_revision = {change.revision: change for change in changes}
    requests = {
        row[0]: RecordedRequest(
            fingerprint=row[1], changes=[by_revision[r] for r in row[2] if r in by_revision]
        )
        for row in await connection.fetch(
            "SELECT key, fingerprint, revisions FROM requests ORDER BY recorded_at, key"
        )
    }
    return Holdings(
        directory=directory,
        changes=changes,
        revision=revision,
        next_number=last + 1 if called else last,
        tokens=tokens,
        requests=requests,
    )
