"""How a responder is reached: their contact methods, the time zone they live in and the quiet
hours that hold low-severity pages until morning. The rules of what pages whom are in
`paging.py`; this is the calendar arithmetic and the checks of a directory's contact rules."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from esctui.domain.models import Directory, QuietHours, Responder

# Quiet hours hold pages of these severities (SEV1 and SEV2 wake people at any hour).
HELD_SEVERITIES = frozenset({3, 4})


def clock_time(text: str) -> time:
    """ "HH:MM" as a time of day; `ValueError` otherwise."""
    hours, colon, minutes = text.partition(":")
    try:
        digits = (hours + minutes).isascii() and hours.isdigit() and minutes.isdigit()
        if colon and digits and len(minutes) == 2:
            return time(int(hours), int(minutes))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a time of day like 07:30")


def zone_name(responder: Responder, directory: Directory) -> str:
    """The time zone the responder's quiet hours are read in: theirs, else the team's."""
    return responder.time_zone or directory.paging.time_zone


def quiet_hours(responder: Responder, directory: Directory) -> QuietHours | None:
    """The responder's quiet hours, else the team's; None when there are none."""
    quiet = responder.quiet_hours or directory.paging.quiet_hours
    if quiet is None or quiet.start == quiet.end:
        return None
    return quiet


def held_until(
    at: datetime, severity: int, responder: Responder, directory: Directory
) -> datetime | None:
    """When a page of `severity` falling due at `at` may go out to `responder`: the end of
    their quiet hours when `at` is inside them and the severity is one they hold (SEV3,
    SEV4); None when it goes out at `at`."""
    quiet = quiet_hours(responder, directory)
    if quiet is None or severity not in HELD_SEVERITIES:
        return None
    zone = ZoneInfo(zone_name(responder, directory))
    local = at.astimezone(zone)
    start, end = clock_time(quiet.start), clock_time(quiet.end)
    now = local.time()
    if start < end:
        inside, ends_on = start <= now < end, local.date()
    elif now >= start:  # across midnight, before it: they end tomorrow
        inside, ends_on = True, local.date() + timedelta(days=1)
    else:
        inside, ends_on = now < end, local.date()
    if not inside:
        return None
    return datetime.combine(ends_on, end, tzinfo=zone).astimezone(at.tzinfo)


def problems(directory: Directory) -> list[str]:
    """Sentences naming every contact rule in `directory` that cannot work: an unknown time
    zone, quiet hours that are not times of day, two methods of one responder with one name."""
    found: list[str] = []
    found += zone_problems(directory.paging.time_zone, "the team's paging time zone")
    found += quiet_problems(directory.paging.quiet_hours, "the team's quiet hours")
    for responder in directory.responders:
        who = f"responder {responder.name!r}"
        if responder.time_zone:
            found += zone_problems(responder.time_zone, f"{who}'s time zone")
        found += quiet_problems(responder.quiet_hours, f"{who}'s quiet hours")
        names = [method.name for method in responder.contact]
        for name in sorted({n for n in names if names.count(n) > 1}):
            found.append(f"{who} has two contact methods named {name!r}")
    return found


def zone_problems(name: str, what: str) -> list[str]:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [f"{what} {name!r} is not a known time zone"]
    return []


def quiet_problems(quiet: QuietHours | None, what: str) -> list[str]:
    if quiet is None:
        return []
    found = []
    for edge in (quiet.start, quiet.end):
        try:
            clock_time(edge)
        except ValueError as error:
            found.append(f"{what}: {error}")
    return found
