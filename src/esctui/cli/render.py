"""Plain-text output: CSV, and tables that fit the terminal. Words for data live in `wording`."""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Iterable, Sequence

from esctui.wording import (
    age,
    clock,
    countdown,
    describe,
    fit,
    hanging,
    scrub,
    scrub_lines,
    severity,
    stamp,
    who,
    zone_name,
)

# The CLI's words for data are every face's (`wording`); `r.scrub(...)` reads well here.
__all__ = [
    "age",
    "clock",
    "countdown",
    "describe",
    "fit",
    "hanging",
    "room_left",
    "scrub",
    "scrub_lines",
    "severity",
    "stamp",
    "table",
    "who",
    "width",
    "write_csv",
    "zone_name",
]


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """CSV on stdout, with data scrubbed as in every other plain output and kept from running
    as a formula in a spreadsheet."""
    writer = csv.writer(sys.stdout)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_text(cell) if isinstance(cell, str) else cell for cell in row])


# A spreadsheet runs a cell that starts with one of these (`=HYPERLINK(...)`, `+cmd|...`).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """`text` scrubbed, with a leading quote when it would start a formula (the usual
    convention: the spreadsheet shows the text, quote hidden, and runs nothing)."""
    shown = scrub(text)
    return "'" + shown if shown.startswith(FORMULA_LEADS) else shown


def width() -> int:
    return max(60, shutil.get_terminal_size((120, 24)).columns)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    limit: int | None = None,
    droppable: Sequence[str] = (),
) -> str:
    """Left-aligned columns; the last column is cut to fit the terminal's width. On a narrow
    terminal the `droppable` columns go first, in that order, to leave the last one
    `LAST_COLUMN_ROOM` characters."""
    limit = limit or width()
    keep = list(range(len(headers)))
    for name in droppable:
        if room_left(headers, rows, keep, limit) >= LAST_COLUMN_ROOM:
            break
        keep.remove(headers.index(name))
    headers = [headers[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:-1])]
    room = max(10, room_left(headers, rows, list(range(len(headers))), limit))
    lines = []
    for cells in [headers, *rows]:
        head = "  ".join(cell.ljust(w) for cell, w in zip(cells[:-1], widths, strict=False))
        last = cells[-1] if len(cells[-1]) <= room else cells[-1][: room - 1] + "…"
        lines.append(f"{head}  {last}".rstrip())
    return "\n".join(lines)


LAST_COLUMN_ROOM = 30


def room_left(
    headers: Sequence[str], rows: Sequence[Sequence[str]], keep: list[int], limit: int
) -> int:
    """Characters left for the last column when the columns in `keep` are shown."""
    shown = keep[:-1]
    return limit - sum(max([len(headers[i]), *(len(r[i]) for r in rows)]) + 2 for i in shown)
