"""Incidents resolved long ago, moved out of the snapshot so start-up follows the open queue.

One JSON-lines file per month of resolution (`archive/2026-11.jsonl`), each line an incident
with its timeline. Appending is the only write; a record written twice (a compaction cut short
and run again) is read once. As with the journal, a bad last line (an append cut short by a
crash) is ignored on read and cut off by the next compaction before it appends; an append that
fails (a full disk) is cut back at once. A bad line with good lines after it is damage.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import msgspec

from esctui.stores.journal import codec, files
from esctui.stores.records import IncidentHistory, StoreError


class Archive:
    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, records: list[codec.IncidentRecord]) -> None:
        by_month: dict[str, list[bytes]] = {}
        for record in records:
            assert record.incident.resolved_at is not None
            month = f"{record.incident.resolved_at:%Y-%m}"
            by_month.setdefault(month, []).append(codec.encoder.encode(record) + b"\n")
        if not by_month:
            return
        try:
            files.make_directory(self.path, files.directory_mode(self.path.parent))
            for month, lines in sorted(by_month.items()):
                file = self.path / f"{month}.jsonl"
                cut_bad_tail(file)
                files.append_durably(file, b"".join(lines))
            files.fsync_directory(self.path)
        except OSError as error:
            raise StoreError(f"Cannot write {self.path}: {files.describe(error)}.") from None

    def clear(self) -> None:
        if self.path.is_dir():
            for file in self.path.glob("*.jsonl"):
                file.unlink()

    def months(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(self.path.glob("????-??.jsonl"))

    def records(self, files_: list[Path]) -> Iterator[codec.IncidentRecord]:
        for file in files_:
            try:
                handle = open(file, "rb")  # noqa: SIM115 (closed by the `with` below)
            except OSError as error:
                raise StoreError(f"Cannot read {file}: {files.describe(error)}.") from None
            with handle:
                bad: tuple[int, str] | None = None
                for number, line in enumerate(handle, 1):
                    if bad is not None:
                        raise StoreError(
                            f"{file} line {bad[0]} is damaged ({bad[1]}) and good lines follow "
                            "it; restore the file from a backup, or remove that line by hand."
                        )
                    record = decoded(line)
                    if isinstance(record, str):
                        # Cut short, if it is the last line: its incident is still in the
                        # snapshot, which is written after the archive.
                        bad = (number, record)
                        continue
                    yield record

    def record(self, incident_id: str) -> codec.IncidentRecord | None:
        """The incident's newest record (one brought back and archived again has two)."""
        found = None
        for record in self.records(self.months()):
            if record.incident.id == incident_id:
                found = record
        return found

    def find(self, incident_id: str) -> IncidentHistory | None:
        found = self.record(incident_id)
        return history(found) if found is not None else None

    def since(self, since: datetime) -> list[IncidentHistory]:
        """Archived incidents resolved in or after the month of `since`, once each."""
        first = f"{since:%Y-%m}"
        chosen = [f for f in self.months() if f.stem >= first]
        latest: dict[str, codec.IncidentRecord] = {}
        for record in self.records(chosen):
            latest[record.incident.id] = record
        return [
            history(r)
            for r in latest.values()
            if r.incident.resolved_at is not None and r.incident.resolved_at >= since
        ]


def history(record: codec.IncidentRecord) -> IncidentHistory:
    return IncidentHistory(
        incident=record.incident, timeline=codec.timeline_decoder.decode(record.timeline)
    )


def decoded(line: bytes) -> codec.IncidentRecord | str:
    """The record on `line`, or why it is not one."""
    if not line.endswith(b"\n"):
        return "cut short"
    try:
        return codec.record_decoder.decode(line)
    except msgspec.DecodeError as error:
        return str(error)


def cut_bad_tail(file: Path) -> None:
    """Cut off a last line that is not a whole record, so the next append starts clean."""
    try:
        handle = open(file, "rb")  # noqa: SIM115 (closed by the `with` below)
    except FileNotFoundError:
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return
        start = last_line_start(handle, size)
        handle.seek(start)
        if isinstance(decoded(handle.read()), str):
            files.truncate_durably(file, start)


def last_line_start(handle: BinaryIO, size: int) -> int:
    """Where the last line of the file open as `handle` starts, reading back from its end."""
    limit = size - 1  # a newline ending the file ends its last line; it does not start it
    while limit > 0:
        start = max(0, limit - 65536)
        handle.seek(start)
        found = handle.read(limit - start).rfind(b"\n")
        if found != -1:
            return start + found + 1
        limit = start
    return 0
