"""One unit of work on the database: a PostgreSQL transaction (READ COMMITTED).

- An incident asked for is locked (`SELECT ... FOR UPDATE`): a concurrent transaction asking for
  the same one waits until this one ends, then reads what it wrote.
- An idempotency key asked about is locked (`pg_advisory_xact_lock` on the key's hash), so a
  concurrent request with the same key waits, then sees this one's record.
- Revisions come from the one-row `counters` table (`UPDATE ... RETURNING`), which holds that
  row until the transaction ends: the next transaction to append waits for this one to commit
  (or roll back) before it takes the next numbers. So revisions are dense and grow by one per
  event in the order transactions end, and a follower reading "revision > cursor" never skips
  an event that commits late.
- Every transaction holds the directory shared (an advisory lock); a check over the whole queue
  (`open_incidents`) and a new directory hold it alone, so nothing decided under the old
  directory commits after the check, and nothing starts until the new one is in force.
- `NOTIFY` (the last revision, or `directory`) is delivered when the transaction commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import asyncpg

from esctui.domain import lifecycle
from esctui.domain.escalation import escalation_due_at
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.stores.ids import format_incident_id, incident_number
from esctui.stores.postgres import codec
from esctui.stores.postgres.connection import translated
from esctui.stores.records import Change, RecordedRequest

# Notifications of new events (payload: the last revision) and of a new directory.
CHANNEL = "esctui_changes"
NEW_DIRECTORY = "directory"
# Advisory locks are (class, object) pairs; esctui's class is "ESCT". Other pairs: schema.py
# (migrating), leader.py (leadership), and the classes of idempotency and alert keys below.
ESCTUI = 0x45534354
DIRECTORY_LOCK = (ESCTUI, 0)
REQUEST_KEYS = 0x45534B59  # "ESKY": (this class, hash of the key)
ALERT_KEYS = 0x4553414B  # "ESAK": (this class, hash of an integration's name and alert key)

NOT_RECORDED = "nothing was recorded"

APPEND = f"""
WITH allocated AS (
    UPDATE counters SET revision = revision + cardinality($1::text[])
    RETURNING revision - cardinality($1::text[]) AS base
), written AS (
    INSERT INTO events (revision, incident, version, type, actor, at, request, event)
    SELECT allocated.base + e.n, e.incident, e.version, e.type, e.actor, e.at, $7, e.event
    FROM allocated, unnest(
        $1::text[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[]
    ) WITH ORDINALITY AS e (incident, version, type, actor, at, event, n)
), kept AS (
    INSERT INTO incidents
        (id, number, version, service, is_open, created_at, resolved_at, escalate_at, state,
        follows_up)
    SELECT * FROM unnest(
        $9::text[], $10::int[], $11::int[], $12::text[], $13::bool[], $14::timestamptz[],
        $15::timestamptz[], $16::timestamptz[], $17::jsonb[], $18::bool[]
    )
    ON CONFLICT (id) DO UPDATE SET
        version = excluded.version, service = excluded.service, is_open = excluded.is_open,
        resolved_at = excluded.resolved_at, escalate_at = excluded.escalate_at,
        state = excluded.state, follows_up = excluded.follows_up
), asked AS (
    INSERT INTO requests (key, fingerprint, revisions)
    SELECT $7, $8, ARRAY(
        SELECT allocated.base + n FROM generate_series(1, cardinality($1::text[])) AS n
    )
    FROM allocated WHERE $7::text IS NOT NULL
    ON CONFLICT (key) DO UPDATE SET revisions = requests.revisions || excluded.revisions
)
SELECT base, pg_notify('{CHANNEL}', (base + cardinality($1::text[]))::text)
FROM allocated
"""

RECORDED = """
SELECT r.fingerprint, e.revision, e.event::text
FROM requests r LEFT JOIN events e ON e.revision = ANY (r.revisions)
WHERE r.key = $1 ORDER BY e.revision
"""


def kept(resolved_after: str) -> str:
    """Whether an incident is kept where it can be changed (not archived): open, resolved at
    or after the parameter `resolved_after`, or with follow-up actions of its review open."""
    return f"(is_open OR follows_up OR resolved_at >= {resolved_after})"


# The newest incident an integration's alerts opened under a key (see 0002_intake.sql).
ALERTED = f"""
SELECT state::text FROM incidents
WHERE state -> 'alerts' ->> 'integration' = $1 AND state -> 'alerts' ->> 'key' = $2
    AND {kept("$3")}
ORDER BY number DESC LIMIT 1 FOR UPDATE
"""

STATES = """
SELECT '[' || coalesce(string_agg(state::text, ',' ORDER BY number), '') || ']'
FROM incidents
"""


class PostgresTransaction:
    """See the module's docstring. Made by `PostgresStore.transaction()`."""

    def __init__(
        self,
        connection: asyncpg.Connection,
        directory: Directory,
        archived_before: datetime,
        location: str,
    ) -> None:
        self.connection = connection
        self.directory = directory
        # Resolved before this: archived, no longer changeable (as the journal's archive).
        self.archived_before = archived_before
        self.location = location
        self.held: dict[str, Incident] = {}

    async def incident(self, incident_id: str) -> Incident | None:
        with translated(self.location, NOT_RECORDED):
            state = await self.locked_state(incident_id, archived=False)
        return None if state is None else self.hold(incident_id, state)

    async def locked_state(self, incident_id: str, *, archived: bool) -> str | None:
        """The incident's state, its row locked for this transaction, if it is kept (or, with
        `archived`, if it is archived)."""
        where = f"NOT {kept('$2')}" if archived else kept("$2")
        state: str | None = await self.connection.fetchval(
            f"SELECT state::text FROM incidents WHERE id = $1 AND {where} FOR UPDATE",
            incident_id,
            self.archived_before,
        )
        return state

    def hold(self, incident_id: str, state: str) -> Incident:
        incident = codec.incident_decoder.decode(state)
        self.held[incident_id] = incident
        return incident

    async def archived(self, incident_id: str) -> bool:
        with translated(self.location, NOT_RECORDED):
            found: bool = await self.connection.fetchval(
                f"SELECT EXISTS (SELECT FROM incidents WHERE id = $1 AND NOT {kept('$2')})",
                incident_id,
                self.archived_before,
            )
            return found

    async def unarchive(self, incident_id: str) -> Incident | None:
        with translated(self.location, NOT_RECORDED):
            state = await self.locked_state(incident_id, archived=True)
            if state is None:
                return None
            # No follower holds it: a new snapshot has them read the whole queue again.
            await self.connection.execute(
                "UPDATE directory SET snapshot = 'g' || generation || '-' || $1",
                secrets.token_hex(4),
            )
        return self.hold(incident_id, state)

    async def timeline(self, incident_id: str) -> list[AnyEvent]:
        with translated(self.location, NOT_RECORDED):
            events = await self.connection.fetchval(
                "SELECT '[' || coalesce(string_agg(event::text, ',' ORDER BY version), '')"
                " || ']' FROM events WHERE incident = $1",
                incident_id,
            )
        return codec.events_decoder.decode(events)

    async def alerted(self, integration: str, key: str) -> Incident | None:
        with translated(self.location, NOT_RECORDED):
            await self.connection.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2 || chr(31) || $3))",
                ALERT_KEYS,
                integration,
                key,
            )
            state = await self.connection.fetchval(ALERTED, integration, key, self.archived_before)
        if state is None:
            return None
        incident = codec.incident_decoder.decode(state)
        self.held[incident.id] = incident
        return incident

    async def recorded(self, key: str) -> RecordedRequest | None:
        with translated(self.location, NOT_RECORDED):
            await self.connection.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", REQUEST_KEYS, key
            )
            rows = await self.connection.fetch(RECORDED, key)
        if not rows:
            return None
        changes = [
            Change(revision=row[1], event=codec.event_decoder.decode(row[2]))
            for row in rows
            if row[1] is not None
        ]
        return RecordedRequest(fingerprint=rows[0][0], changes=changes)

    async def next_id(self) -> str:
        with translated(self.location, NOT_RECORDED):
            number: int = await self.connection.fetchval("SELECT nextval('incident_numbers')")
        return format_incident_id(number)

    async def open_incidents(self) -> list[Incident]:
        with translated(self.location, NOT_RECORDED):
            await self.hold_the_directory()
            states = await self.connection.fetchval(STATES + " WHERE is_open")
        return codec.incidents_decoder.decode(states)

    async def append(
        self, events: list[AnyEvent], request: tuple[str, str] | None = None
    ) -> list[Change]:
        if not events:
            return []  # a request that did nothing is not recorded: there is nothing to answer
        states = await self.fold(events)
        key, fingerprint = request if request is not None else (None, "")
        at = [escalation_due_at(state, self.directory) for state in states.values()]
        with translated(self.location, NOT_RECORDED):
            base: int = await self.connection.fetchval(
                APPEND,
                [event.incident for event in events],
                [event.version for event in events],
                [codec.event_type(event) for event in events],
                [event.by for event in events],
                [event.at for event in events],
                [codec.text(event) for event in events],
                key,
                fingerprint,
                list(states),
                [incident_number(state.id) for state in states.values()],
                [state.version for state in states.values()],
                [state.service for state in states.values()],
                [state.is_open for state in states.values()],
                [state.created_at for state in states.values()],
                [state.resolved_at for state in states.values()],
                at,
                [codec.text(state) for state in states.values()],
                [bool(state.follow_ups_open()) for state in states.values()],
            )
        self.held.update(states)
        return [Change(revision=base + n, event=event) for n, event in enumerate(events, 1)]

    async def fold(self, events: list[AnyEvent]) -> dict[str, Incident]:
        """The states `events` leave their incidents in; `ValueError` (nothing written) if one
        does not fold. Incidents not asked for yet are locked and read first."""
        unknown = sorted({event.incident for event in events} - set(self.held))
        known = dict(self.held)
        if unknown:
            with translated(self.location, NOT_RECORDED):
                rows = await self.connection.fetch(
                    "SELECT id, state::text FROM incidents WHERE id = ANY ($1::text[])"
                    " ORDER BY id FOR UPDATE",
                    unknown,
                )
            known.update((row[0], codec.incident_decoder.decode(row[1])) for row in rows)
        states: dict[str, Incident] = {}
        for event in events:
            before = states.get(event.incident) or known.get(event.incident)
            states[event.incident] = lifecycle.apply(before, event)
        return states

    async def put_directory(self, directory: Directory) -> None:
        with translated(self.location, NOT_RECORDED):
            await self.hold_the_directory()
            await self.connection.execute(
                "UPDATE directory SET generation = generation + 1, directory = $1::jsonb,"
                " snapshot = 'g' || (generation + 1) || '-' || $2",
                codec.text(directory),
                secrets.token_hex(4),
            )
            states = codec.incidents_decoder.decode(
                await self.connection.fetchval(STATES + " WHERE is_open")
            )
            await self.connection.execute(
                "UPDATE incidents SET escalate_at = u.at"
                " FROM unnest($1::text[], $2::timestamptz[]) AS u (id, at)"
                " WHERE incidents.id = u.id AND incidents.escalate_at IS DISTINCT FROM u.at",
                [state.id for state in states],
                [escalation_due_at(state, directory) for state in states],
            )
            await self.connection.execute("SELECT pg_notify($1, $2)", CHANNEL, NEW_DIRECTORY)
        self.directory = directory

    async def hold_the_directory(self) -> None:
        """Wait for every other transaction to end, and hold new ones until this one does."""
        await self.connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *DIRECTORY_LOCK)
