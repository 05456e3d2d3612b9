"""Others' actions reach the console while it is open, and the ones that concern me ring."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from acting import replace_directory
from esctui.backends.base import Link, Queue, StoreError
from esctui.backends.local import LocalBackend
from esctui.config import Config
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.models import Incident, SlaTarget, Status
from esctui.stores.inline import run_inline
from esctui.stores.journal import JournalEvents, JournalStore
from esctui.tui.messages import ClockTicked, IncidentsChanged, LinkChanged
from esctui.tui.queue import screen as queue_screen

from .conftest import ME, NOW, Console, Toasts, first, opened, put_cursor_on, row_text, run, settle


def test_an_acknowledgement_elsewhere_repaints_and_flashes_the_row(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            console.elsewhere(c.Acknowledge(incident=target.id), "alice")
            await settle(
                pilot, lambda: app.model.incidents[target.id].status is Status.ACKNOWLEDGED, 1.5
            )
            assert target.id in app.queue.table.flashing
            assert app.live.bells_rung == 0  # not mine, not new: no bell

    run(scenario)


def test_a_queue_read_before_the_console_starts_is_on_its_first_frame(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`esctui` reads a store on this machine before the console starts (see
    `cli/console.py`): the console shows that queue as it mounts and does not read it again."""
    queue = JournalEvents(console.store, clock=lambda: NOW)
    read = run_inline(queue.read())

    async def not_again(self: LocalBackend) -> Queue:
        raise StoreError("read a second time")

    monkeypatch.setattr(LocalBackend, "open", not_again)

    async def scenario() -> None:
        app = console.app(opened=read)
        async with app.run_test(size=(160, 40)) as pilot:
            assert app.queue.table.current_id == app.model.rows[0]
            assert app.model.rows and set(app.model.incidents) == set(read.incidents)
            await pilot.pause()
            assert app.failure is None and app.is_running

    run(scenario)


def test_rows_stay_in_place_until_the_responder_moves_and_the_cursor_keeps_its_incident(
    console: Console,
) -> None:
    """A change elsewhere that would move rows is drawn where the row is: nothing moves under
    the responder's eyes. Once they move the cursor, the queue is put in order, and the cursor
    is on the incident they moved to, not on whichever slid under it."""

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            rows = list(app.model.rows)
            # The first triggered row with two rows below it; acknowledging it moves it down
            # (its next deadline becomes the later resolve-by).
            mover = next(i for i in rows[:-2] if app.model.incidents[i].status is Status.TRIGGERED)
            watched = rows[rows.index(mover) + 1]
            await put_cursor_on(pilot, mover)
            console.elsewhere(c.Acknowledge(incident=mover), "alice")
            await settle(pilot, lambda: mover in app.queue.table.flashing)  # the screen has it
            assert "ACK" in row_text(app, mover)
            assert app.model.rows == rows  # drawn in place
            assert app.queue.table.current_id == mover
            await pilot.press("j")
            await settle(pilot, lambda: app.model.rows != rows)
            now = app.model.rows
            assert now.index(mover) > now.index(watched)  # in order once the cursor moved
            assert app.queue.table.current_id == watched

    run(scenario)


def test_rows_changed_elsewhere_are_put_in_order_after_a_while(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A responder who does not move the cursor still sees the queue in order soon."""
    monkeypatch.setattr(queue_screen, "CATCH_UP", 0.3)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            rows = list(app.model.rows)
            mover = next(i for i in rows[:-1] if app.model.incidents[i].status is Status.TRIGGERED)
            console.elsewhere(c.Acknowledge(incident=mover), "alice")
            await settle(pilot, lambda: app.model.rows != rows, 3)
            assert app.model.rows == app.model.arrange()
            assert app.queue.table.current_id == rows[0]  # the cursor stayed where it was

    run(scenario)


def test_the_last_tick_while_the_screen_is_torn_down_finds_nothing_missing(
    console: Console,
) -> None:
    """Closing removes the screen's parts one by one; a tick or a change that reaches it
    meanwhile must not look for a part already gone."""

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            seen: list[object] = []
            for part in ("#header", "#views", "#stale"):
                await app.queue.query_one(part).remove()
            app.queue.post_message(ClockTicked())
            app.queue.post_message(IncidentsChanged({app.model.rows[0]}))
            app.queue.post_message(LinkChanged(Link.ONLINE))
            app.queue.call_after_refresh(seen.append, "handled")
            await settle(pilot, lambda: bool(seen))
            assert app.is_running

    run(scenario)


def test_a_new_sev1_raises_a_toast_and_rings(console: Console) -> None:
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            count = len(app.model.incidents)
            console.elsewhere(
                c.Trigger(title="Everything is down", service="checkout", severity=1), "alice"
            )
            await settle(pilot, lambda: len(app.model.incidents) == count + 1, 1.5)
            await settle(pilot, lambda: bool(toasts.titled("New SEV1")))
            assert app.live.bells_rung == 1

    run(scenario)


def test_the_bell_can_be_turned_off(console: Console) -> None:
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(config=Config(bell=False))
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            console.elsewhere(c.Trigger(title="Down", service="checkout", severity=2), "alice")
            await settle(pilot, lambda: bool(toasts.titled("New SEV2")), 1.5)
            assert app.live.bells_rung == 0

    run(scenario)


def test_a_hand_off_to_me_rings(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)
    holder = target.assignee or "alice"
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            console.elsewhere(c.HandOff(incident=target.id, to=ME), holder)
            await settle(pilot, lambda: app.model.incidents[target.id].assignee == ME, 1.5)
            await settle(pilot, lambda: bool(toasts.titled("Handed to you")))
            assert app.live.bells_rung == 1

    run(scenario)


def test_the_detail_pane_follows_the_incident_under_the_cursor(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            console.elsewhere(c.AddNote(incident=target.id, text="seen from afar"), "alice")
            timeline = app.query_one("#timeline-text")
            await settle(pilot, lambda: "seen from afar" in str(timeline.render()), 2)

    run(scenario)


def test_auto_escalation_runs_while_the_console_is_open(console: Console) -> None:
    later = NOW + timedelta(hours=3)
    waiting = [
        i.id
        for i in console.incidents().values()
        if i.status is Status.TRIGGERED and not i.exhausted and not i.snoozed(later)
    ]
    assert waiting

    async def scenario() -> None:
        app = console.app(clock=lambda: later, escalation_interval=0.2)
        async with app.run_test(size=(160, 40)) as pilot:
            await opened(pilot)
            await settle(
                pilot,
                lambda: any(moved(app.model.incidents[i]) for i in waiting),
                3,
            )

    levels = {i: console.incidents()[i].level for i in waiting}

    def moved(incident: Incident) -> bool:
        return incident.level > levels[incident.id] or incident.exhausted

    run(scenario)
    escalated = [
        ev
        for i in waiting
        for ev in console.history(i).timeline
        if isinstance(ev, e.Escalated | e.EscalationExhausted) and ev.by is None and ev.at == later
    ]
    assert escalated


def test_a_new_directory_elsewhere_brings_its_sla_targets(console: Console) -> None:
    """`directory import` by another process makes no new revision; the console still reads
    the new directory, and the new targets move the deadlines."""
    target = first(console.incidents(), Status.TRIGGERED)
    store = JournalStore(console.store, lambda: NOW)
    store.load()
    tight = SlaTarget(acknowledge_minutes=1, resolve_minutes=2)
    directory = msgspec.structs.replace(
        store.directory,
        services=tuple(
            msgspec.structs.replace(s, sla={**s.sla, target.severity: tight})
            if s.name == target.service
            else s
            for s in store.directory.services
        ),
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            tighter = target.opened_at + timedelta(minutes=1)
            before = app.model.deadlines[target.id]
            assert before is not None and before.breach_at != tighter
            replace_directory(store, directory)
            await settle(pilot, lambda: app.model.directory == directory, 1.5)
            after = app.model.deadlines[target.id]
            assert after is not None and after.breach_at == tighter

    run(scenario)


def test_a_change_elsewhere_redraws_only_the_lines_that_changed(console: Console) -> None:
    """Every line drawn is bytes sent to the terminal: a row changed elsewhere is drawn where
    it is (one line), even one that no longer belongs in the view; once the cursor moves, it
    leaves, and the lines below it are drawn again, not the cursor's line above it."""

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 50)) as pilot:
            app = await opened(pilot)
            await pilot.press("2")  # unacknowledged: an acknowledged incident leaves the view
            await settle(pilot, lambda: app.model.view == "unacknowledged")
            table = app.queue.table
            rows = list(app.model.rows)
            assert 3 <= len(rows) < table.size.height - 1, "the whole view fits on screen"
            drawn: list[int] = []
            draw = table.refresh_line

            def noting(y: int) -> None:
                drawn.append(y)
                draw(y)

            table.refresh_line = noting  # type: ignore[method-assign]

            await pilot.press("g")
            await settle(pilot, lambda: table.cursor == 0)
            drawn.clear()
            console.elsewhere(c.Acknowledge(incident=rows[1]), "alice")
            await settle(pilot, lambda: rows[1] in table.flashing)  # the screen has it
            assert app.model.rows == rows and set(drawn) == {2}, drawn  # its own line only
            drawn.clear()
            await pilot.press("j")
            await settle(pilot, lambda: rows[1] not in app.model.rows)
            # j went to the line of the row that left: it now shows the row that was below.
            assert table.current_id == rows[2]
            assert set(range(2, len(rows))) <= set(drawn)

    run(scenario)
