from __future__ import annotations

from datetime import timedelta

import pytest

from esctui.domain.durations import format_duration, format_minutes, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(days=14)),
        ("45", timedelta(minutes=45)),
        (" 1H 5M ", timedelta(minutes=65)),
        ("90s", timedelta(seconds=90)),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "0m", "5x", "m", "1h soon", "-5m"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(seconds=45), "45s"),
        (timedelta(minutes=9, seconds=5), "9m05s"),
        (timedelta(minutes=12, seconds=59), "12m"),
        (timedelta(hours=2, minutes=5), "2h05m"),
        (timedelta(days=3, hours=4, minutes=59), "3d04h"),
        (timedelta(minutes=-3), "-3m00s"),
        (timedelta(0), "0s"),
    ],
)
def test_format(delta: timedelta, shown: str) -> None:
    assert format_duration(delta) == shown


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(5, "5m"), (60, "1h"), (90, "1h30m"), (240, "4h"), (4320, "3d"), (2190, "1d12h30m")],
)
def test_a_target_is_written_as_a_responder_would_type_it(minutes: int, expected: str) -> None:
    assert format_minutes(minutes) == expected
    assert parse_duration(expected) == timedelta(minutes=minutes)  # and reads back the same
