"""The learning loop in the console: reroute, reviews, runbooks, customer updates due, the
team view, satisfaction in the communication dialog, and the KPI screen, which shows the
numbers `esctui metrics --json` gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from textual.widgets import Static

from acting import execute, replace_directory
from esctui.cli import cli
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain import events as e
from esctui.domain.metrics import Metrics
from esctui.domain.models import Direction, Status
from esctui.stores.journal import JournalStore, create_store
from esctui.tui.kpi.figures import headline, responder_rows, service_rows

from .conftest import ME, NOW, Console, Toasts, first, opened, put_cursor_on, run, settle

RUNBOOK = "https://runbooks.example.com/checkout"


def screen_name(app: object) -> str:
    return type(app.screen).__name__  # type: ignore[attr-defined]


def test_capital_r_reroutes_through_the_service_picker(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)
    other = "dns" if target.service != "dns" else "kafka"

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("R")
            await settle(pilot, lambda: screen_name(app) == "HandOffPicker")
            await pilot.press(*other, "enter")
            await settle(pilot, lambda: app.model.incidents[target.id].service == other)

    run(scenario)
    event = console.history(target.id).timeline[-1]
    assert isinstance(event, e.Rerouted) and event.by == ME and event.to_service == other


def test_colon_reroute_takes_the_service_and_the_reason(console: Console) -> None:
    target = first(console.incidents(), Status.TRIGGERED)
    other = "dns" if target.service != "dns" else "kafka"

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press(":", *f"reroute {other} their resolvers", "enter")
            await settle(pilot, lambda: app.model.incidents[target.id].service == other)

    run(scenario)
    event = console.history(target.id).timeline[-1]
    assert isinstance(event, e.Rerouted) and event.reason == "their resolvers"


def test_v_records_a_review_with_a_follow_up(console: Console) -> None:
    target = first(console.incidents(), Status.RESOLVED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("v")
            await settle(pilot, lambda: screen_name(app) == "ReviewForm")
            await pilot.press("enter", "down", "down", "enter")  # the second cause: config
            await pilot.press("tab", *"A config push", "tab", *"quick rollback", "tab", "tab")
            await pilot.press("tab", "tab", *"Lint the config")
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: app.model.incidents[target.id].reviewed_at is not None)
            details = app.query_one("#details-text")
            await settle(pilot, lambda: "Lint the config" in str(details.render()))

    run(scenario)
    timeline = console.history(target.id).timeline
    review, follow_up = timeline[-2], timeline[-1]
    assert isinstance(review, e.ReviewRecorded) and review.cause == "config"
    assert (review.summary, review.went_well) == ("A config push", "quick rollback")
    assert isinstance(follow_up, e.FollowUpAdded) and follow_up.action == "Lint the config"
    assert follow_up.due == NOW.date() + timedelta(days=7)


def test_capital_y_copies_the_runbook_and_the_pane_shows_it(console: Console) -> None:
    store = JournalStore(console.store, lambda: NOW)
    store.load()
    services = tuple(
        msgspec.structs.replace(s, runbook_url=RUNBOOK, escalate_when="card payments fail")
        if s.name == "checkout"
        else s
        for s in store.directory.services
    )
    replace_directory(store, msgspec.structs.replace(store.directory, services=services))
    target = first(console.incidents(), Status.ACKNOWLEDGED, service="checkout")

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await settle(pilot, lambda: app.queue.detail.incident_id == target.id)
            details = app.query_one("#details-text")
            await settle(pilot, lambda: RUNBOOK in str(details.render()))
            assert "escalate when  card payments fail" in str(details.render())
            await pilot.press("Y")
            assert app.clipboard == RUNBOOK

    run(scenario)


def test_views_six_and_seven_and_colon_team(console: Console) -> None:
    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            model = app.model
            await pilot.press("6")
            assert model.rows
            for incident_id in model.rows:
                owed = model.customers[incident_id]
                assert owed is not None and owed.close(NOW)
            await pilot.press("7")
            platform = model.directory.team_members("platform")  # frank's team
            assert model.rows and all(model.incidents[i].assignee in platform for i in model.rows)
            await pilot.press(":", *"team data", "enter")
            data = model.directory.team_members("data")
            await settle(pilot, lambda: model.team == "data")
            assert model.rows and all(model.incidents[i].assignee in data for i in model.rows)

    run(scenario)


def test_an_update_falling_due_rings_for_its_holder(console: Console) -> None:
    store = JournalStore(console.store, lambda: NOW)
    store.load()
    mine = next(
        i
        for i in sorted(store.incidents.values(), key=lambda i: i.id)
        if i.is_open and i.customer and i.assignee == ME and i.severity <= 3
    )
    moment = [NOW]
    toasts = Toasts()

    async def scenario() -> None:
        app = console.app(clock=lambda: moment[0])
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            owed = app.model.customers[mine.id]
            assert owed is not None
            moment[0] = max(NOW, owed.due_at) + timedelta(seconds=1)
            await settle(pilot, lambda: bool(toasts.saying(f"{mine.id}: ")), 3)
            assert app.live.bells_rung == 1

    run(scenario)
    assert "is owed an update now" in toasts.saying(mine.id)[0]


def test_a_satisfaction_score_from_the_dialog(console: Console) -> None:
    target = first(console.incidents(), Status.ACKNOWLEDGED)

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, target.id)
            await pilot.press("c")
            await settle(pilot, lambda: screen_name(app) == "CommunicationForm")
            form = app.screen
            form.query_one("#direction").value = Direction.INBOUND  # type: ignore[attr-defined]
            form.query_one("#csat").value = 4  # type: ignore[attr-defined]
            form.query_one("#counterpart").value = "Acme"  # type: ignore[attr-defined]
            await pilot.press("enter", *"All good now", "ctrl+s")
            await settle(
                pilot,
                lambda: app.model.incidents[target.id].communications == target.communications + 1,
            )

    run(scenario)
    event = console.history(target.id).timeline[-1]
    assert isinstance(event, e.CommunicationLogged) and event.csat == 4


@pytest.fixture
def now_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Console, datetime]:
    """A demo store made now, for a console and `esctui metrics` to read at (nearly) the same
    moment: the CLI's clock is the wall clock."""
    made = datetime.now(UTC)
    store = tmp_path / "store"
    directory, events = build_demo(60, seed=5, now=made)
    create_store(store, directory, events, now=made)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("ESCTUI_CONFIG", str(config))
    monkeypatch.setenv("TZ", "UTC")
    return Console(store, config), made


def test_the_kpi_screen_shows_what_metrics_json_says(
    now_store: tuple[Console, datetime],
) -> None:
    console, made = now_store
    shown: dict[str, str] = {}

    async def scenario() -> None:
        app = console.app(clock=lambda: made)
        async with app.run_test(size=(160, 60)) as pilot:
            await opened(pilot)
            await pilot.press("m")
            await settle(pilot, lambda: screen_name(app) == "KpiScreen")
            title = app.screen.query_one("#kpi-title", Static)
            await settle(pilot, lambda: "last 7 days" in str(title.render()), 10)
            for name in ("headline", "services"):
                shown[name] = str(app.screen.query_one(f"#kpi-{name}", Static).render())
            await pilot.press("3")
            await settle(pilot, lambda: "last 30 days" in str(title.render()))
            await pilot.press("escape")
            await settle(pilot, lambda: screen_name(app) == "QueueScreen")

    run(scenario)
    result = CliRunner().invoke(
        cli, ["--store", str(console.store), "metrics", "--json", "--since", "7d"]
    )
    said = msgspec.json.decode(result.output.encode(), type=Metrics)
    assert json.loads(result.output)["overall"]["incidents"] > 0
    for label, value in headline(said.overall, said.pages_recorded):
        assert f"{label}" in shown["headline"] and value in shown["headline"], label
    for row in service_rows(said):
        assert "  ".join(row).split()[0] in shown["services"]
        for cell in row:
            assert cell in shown["services"], (row, cell)


def said_by_metrics_json(console: Console) -> Metrics:
    result = CliRunner().invoke(
        cli, ["--store", str(console.store), "metrics", "--json", "--since", "7d"]
    )
    return msgspec.json.decode(result.output.encode(), type=Metrics)


def test_the_kpi_screen_counts_what_changed_since_it_was_first_opened(
    now_store: tuple[Console, datetime],
) -> None:
    """The console keeps each incident's facts; an incident acknowledged elsewhere afterwards
    is counted when the screen opens again, as `metrics --json` counts it."""
    console, made = now_store
    before = said_by_metrics_json(console)
    target = first(console.incidents(), Status.TRIGGERED)
    shown: list[str] = []

    async def kpi_responders(pilot: Any, app: Any) -> str:
        await pilot.press("m")
        await settle(pilot, lambda: screen_name(app) == "KpiScreen")
        title = app.screen.query_one("#kpi-title", Static)
        await settle(pilot, lambda: "last 7 days" in str(title.render()), 10)
        text = str(app.screen.query_one("#kpi-responders", Static).render())
        await pilot.press("escape")
        await settle(pilot, lambda: screen_name(app) == "QueueScreen")
        return text

    async def scenario() -> None:
        app = console.app(clock=lambda: made)
        async with app.run_test(size=(160, 60)) as pilot:
            await opened(pilot)
            shown.append(await kpi_responders(pilot, app))
            execute(console.store, c.Acknowledge(incident=target.id), "nora")
            await settle(pilot, lambda: app.model.incidents[target.id].assignee == "nora", 10)
            shown.append(await kpi_responders(pilot, app))

    run(scenario)
    after = said_by_metrics_json(console)
    rows_before, rows_after = responder_rows(before), responder_rows(after)
    assert rows_before != rows_after, "the acknowledgement changed nobody's figures"
    for rows, text in ((rows_before, shown[0]), (rows_after, shown[1])):
        for row in rows:
            assert "  ".join(row).split()[0] in text
            line = next(line for line in text.splitlines() if line.split()[:1] == [row[0]])
            assert line.split() == " ".join(row).split(), (row, line)
