"""Durations as responders type and read them: `30m`, `2h`, `1h30m`, `7d`."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
PART = re.compile(r"(\d+)\s*([smhdw])")
# Ten years: more than any window, snooze or report needs, and far from where date arithmetic
# overflows.
LONGEST = timedelta(days=3650)


def parse_duration(text: str) -> timedelta:
    """`30m`, `2h`, `1h30m`, `7d`, `2w` (or a bare number of minutes), at most `LONGEST`.
    ValueError otherwise."""
    cleaned = text.strip().lower()
    if cleaned.isdigit():
        seconds = int(cleaned) * 60
    else:
        parts = PART.findall(cleaned)
        if not parts or PART.sub("", cleaned).strip():
            raise ValueError(f"{text!r} is not a duration; write it like 30m, 2h, 1h30m or 7d")
        seconds = sum(int(n) * UNITS[unit] for n, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a duration longer than zero")
    if seconds > LONGEST.total_seconds():
        raise ValueError(f"{text!r} is longer than esctui takes (3650d, about ten years)")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Two units at most, as a countdown reads: `45s`, `12m`, `2h05m`, `3d04h`; `-` when past."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        text = f"{days}d{hours:02d}h"
    elif hours:
        text = f"{hours}h{minutes:02d}m"
    elif minutes:
        text = f"{minutes}m{seconds:02d}s" if minutes < 10 else f"{minutes}m"
    else:
        text = f"{seconds}s"
    return sign + text


def format_minutes(minutes: int) -> str:
    """A whole number of minutes as a responder writes a target: `5m`, `4h`, `1h30m`, `3d`."""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    return text or "0m"
