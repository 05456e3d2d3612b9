"""Times are shown in the display time zone (config `time_zone`, else the system's), and a
time typed without a zone means that zone; stored times and JSON stay UTC."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from esctui.wording import clock

from .conftest import Run, reopen

TOKYO = ZoneInfo("Asia/Tokyo")  # UTC+9 all year: no daylight saving to trip over


@pytest.fixture
def in_tokyo(config_file: Callable[[str], Path]) -> None:
    config_file('time_zone = "Asia/Tokyo"\n')


@pytest.mark.usefixtures("in_tokyo")
def test_show_and_status_speak_the_display_zone(run: Run, store_path: Path) -> None:
    incident = min(i.id for i in reopen(store_path).incidents.values() if i.is_open)
    run("note", incident, "checking")
    history = reopen(store_path).history(incident)
    noted = history.timeline[-1].at
    now = datetime.now(UTC)
    output = run("show", incident).output
    assert f"{clock(noted, now, TOKYO):>11}  note by frank: checking" in output
    assert f"{noted.astimezone(TOKYO):%H:%M}" != f"{noted:%H:%M}"
    assert " JST" in run("status").output.splitlines()[0]
    assert "JST" in run("report").output.splitlines()[0]


@pytest.mark.usefixtures("in_tokyo")
def test_oncall_at_a_bare_time_means_the_display_zone(run: Run) -> None:
    data = json.loads(run("oncall", "--at", "09:00", "--json").output)
    at = datetime.fromisoformat(data["at"])
    assert at.utcoffset() is not None and at.utcoffset().total_seconds() == 0  # JSON is UTC
    assert (at.astimezone(TOKYO).hour, at.astimezone(TOKYO).minute) == (9, 0)
    text = run("oncall", "--at", "2026-11-23T09:00").output
    assert text.startswith("on call at 2026-11-23 09:00 JST")
    data = json.loads(run("oncall", "--at", "2026-11-23T09:00", "--json").output)
    assert datetime.fromisoformat(data["at"]) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


@pytest.mark.usefixtures("in_tokyo")
def test_snooze_says_its_end_in_the_display_zone(run: Run, store_path: Path) -> None:
    incident = min(i.id for i in reopen(store_path).incidents.values() if i.is_open)
    result = run("snooze", incident, "--for", "2h")
    until = reopen(store_path).incidents[incident].snoozed_until
    assert until is not None and until.utcoffset() is not None
    assert until.utcoffset().total_seconds() == 0  # stored in UTC
    assert f"snoozed until {clock(until, datetime.now(UTC), TOKYO)} JST." in result.output


def test_the_system_zone_is_the_default(
    run: Run, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    data = json.loads(run("oncall", "--at", "09:00", "--json").output)
    at = datetime.fromisoformat(data["at"])
    assert (at.astimezone(TOKYO).hour, at.astimezone(TOKYO).minute) == (9, 0)
