"""`z` takes back my last action: the incident is again as it was before it (holder, level, SLA
clock), every incident of a bulk action included, or a toast says why it cannot be."""

from __future__ import annotations

import msgspec
from textual.pilot import Pilot

from esctui.domain import events as e
from esctui.domain.commands import AddNote
from esctui.domain.models import Incident, Status
from esctui.tui import ConsoleApp

from .conftest import ME, Console, Toasts, first, opened, put_cursor_on, run, select, settle
from .test_actions import row_text


def same_but_version(now: Incident, before: Incident) -> bool:
    return msgspec.structs.replace(now, version=before.version) == before


def timeline_text(app: ConsoleApp) -> str:
    return str(app.query_one("#timeline-text").render())


async def undo(pilot: Pilot[None], app: ConsoleApp, *incidents: Incident) -> None:
    """Press `z` and wait for the console to show every incident as it was."""
    await pilot.press("z")
    await settle(
        pilot, lambda: all(same_but_version(app.model.incidents[i.id], i) for i in incidents)
    )


def test_z_after_u_gives_it_back_to_whoever_held_it(console: Console) -> None:
    target = next(
        i
        for i in sorted(console.incidents().values(), key=lambda i: i.id)
        if i.status is Status.ACKNOWLEDGED and i.assignee != ME and i.severity > 1
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("u")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.TRIGGERED)
            await undo(pilot, app, target)
            await settle(pilot, lambda: "unacknowledgement by frank undone" in timeline_text(app))

    run(scenario)
    assert same_but_version(console.incidents()[target.id], target)
    last = console.history(target.id).timeline[-1]
    assert isinstance(last, e.Reverted) and last.by == ME


def test_z_after_a_bulk_acknowledgement_undoes_every_one(console: Console) -> None:
    incidents = console.incidents()
    triggered = sorted(
        (i for i in incidents.values() if i.status is Status.TRIGGERED), key=lambda i: i.id
    )[:3]
    assert len(triggered) == 3

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await select(pilot, triggered)
            await pilot.press("a")
            await settle(
                pilot,
                lambda: all(
                    app.model.incidents[i.id].status is Status.ACKNOWLEDGED for i in triggered
                ),
            )
            await undo(pilot, app, *triggered)

    run(scenario)
    now = console.incidents()
    for incident in triggered:
        assert same_but_version(now[incident.id], incident)


def test_z_after_resolving_a_breached_incident_keeps_its_sla_clock(console: Console) -> None:
    target = next(  # acknowledged long ago, so past its resolve target
        i
        for i in sorted(console.incidents().values(), key=lambda i: i.id)
        if i.status is Status.ACKNOWLEDGED and i.severity == 1 and i.level > 1
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            sla_before = row_text(app, target.id)
            assert " r -" in sla_before  # breached its resolve target
            await pilot.press("r", "enter")
            await settle(pilot, lambda: app.model.incidents[target.id].status is Status.RESOLVED)
            await undo(pilot, app, target)
            await put_cursor_on(pilot, target.id)
            assert row_text(app, target.id) == sla_before

    run(scenario)
    assert console.incidents()[target.id].opened_at == target.opened_at


def test_z_after_an_escalation_puts_it_back_and_says_the_page_went_out(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED, level=1)
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("e")
            await settle(pilot, lambda: app.model.incidents[target.id].level == 2)
            paged = app.model.incidents[target.id].assignee
            await undo(pilot, app, target)
            await settle(pilot, lambda: bool(toasts.saying("already went out")))
            assert f"The page to {paged} already went out" in toasts.saying("already went out")[0]

    run(scenario)
    assert same_but_version(console.incidents()[target.id], target)


def test_z_after_a_snooze_puts_back_the_earlier_one(console: Console) -> None:
    target = next(
        i
        for i in sorted(console.incidents().values(), key=lambda i: i.id)
        if i.is_open and i.snoozed_until is not None
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press(":", *"snooze 9h", "enter")
            await settle(
                pilot,
                lambda: app.model.incidents[target.id].snoozed_until != target.snoozed_until,
            )
            await undo(pilot, app, target)

    run(scenario)
    assert console.incidents()[target.id].snoozed_until == target.snoozed_until


def test_z_says_why_when_it_cannot(console: Console) -> None:
    incidents = console.incidents()
    noted = first(incidents, Status.ACKNOWLEDGED)
    acked = first(incidents, Status.TRIGGERED)
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            await pilot.press("z")
            await settle(pilot, lambda: bool(toasts.saying("Nothing of yours to undo")))

            await put_cursor_on(pilot, noted.id)
            await pilot.press(":", *"note checking the disks", "enter")
            await settle(pilot, lambda: app.model.incidents[noted.id].notes == noted.notes + 1)
            await pilot.press("z")
            await settle(pilot, lambda: bool(toasts.saying("A note stays in the timeline")))

            await put_cursor_on(pilot, acked.id)
            await pilot.press("a")
            await settle(pilot, lambda: app.model.incidents[acked.id].status is Status.ACKNOWLEDGED)
            console.elsewhere(AddNote(incident=acked.id, text="me too"), "alice")
            await pilot.press("z")
            await settle(pilot, lambda: bool(toasts.saying("can no longer be undone")))

    run(scenario)
    assert toasts.saying("can no longer be undone")[0].startswith(
        f"{acked.id} has changed since your acknowledgement (alice acted on it at "
    )
    assert console.incidents()[acked.id].status is Status.ACKNOWLEDGED
