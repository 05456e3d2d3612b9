"""The console over PagerDuty (the stateful fake): what PagerDuty's API cannot do is not in
the palette and says why when asked for; `a` acknowledges through `PUT /incidents`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings
from esctui.config import Config
from esctui.theme_files import bundled_themes_folder
from esctui.tui import ConsoleApp, ConsoleOptions
from fake_pagerduty import FakePagerDuty
from tui.conftest import Toasts, opened, put_cursor_on, settle
from tui.test_palette import palette


def test_unacknowledge_is_not_offered_and_a_acknowledges(
    pagerduty: FakePagerDuty, tmp_path: Path
) -> None:
    backend = PagerDutyBackend(
        PagerDutySettings(from_email="carol@example.com", token=pagerduty.token, url=pagerduty.url)
    )
    options = ConsoleOptions(
        me="carol@example.com",
        config=Config(),
        config_path=tmp_path / "config.toml",
        theme_folders=(bundled_themes_folder(),),
    )
    toasts = Toasts()

    async def scenario() -> None:
        app = ConsoleApp(backend, options)
        async with app.run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            await opened(pilot)
            await put_cursor_on(pilot, "PDisk01")
            await pilot.press("a")
            await settle(pilot, lambda: bool(pagerduty.requests("PUT", "/incidents")))
            await settle(pilot, lambda: app.model.incidents["PDisk01"].status == "acknowledged")
            assert "Unacknowledge" not in await palette(pilot)
            await pilot.press("u")
            await settle(pilot, lambda: bool(toasts.saying("cannot unacknowledge")))

    asyncio.run(scenario())
