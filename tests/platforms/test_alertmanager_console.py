"""The console over a real Alertmanager: `a` makes the acknowledgement silence in the
responder's name, and what Alertmanager cannot do is neither on the key bar nor in the
palette, and says why when asked for anyway."""

from __future__ import annotations

import asyncio
from pathlib import Path

from esctui.backends.alertmanager import AlertmanagerBackend, AlertmanagerSettings
from esctui.config import Config
from esctui.theme_files import bundled_themes_folder
from esctui.tui import ConsoleApp, ConsoleOptions
from esctui.tui.widgets.key_bar import KeyBar
from live_alertmanager import LiveAlertmanager, alert
from tui.conftest import Toasts, opened, settle
from tui.test_palette import palette


def console(am: LiveAlertmanager, tmp_path: Path, poll_every: float = 0.2) -> ConsoleApp:
    backend = AlertmanagerBackend(
        AlertmanagerSettings(urls=(am.url,), identity="carol", poll_every=poll_every)
    )
    options = ConsoleOptions(
        me="carol",
        config=Config(),
        config_path=tmp_path / "config.toml",
        theme_folders=(bundled_themes_folder(),),
    )
    return ConsoleApp(backend, options)


def offered(bar: KeyBar) -> list[str]:
    return [key.description for key in bar.keys if key.enabled]


def test_a_in_the_console_acknowledges_with_a_silence_and_r_is_not_offered(
    alertmanager: LiveAlertmanager, tmp_path: Path
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    toasts = Toasts()

    async def scenario() -> None:
        app = console(alertmanager, tmp_path)
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            bar = app.query_one(KeyBar)
            await settle(pilot, lambda: "Ack" in offered(bar))
            assert not {"Resolve", "Escalate", "Reopen", "Comm"} & set(offered(bar))
            actions = await palette(pilot)
            assert "Acknowledge" in actions and "Snooze" in actions
            assert not {"Resolve", "Escalate", "Reopen"} & set(actions)

            await pilot.press("r")
            await settle(pilot, lambda: bool(toasts.saying("stops firing")))
            assert alertmanager.active_silences() == []

            await pilot.press("a")
            await settle(pilot, lambda: bool(alertmanager.active_silences()))
            [silence] = alertmanager.active_silences()
            assert silence["createdBy"] == "carol" and silence["comment"].startswith("ACK!")
            gid = app.queue.table.current_id
            assert gid is not None
            await settle(pilot, lambda: app.model.incidents[gid].acknowledged_by == "carol")
            await settle(pilot, lambda: "Hand off" in offered(bar))  # an ack to pass on now

    asyncio.run(scenario())


def test_another_tools_ack_reaches_the_open_console(
    alertmanager: LiveAlertmanager, tmp_path: Path
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])

    async def scenario() -> None:
        app = console(alertmanager, tmp_path)
        async with app.run_test(size=(160, 40)) as pilot:
            await opened(pilot)
            gid = app.queue.table.current_id
            assert gid is not None
            alertmanager.silence({"alertname": "DiskFull"}, by="dave", comment="ACK! on it")
            await settle(pilot, lambda: app.model.incidents[gid].acknowledged_by == "dave")

    asyncio.run(scenario())


def test_ctrl_r_reads_alertmanager_again_without_waiting_for_the_next_poll(
    alertmanager: LiveAlertmanager, tmp_path: Path
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    toasts = Toasts()

    async def scenario() -> None:
        app = console(alertmanager, tmp_path, poll_every=600)  # no poll while this runs
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            before = set(app.model.incidents)
            alertmanager.post([alert("CertExpiry", summary="Certificate expires today")])
            await pilot.press("ctrl+r")
            await settle(pilot, lambda: len(app.model.incidents) == len(before) + 1)
            assert toasts.saying("again")
            [new] = set(app.model.incidents) - before
            assert app.model.incidents[new].title.startswith("Certificate expires today")

    asyncio.run(scenario())
