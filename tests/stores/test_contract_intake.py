"""What every store must do for alerts in, asked through the ports only: keep integrations (their
keys as hashes), maintenance windows and beats, and find the incident an alert group maps to.
Each test runs against every store (conftest.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from esctui.domain.alerts import Alert, Kind, Notification, Settings
from esctui.domain.intake import Situation, Verdict, judge, record
from esctui.domain.models import Incident
from esctui.service.ports import AlertIndex, AlertLookup, EventStore, Transaction
from esctui.stores.records import IntegrationRecord, MaintenanceWindow

from .conftest import NOW, Place, alongside, team
from .test_contract import opened, run


def integration(name: str, sha256: str, **changes: Any) -> IntegrationRecord:
    return IntegrationRecord(
        name=name,
        kind=Kind.ALERTMANAGER,
        service="api",
        sha256=sha256,
        created_at=NOW,
        settings=Settings(on_resolve="note", reopen_within_seconds=60),  # type: ignore[arg-type]
        **changes,
    )


def firing(key: str, *fingerprints: str) -> Notification:
    alerts = tuple(Alert(fingerprint=f, firing=True) for f in fingerprints)
    return Notification(key=key, action="trigger", summary=f"group {key}", alerts=alerts)  # type: ignore[arg-type]


async def notify(tx: Transaction, n: Notification, integration: str = "prom") -> Incident | None:
    """`n` through the rules, as the intake service does; the incident after."""
    assert isinstance(tx, AlertIndex)
    incident = await tx.alerted(integration, n.key)
    situation = Situation(integration=integration, service="api", settings=Settings(), now=NOW)
    verdict = judge(n, incident, situation)
    new_id = await tx.next_id() if verdict is Verdict.OPEN else None
    if verdict not in (Verdict.REPEAT, Verdict.IGNORE):
        events = record(verdict, n, incident, situation, tx.directory, new_id=new_id)
        await tx.append(events)
    return await tx.alerted(integration, n.key)


def test_integrations_are_kept_found_by_their_hash_and_revoked(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            one, other = store_factory.integrations(a), store_factory.integrations(b)
            made = await one.create_integration(integration("prom", "h1"))
            taken = await one.create_integration(integration("prom", "h2"))
            found = await other.find_integration("h1"), await other.find_integration("h2")
            revoked = await other.revoke_integration("prom", NOW + timedelta(hours=1))
            again = await other.revoke_integration("prom", NOW)
            remade = await other.create_integration(integration("prom", "h3"))
            return made, taken, found, revoked, again, remade, await one.integrations()

    made, taken, (found, unknown), revoked, again, remade, listed = run(scenario())
    assert (made, taken, remade) == (True, False, True)
    assert found == integration("prom", "h1")
    assert unknown is None
    assert revoked == integration("prom", "h1", revoked_at=NOW + timedelta(hours=1))
    assert again is None
    assert [(r.sha256, r.active) for r in listed] == [("h1", False), ("h3", True)]
    assert listed[0].settings.on_resolve == "note"


def test_beats_and_maintenance_windows_are_kept(store_factory: Place) -> None:
    window = MaintenanceWindow("api", NOW, NOW + timedelta(hours=2), "upgrade", "alice")

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            one, other = store_factory.integrations(a), store_factory.integrations(b)
            await one.beat("backup", NOW)
            await one.beat("backup", NOW + timedelta(minutes=5))
            await one.beat("nightly", NOW)
            await one.start_maintenance(window)
            await one.start_maintenance(MaintenanceWindow("db", NOW, NOW + timedelta(hours=1)))
            kept = await other.maintenance()
            ended = await other.end_maintenance("api", NOW + timedelta(hours=1))
            not_in_force = await other.end_maintenance("api", NOW + timedelta(hours=1))
            return await other.beats(), kept, ended, not_in_force, await one.maintenance()

    beats, kept, ended, not_in_force, after = run(scenario())
    assert beats == {"backup": NOW + timedelta(minutes=5), "nightly": NOW}
    assert sorted(w.service for w in kept) == ["api", "db"]
    assert next(w for w in kept if w.service == "api") == window
    assert ended is not None and ended.end == NOW + timedelta(hours=1)
    assert not_in_force is None
    api = next(w for w in after if w.service == "api")
    assert not api.in_force(NOW + timedelta(hours=1))


def test_an_alert_group_finds_its_newest_incident_from_another_store(
    store_factory: Place,
) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            async with a.transaction() as tx:
                opened_one = await notify(tx, firing("g1", "x"))
                other_key = await notify(tx, firing("g2", "y"))
                other_integration = await notify(tx, firing("g1", "z"), integration="graf")
            async with b.transaction() as tx:
                assert isinstance(tx, AlertIndex)
                found = await tx.alerted("prom", "g1")
                missing = await tx.alerted("prom", "nothing")
            return opened_one, other_key, other_integration, found, missing

    opened_one, other_key, other_integration, found, missing = run(scenario())
    assert opened_one is not None and found == opened_one
    assert len({opened_one.id, other_key.id, other_integration.id}) == 3  # type: ignore[union-attr]
    assert found.alerts is not None and found.alerts.firing == ("x",)
    assert missing is None


def test_two_notifications_of_a_new_group_at_once_open_one_incident(store_factory: Place) -> None:
    """The second asks for the group while the first holds it: it waits, then finds the
    incident the first opened, and adds to it."""

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            holding = asyncio.Event()

            async def first() -> Incident | None:
                async with a.transaction() as tx:
                    assert isinstance(tx, AlertIndex)
                    assert await tx.alerted("prom", "g1") is None
                    holding.set()
                    await asyncio.sleep(0.3)  # the second asks meanwhile
                    return await notify(tx, firing("g1", "x"))

            async def add() -> Incident | None:
                async with b.transaction() as tx:
                    return await notify(tx, firing("g1", "x", "y"))

            async def second() -> Incident | None:
                await holding.wait()
                return await alongside(b, add)

            one, two = await asyncio.gather(first(), second())
            return one, two, await a.read()

    one, two, queue = run(scenario())
    assert one is not None and two is not None and one.id == two.id
    assert len(queue.incidents) == 1
    assert two.alerts is not None and two.alerts.firing == ("x", "y")


async def open_store(store: EventStore) -> None:  # keeps mypy's eye on the helper's types
    async with store.transaction() as tx:
        await notify(tx, firing("g", "x"))


def test_the_index_holds_through_a_new_directory(store_factory: Place) -> None:
    """A new directory (a compaction, for a journal) keeps finding the incidents."""

    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            await open_store(a)
            async with b.transaction() as tx:
                await tx.put_directory(team())
            async with a.transaction() as tx:
                assert isinstance(tx, AlertIndex)
                return await tx.alerted("prom", "g")

    found = run(scenario())
    assert found is not None and found.title == "group g"


def test_an_alert_group_is_found_without_a_transaction_while_one_holds_it(
    store_factory: Place,
) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 2) as (a, b):
            await open_store(a)
            assert isinstance(b, AlertLookup)
            async with a.transaction() as tx:
                assert isinstance(tx, AlertIndex)
                held = await tx.alerted("prom", "g")  # held by this transaction
                seen = await alongside(b, lambda: b.alerted_now("prom", "g"))
                missing = await alongside(b, lambda: b.alerted_now("prom", "nothing"))
            return held, seen, missing

    held, seen, missing = run(scenario())
    assert held is not None and seen == held
    assert missing is None
