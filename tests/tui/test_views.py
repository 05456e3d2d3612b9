"""Views, filter and sort; data shown as text; redaction; remapped keys; 80x24."""

from __future__ import annotations

from datetime import timedelta

from acting import execute
from esctui.config import Config
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.models import Incident, Status
from esctui.domain.sla import sla_book
from esctui.listing import seconds_left
from esctui.stores.journal import JournalStore
from esctui.tui import ConsoleApp

from .conftest import ME, NOW, Console, Toasts, first, opened, put_cursor_on, row_text, run, settle

DIRECTORY_OF_DEMO = build_demo(40, seed=3, now=NOW)[0]


def screen_text(app: ConsoleApp) -> str:
    return "\n".join(
        app.queue.table.render_line(y).text
        for y in range(app.queue.table.scrollable_content_region.height)
    )


def test_number_keys_switch_views(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            incidents = app.model.incidents
            await pilot.press("1")
            assert app.model.rows and all(incidents[i].assignee == ME for i in app.model.rows)
            assert all(incidents[i].is_open for i in app.model.rows)
            await pilot.press("2")
            assert all(incidents[i].status is Status.TRIGGERED for i in app.model.rows)
            await pilot.press("4")
            deadlines = app.model.deadlines
            assert app.model.rows
            assert all(deadlines[i] and deadlines[i].at_risk(NOW) for i in app.model.rows)
            await pilot.press("5")
            assert all(incidents[i].status is Status.RESOLVED for i in app.model.rows)
            resolved = [incidents[i].resolved_at for i in app.model.rows]
            assert resolved == sorted(resolved, reverse=True)  # type: ignore[type-var]
            await pilot.press("3")
            assert len(app.model.rows) == sum(1 for i in incidents.values() if i.is_open)

    run(scenario)


def test_default_order_is_severity_then_time_to_breach_and_S_cycles(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            model = app.model

            def left(incident_id: str) -> float:
                return seconds_left(model.deadlines.get(incident_id), model.now)

            keys = [(model.incidents[i].severity, left(i)) for i in model.rows]
            assert keys == sorted(keys)
            await pilot.press("S")
            assert model.sort == "breach"
            assert [left(i) for i in model.rows] == sorted(left(i) for i in model.rows)

    run(scenario)


def test_slash_filters_as_you_type_and_escape_clears(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            everything = len(app.model.rows)
            await pilot.press("slash", *"kafka")
            await settle(pilot, lambda: app.model.filter_text == "kafka")
            assert 0 < len(app.model.rows) < everything
            assert all("kafka" in app.model.incidents[i].service for i in app.model.rows)
            await pilot.press("enter")  # keep the filter, back to the queue
            assert app.queue.table.has_focus and app.model.filter_text == "kafka"
            await pilot.press("escape")
            assert app.model.filter_text == "" and len(app.model.rows) == everything

    run(scenario)


def test_markup_and_escape_sequences_in_titles_are_shown_as_text(console: Console) -> None:
    store = JournalStore(console.store, lambda: NOW)
    store.load()
    title = "[bold red]pwned[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07 done"
    (change,) = execute(
        store, c.Trigger(title=title, service="checkout", severity=1), "alice", None
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(200, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, change.event.incident)
            text = screen_text(app)
            assert "[bold red]pwned[/] \\x1b[2J\\x1b]52;c;ZXZpbA==\\x07 done" in text
            assert "\x1b" not in text and "\x07" not in text
            incident_id = change.event.incident
            await settle(pilot, lambda: app.queue.detail.incident_id == incident_id)
            summary = str(app.query_one("#summary").render())
            assert "[bold red]pwned[/]" in summary and "\x1b" not in summary

    run(scenario)


def test_redact_hides_titles_and_customers(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app(redact=True).run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            text = screen_text(app)
            assert "(title hidden)" in text
            assert target.title not in text
            await settle(pilot, lambda: "(title hidden)" in str(app.query_one("#summary").render()))
            details = str(app.query_one("#details-text").render())
            if target.customer:
                assert target.customer not in details

    run(scenario)


def test_keys_can_be_remapped_by_binding_id(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)
    config = Config(keymap={"incident.acknowledge": "A", "no.such.binding": "x"})
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(config=config)
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            # `a` no longer acknowledges: had it, `A` after it would be refused as too late.
            await pilot.press("a", "A")
            await settle(
                pilot, lambda: app.model.incidents[target.id].status is Status.ACKNOWLEDGED
            )
            await pilot.pause()
            assert not toasts.saying("already acknowledged"), toasts.said
            assert toasts.saying("no.such.binding")

    run(scenario)


def test_80_by_24_keeps_the_columns_that_matter(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(80, 24)) as pilot:
            app = await opened(pilot)
            heading = app.queue.table.render_line(0).text
            for column in ("ID", "SEV", "STATUS", "SLA", "ASSIGNEE", "TITLE"):
                assert column in heading
            assert app.queue.table.scrollable_content_region.height >= 8
            await pilot.press("j", "j", "G", "g")
            assert app.queue.table.cursor == 0

    run(scenario)


def test_an_unknown_identity_is_told_before_acting(console: Console) -> None:
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(me="mallory")
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            await settle(pilot, lambda: bool(toasts.saying("not a responder")))

    run(scenario)


def test_the_palette_shows_markup_in_titles_as_text() -> None:
    from textual.fuzzy import Matcher

    from esctui.tui.palette import highlight

    shown = highlight(Matcher("disk"), "Go to INC-9 [bold red]Disk full[/]")
    assert shown.plain == "Go to INC-9 [bold red]Disk full[/]"
    assert shown.spans  # and the letters that matched are marked


def test_the_palette_runs_an_action_by_name(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("ctrl+p")
            await settle(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
            for key in "Ack":
                await pilot.press(key)
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(
                pilot, lambda: app.model.incidents[target.id].status is Status.ACKNOWLEDGED
            )

    run(scenario)


def first_acknowledgement_late(console: Console, incident: Incident) -> bool | None:
    """Whether the first acknowledgement came after the SLA target (None: never came)."""
    target = sla_book(DIRECTORY_OF_DEMO).target(incident.service, incident.severity)
    acks = [ev for ev in console.history(incident.id).timeline if isinstance(ev, e.Acknowledged)]
    if not acks:
        return None
    return acks[0].at - incident.created_at > timedelta(minutes=target.acknowledge_minutes)


def test_resolved_incidents_say_which_deadline_was_missed(console: Console) -> None:
    resolved = [i for i in console.incidents().values() if i.status is Status.RESOLVED]
    late = next(i for i in resolved if first_acknowledgement_late(console, i))
    in_time = next(i for i in resolved if first_acknowledgement_late(console, i) is False)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await pilot.press("5")
            await put_cursor_on(pilot, late.id)
            await settle(pilot, lambda: "missed " in row_text(app, late.id))
            assert " met " not in row_text(app, late.id)  # as it said before
            await put_cursor_on(pilot, in_time.id)
            await settle(
                pilot,
                lambda: (
                    "met " in row_text(app, in_time.id) or "r missed " in row_text(app, in_time.id)
                ),
            )
            await put_cursor_on(pilot, late.id)
            await settle(pilot, lambda: app.queue.detail.incident_id == late.id)
            details = app.query_one("#details-text")
            await settle(pilot, lambda: "SLA acknowledge" in str(details.render()))
            line = next(
                text for text in str(details.render()).splitlines() if "SLA acknowledge" in text
            )
            assert line.endswith("missed")
            assert "acknowledge missed" in str(app.query_one("#summary").render())

    run(scenario)


def test_ctrl_r_and_refresh_say_a_store_has_nothing_to_read_again(console: Console) -> None:
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(120, 35), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot, lambda: bool(toasts.saying("nothing to read again")))
            await pilot.press("colon", *"refresh", "enter")
            await settle(pilot, lambda: len(toasts.saying("nothing to read again")) == 2)

    run(scenario)
