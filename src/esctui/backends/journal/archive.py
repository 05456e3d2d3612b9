"""Incidents resolved long ago, moved out of the snapshot so start-up follows the open queue.

One JSON-lines file per month of resolution (`archive/2026-11.jsonl`), each line an incident
with its timeline. Appending is the only write; a record written twice (a compaction cut short
and run again) is read once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import msgspec

from esctui.backends.base import IncidentHistory, StoreError
from esctui.backends.journal import codec, files


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
        self.path.mkdir(exist_ok=True)
        for month, lines in sorted(by_month.items()):
            files.append_durably(self.path / f"{month}.jsonl", b"".join(lines))
        files.fsync_directory(self.path)

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
            with open(file, "rb") as handle:
                for number, line in enumerate(handle, 1):
                    if not line.endswith(b"\n"):
                        continue  # an append cut short; the record is still in the snapshot
                    try:
                        yield codec.record_decoder.decode(line)
                    except msgspec.DecodeError as error:
                        raise StoreError(f"{file} line {number} is damaged ({error}).") from None

    def find(self, incident_id: str) -> IncidentHistory | None:
        found = None
        for record in self.records(self.months()):
            if record.incident.id == incident_id:
                found = record
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
