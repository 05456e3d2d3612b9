"""Every number and date that reaches date arithmetic has a sane bound, checked where the
directory is read: beyond them Python's datetime overflows, and no team means them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from esctui.domain.durations import parse_duration
from esctui.domain.models import Directory

HUGE = 99_999_999_999_999


def team(**changes: Any) -> dict[str, Any]:
    rotation: dict[str, Any] = {"name": "r", "members": ["a"]}
    policy: dict[str, Any] = {
        "name": "p",
        "levels": [{"targets": [{"kind": "rotation", "name": "r"}]}],
    }
    data: dict[str, Any] = {
        "responders": [{"name": "a"}],
        "rotations": [rotation],
        "policies": [policy],
        "services": [{"name": "s", "policy": "p"}],
    }
    for where, value in changes.items():
        if where == "shift_hours":
            rotation["shift_hours"] = value
        elif where == "start_date":
            rotation["start_date"] = value
        elif where == "override":
            rotation["overrides"] = [{"responder": "a", **value}]
        elif where == "timeout_minutes":
            policy["levels"][0]["timeout_minutes"] = value
        elif where in ("repeat", "acknowledge_timeout_minutes"):
            policy[where] = value
        elif where == "sla":
            data["sla"] = {"1": {"acknowledge_minutes": 5, "resolve_minutes": value}}
    return data


def test_a_sane_directory_is_taken() -> None:
    directory = msgspec.convert(
        team(
            shift_hours=24,
            timeout_minutes=60 * 24 * 365,
            repeat=100,
            override={"start": "2026-12-24T09:00:00Z", "end": "2026-12-27T09:00:00Z"},
        ),
        Directory,
        strict=False,
    )
    assert directory.policies[0].levels[0].timeout_minutes == 525_600


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"shift_hours": HUGE}, "$.rotations[0].shift_hours"),
        ({"timeout_minutes": HUGE}, "$.policies[0].levels[0].timeout_minutes"),
        ({"acknowledge_timeout_minutes": HUGE}, "$.policies[0].acknowledge_timeout_minutes"),
        ({"repeat": HUGE}, "$.policies[0].repeat"),
        ({"sla": HUGE}, "$.sla[...].resolve_minutes"),
    ],
)
def test_numbers_past_their_bound_are_refused_naming_the_field(
    change: dict[str, int], where: str
) -> None:
    with pytest.raises(msgspec.ValidationError, match=r"<= \d+ - at `" + re.escape(where)):
        msgspec.convert(team(**change), Directory, strict=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"override": {"start": "0001-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}},
            "'start' is in the year 1; esctui takes the years 2000 to 2200 - at "
            "`$.rotations[0].overrides[0]`",
        ),
        (
            {"override": {"start": "2026-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"}},
            "'end' is in the year 9999",
        ),
        (
            {"start_date": "0001-01-01"},
            "'start_date' is in the year 1; esctui takes the years 2000 to 2200 - at "
            "`$.rotations[0]`",
        ),
    ],
)
def test_dates_outside_the_years_esctui_takes_are_refused(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(team(**change), Directory, strict=False)
    assert message in str(caught.value)


def test_a_duration_has_an_upper_bound() -> None:
    assert parse_duration("3650d") == timedelta(days=3650)
    for text in ("3651d", "99999999999999999d", "9" * 40 + "w", "99999999999999"):
        with pytest.raises(ValueError, match="longer than esctui takes"):
            parse_duration(text)
