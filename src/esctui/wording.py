"""Words for data: times, countdowns, event sentences, with control characters made visible.

Shared by every face. A title, a note or a name is data: whatever it holds is shown, never
obeyed by the terminal.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from esctui.domain import events as e
from esctui.domain.durations import format_duration
from esctui.domain.models import Incident
from esctui.domain.sla import Deadline
from esctui.domain.undo import CHANGES

# C0 controls, DEL and C1 controls become visible escapes: a title can never move the cursor,
# change colours or ring the bell on a responder's terminal.
CONTROLS = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]}
# Characters that draw nothing yet change what is drawn: bidi overrides and isolates (which
# let "db-1 (fixed)" read backwards), zero-width spaces and joiners, the byte-order mark, and
# line and paragraph separators. Shown as `\uNNNN`, a title cannot pass for another.
INVISIBLE = [
    0x061C,
    0x180E,
    *range(0x200B, 0x2010),
    *range(0x2028, 0x202F),
    *range(0x2060, 0x2070),
    0xFEFF,
    *range(0xFFF9, 0xFFFC),
]
SHOWN = {**CONTROLS, **{code: f"\\u{code:04x}" for code in INVISIBLE}}


def scrub(text: str) -> str:
    """`text` with every control character shown as `\\xNN` and every invisible one that
    changes what is drawn as `\\uNNNN`, safe to print."""
    return text.translate(SHOWN)


def scrub_lines(text: str) -> str:
    """`text` scrubbed line by line: a line break in a note is a line break (the caller indents
    what follows it, see `hanging`); every other control character is still shown."""
    return "\n".join(scrub(line) for line in text.replace("\r\n", "\n").split("\n"))


def hanging(text: str, indent: int) -> str:
    """`text` with its lines after the first indented by `indent` spaces, so they stand under
    the entry they belong to."""
    return text.replace("\n", "\n" + " " * indent)


def clock(at: datetime | None, now: datetime, zone: tzinfo) -> str:
    """`03:12` today, `11-20 03:12` this year, `2025-11-20` before, in `zone` (the responder's
    display zone: stored times are UTC)."""
    if at is None:
        return "-"
    at, now = at.astimezone(zone), now.astimezone(zone)
    if at.date() == now.date():
        return f"{at:%H:%M}"
    if at.year == now.year:
        return f"{at:%m-%d %H:%M}"
    return f"{at:%Y-%m-%d}"


def stamp(at: datetime, zone: tzinfo) -> str:
    """`2026-11-23 09:00 CET`: a moment in full, in `zone`, with the zone's short name."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def zone_name(at: datetime, zone: tzinfo) -> str:
    """`CET` or `CEST`: the short name `zone` goes by at `at`."""
    return f"{at.astimezone(zone):%Z}"


def age(at: datetime, now: datetime) -> str:
    return format_duration(now - at)


def countdown(deadline: Deadline | None, now: datetime) -> str:
    """Time left on the next SLA clock: `12m`, or `-3m` once breached; `-` when none runs."""
    if deadline is None:
        return "-"
    prefix = "ack " if deadline.clock == "acknowledge" else "res "
    return prefix + format_duration(deadline.time_left(now))


def severity(incident: Incident) -> str:
    return f"SEV{incident.severity}"


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def who(name: str | None) -> str:
    return scrub(name) if name else "esctui"


def describe(event: e.AnyEvent, zone: tzinfo) -> str:
    """What happened, as a timeline reads: one line, unless a note or a summary has several
    (indent them with `hanging`)."""
    actor = who(event.by)
    match event:
        case e.Triggered():
            assigned = f", paging {who(event.assignee)}" if event.assignee else ", nobody on call"
            if event.quiet:
                assigned = ", quiet: its service is in maintenance (nobody is paged)"
            return f"triggered by {actor if event.by else 'monitoring'}{assigned}"
        case e.Acknowledged():
            return f"acknowledged by {acting(event.by, event.via)}"
        case e.Unacknowledged():
            reason = f": {scrub(event.reason)}" if event.reason else ""
            return f"unacknowledged by {actor}{reason}"
        case e.HandedOff():
            note = f": {scrub_lines(event.note)}" if event.note else ""
            return (
                f"handed off by {actor} from {who(event.from_responder)} to {who(event.to)}{note}"
            )
        case e.Escalated():
            how = "" if event.by is None else f" by {actor}"
            reason = f" ({scrub(event.reason)})" if event.reason else ""
            cycle = f", round {event.cycle + 1}" if event.cycle else ""
            return (
                f"escalated{how} from level {event.from_level} to {event.to_level}{cycle}"
                f"{reason}, paging {who(event.assignee)}"
            )
        case e.EscalationExhausted():
            return f"escalation exhausted at level {event.level}: nobody left to page"
        case e.Snoozed():
            return f"snoozed by {actor} until {event.until.astimezone(zone):%m-%d %H:%M}"
        case e.Resolved():
            note = f": {scrub_lines(event.note)}" if event.note else ""
            return f"resolved by {acting(event.by, event.via)}{note}"
        case e.Reopened():
            reason = f": {scrub(event.reason)}" if event.reason else ""
            return (
                f"reopened by {acting(event.by, event.via)}{reason}, paging {who(event.assignee)}"
            )
        case e.Reverted():
            change = CHANGES.get(event.undone, event.undone)
            holder = f"with {who(event.assignee)}" if event.assignee else "unassigned"
            return f"{change} by {actor} undone: {event.status} at level {event.level}, {holder}"
        case e.NoteAdded():
            return f"note by {actor}: {scrub_lines(event.text)}"
        case e.Paged():
            return paged(event, zone)
        case e.CommunicationLogged():
            arrow = "to" if event.direction == "out" else "from"
            csat = f" [satisfaction {event.csat}/5]" if event.csat is not None else ""
            return (
                f"{event.channel} {arrow} {scrub(event.counterpart)} ({actor}): "
                f"{scrub_lines(event.summary)}{csat}"
            )
        case e.Rerouted():
            reason = f" ({scrub(event.reason)})" if event.reason else ""
            return (
                f"rerouted by {actor} from {scrub(event.from_service)} to "
                f"{scrub(event.to_service)}{reason}, paging {who(event.assignee)}"
            )
        case e.ReviewRecorded():
            return f"review by {actor}: cause {event.cause}: {scrub_lines(event.summary)}"
        case e.FollowUpAdded():
            return (
                f"follow-up {event.incident}/{event.number} for {who(event.owner)} by "
                f"{event.due:%Y-%m-%d}: {scrub_lines(event.action)}"
            )
        case e.FollowUpDone():
            return f"follow-up {event.incident}/{event.number} done by {actor}"
        case e.AlertsReceived():
            return f"alerts from {scrub(event.integration)}: {alert_news(event)}"
        case e.Woken():
            reason = f" ({scrub(event.reason)})" if event.reason else ""
            return f"no longer quiet{reason}, paging {who(event.assignee)}"


def acting(by: str | None, via: str) -> str:
    """Who acted: the responder, else the integration monitoring acted through, else esctui."""
    return who(by) if by or not via else scrub(via)


def alert_news(event: e.AlertsReceived) -> str:
    """What an `alerts-received` event told, in one line: `2 firing, 1 cleared; 5 firing in
    all: SUMMARY`, or `the same again (40 notifications): SUMMARY` for a storm's repeats."""
    told = sum(1 for alert in event.alerts if alert.firing)
    parts = []
    if told:
        parts.append(f"{told} firing")
    if event.cleared:
        parts.append(f"{len(event.cleared)} cleared")
    said = ", ".join(parts) or "the same again"
    if event.received > 1:
        said += f" ({event.received} notifications)"
    if parts and len(event.firing) != told:
        said += f"; {len(event.firing) or 'none'} firing in all"
    return f"{said}: {scrub(event.summary)}"


def paged(event: e.Paged, zone: tzinfo) -> str:
    """`paged erin by phone: delivered`; a failure says why, and when it is tried again."""
    then = f" {event.next_at.astimezone(zone):%m-%d %H:%M}" if event.next_at else ""
    why = f" ({scrub(event.detail)})" if event.detail else ""
    page = f"paged {who(event.to)} by {scrub(event.method)}"
    match event.outcome:
        case "delivered":
            return f"{page}: delivered"
        case "held":
            return f"{page}: held until{then}{why}"
        case "failed":
            return f"{page}: failed{why}; retrying at{then} (try {event.attempt + 1})"
    return f"{page}: gave up after {event.attempt} tries{why}"
