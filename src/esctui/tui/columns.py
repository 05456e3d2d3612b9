"""The queue's columns: what each cell says, how wide it is, and which go first on a narrow
terminal. Plain text and tone names only; the queue widget turns tones into theme styles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rich.cells import cell_len, set_cell_size

from esctui.domain.cadence import CustomerDue, Owed
from esctui.domain.durations import format_duration
from esctui.domain.models import Incident, Status
from esctui.domain.sla import Clock, Deadline, SlaRecord
from esctui.wording import scrub

Tone = Literal["", "sev1", "sev2", "muted", "warning", "breached"]

REDACTED_TITLE = "(title hidden)"
REDACTED_CUSTOMER = "(hidden)"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    drop_rank: int = 0  # 0: always shown; otherwise dropped in rank order when room runs out
    right: bool = False
    ticks: bool = False  # its text depends on the clock


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", 9),
    Column("severity", "SEV", 4),
    Column("status", "STATUS", 6),
    Column("sla", "SLA", 9, right=True, ticks=True),
    Column("age", "AGE", 6, drop_rank=3, right=True, ticks=True),
    Column("level", "LVL", 3, drop_rank=2),
    Column("assignee", "ASSIGNEE", 10),
    Column("service", "SERVICE", 14, drop_rank=4),
    Column("title", "TITLE", 0),  # takes what is left
    Column("customer_update", "CUST", 6, drop_rank=1, right=True, ticks=True),
)
MARK_WIDTH = 2  # the selection mark and a space before the first column
GAP = 1
TITLE_ROOM = 20


@dataclass(frozen=True)
class Placed:
    column: Column
    x: int
    width: int


def layout(width: int) -> list[Placed]:
    """Where each shown column sits for a queue `width` cells wide."""
    shown = list(COLUMNS)
    for rank in sorted({c.drop_rank for c in COLUMNS if c.drop_rank}):
        fixed = sum(c.width + GAP for c in shown if c.key != "title")
        if width - MARK_WIDTH - fixed >= TITLE_ROOM:
            break
        shown = [c for c in shown if c.drop_rank != rank]
    fixed = sum(c.width + GAP for c in shown if c.key != "title")
    title_width = max(8, width - MARK_WIDTH - fixed)
    placed, x = [], MARK_WIDTH
    for column in shown:
        w = title_width if column.key == "title" else column.width
        placed.append(Placed(column, x, w))
        x += w + GAP
    return placed


CLOCK_LETTERS = {Clock.ACKNOWLEDGE: "a", Clock.RESOLVE: "r"}
NOT_READ_YET = "…"  # a resolved incident's record needs its timeline, read on demand


def sla_text(
    incident: Incident,
    deadline: Deadline | None,
    now: datetime,
    record: SlaRecord | None = None,
) -> str:
    """`a 4m12s` to acknowledge, `r 3h05m` to resolve, negative once breached; for a resolved
    incident what became of its deadlines (`met`, `a missed`, `r missed`, `missed`) once its
    `record` is known."""
    if incident.status is Status.RESOLVED:
        return NOT_READ_YET if record is None else record.verdict(CLOCK_LETTERS)
    if deadline is None:
        return "-"
    return f"{CLOCK_LETTERS[deadline.clock]} {format_duration(deadline.time_left(now))}"


def sla_tone(
    incident: Incident, deadline: Deadline | None, now: datetime, record: SlaRecord | None = None
) -> Tone:
    if incident.status is Status.RESOLVED:
        return "warning" if record is not None and record.missed() else "muted"
    if deadline is None:
        return ""
    if deadline.breached(now):
        return "breached"
    if deadline.at_risk(now):
        return "warning"
    return ""


def status_text(incident: Incident, now: datetime) -> str:
    text = {"triggered": "TRIG", "acknowledged": "ACK", "resolved": "RES"}[incident.status.value]
    return f"{text} z" if incident.snoozed(now) else text


def customer_text(customer: CustomerDue | None, now: datetime) -> tuple[str, Tone]:
    """Time left to the customer's next update (`12m`, `-4m` once overdue), or to the
    follow-up after the resolution (`f 20h`); warning when close, a badge once overdue."""
    if customer is None:
        return "-", "muted"
    left = customer.due_at - now
    tone: Tone = "breached" if customer.overdue(now) else "warning" if customer.close(now) else ""
    if customer.owed is Owed.FOLLOW_UP:
        hours = int(left.total_seconds() // 3600)
        return (f"f {hours}h" if hours else f"f {int(left.total_seconds() // 60)}m"), tone
    return format_duration(left), tone


def cell(
    key: str,
    incident: Incident,
    deadline: Deadline | None,
    now: datetime,
    redact: bool,
    record: SlaRecord | None = None,
    customer: CustomerDue | None = None,
) -> tuple[str, Tone]:
    """The text of one cell and its tone (`record`: a resolved incident's, if known;
    `customer`: what its customer is owed). Data is scrubbed: a title cannot drive the
    terminal."""
    if key == "id":
        return incident.id, ""
    if key == "severity":
        tone: Tone = "sev1" if incident.severity == 1 else "sev2" if incident.severity == 2 else ""
        return f"SEV{incident.severity}", tone
    if key == "status":
        muted = incident.status is Status.RESOLVED or incident.snoozed(now)
        return status_text(incident, now), "muted" if muted else ""
    if key == "sla":
        return sla_text(incident, deadline, now, record), sla_tone(incident, deadline, now, record)
    if key == "age":
        return format_duration(now - incident.created_at), ""
    if key == "level":
        return f"L{incident.level}{'!' if incident.exhausted else ''}", (
            "warning" if incident.exhausted else ""
        )
    if key == "assignee":
        return scrub(incident.assignee or "-"), "" if incident.assignee else "muted"
    if key == "service":
        return scrub(incident.service), ""
    if key == "title":
        return (REDACTED_TITLE, "muted") if redact else (scrub(incident.title), "")
    if key == "customer_update":
        return customer_text(customer, now)
    raise KeyError(key)


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` padded or cut (with an ellipsis) to exactly `width` cells; wide characters
    (CJK, emoji) count as the two cells they take."""
    if width <= 0:
        return ""
    if text.isascii():
        if len(text) > width:
            text = text[: width - 1] + "…"
        return text.rjust(width) if right else text.ljust(width)
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    padding = " " * (width - cell_len(text))
    return padding + text if right else text + padding


TICKING = (*(c.key for c in COLUMNS if c.ticks), "status")  # snoozes end too


def ticking_texts(
    incident: Incident,
    deadline: Deadline | None,
    now: datetime,
    record: SlaRecord | None = None,
    customer: CustomerDue | None = None,
) -> tuple[tuple[str, Tone], ...]:
    """The clock-driven cells of a row, to compare from one second to the next."""
    return tuple(cell(key, incident, deadline, now, False, record, customer) for key in TICKING)
