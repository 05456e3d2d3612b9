"""Writing a snapshot, reading one back, and creating a store from nothing."""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from esctui.domain import lifecycle
from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.domain.oncall import directory_problems
from esctui.stores.ids import incident_number
from esctui.stores.journal import codec, files
from esctui.stores.journal.archive import Archive
from esctui.stores.records import StoreError, StoreExists


def write_snapshot(
    path: Path,
    revision: int,
    next_number: int,
    now: datetime,
    directory: Directory,
    incidents: list[Incident],
    timelines: dict[str, msgspec.Raw],
    keys: msgspec.Raw = codec.NO_KEYS,
) -> None:
    """Timelines first, then the snapshot that names them and holds the idempotency `keys`
    (`codec.RecordedKeys` as JSON; the switch is the snapshot's atomic rename), then remove
    timeline files no snapshot names any more."""
    name = f"timelines-{revision}-{secrets.token_hex(4)}.json"
    files.replace_atomically(path / name, codec.encoder.encode(timelines))
    snapshot = codec.Snapshot(
        schema=codec.SCHEMA,
        revision=revision,
        next_number=next_number,
        written_at=now,
        directory=directory,
        incidents=incidents,
        timelines=name,
        keys=keys,
    )
    files.replace_atomically(path / codec.SNAPSHOT, codec.encoder.encode(snapshot))
    for stale in path.glob("timelines-*.json"):
        if stale.name != name:
            with contextlib.suppress(OSError):  # tried again by the next compaction
                stale.unlink()


def decode_snapshot(file: Path, data: bytes) -> codec.Snapshot:
    try:
        header = codec.header_decoder.decode(data)
    except msgspec.ValidationError:
        raise StoreError(
            f"{file} is not an esctui snapshot (it has no schema version); "
            "the store was left as it is."
        ) from None
    except msgspec.DecodeError as error:
        raise StoreError(
            f"{file} is not valid JSON ({error}); the store was left as it is."
        ) from None
    if header.schema > codec.SCHEMA:
        raise StoreError(
            f"{file} was written by a newer esctui (store schema {header.schema}; this version "
            f"reads up to {codec.SCHEMA}). Upgrade esctui to open it; nothing was changed."
        )
    try:
        return codec.snapshot_decoder.decode(data)
    except msgspec.DecodeError as error:
        raise StoreError(f"{file} is damaged ({error}); the store was left as it is.") from None


def create_store(
    path: Path,
    directory: Directory,
    events: list[AnyEvent],
    *,
    force: bool = False,
    now: datetime | None = None,
) -> None:
    """Write a new store at `path` holding `directory` and the incidents `events` make.

    Refuses (`StoreError`) if a store is already there, unless `force`, which replaces it.
    """
    problems = directory_problems(directory)
    if problems:
        raise StoreError("The directory has problems: " + "; ".join(problems) + ".")
    if (path / codec.SNAPSHOT).exists() and not force:
        raise StoreExists(
            f"A store already exists at {path}; pass --force to replace it (its incidents "
            "would be lost)."
        )
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} exists and is not a directory.")
    # Its files hold titles, notes and customer names: a new store is its owner's alone (one
    # made beforehand, say group-owned for a team, keeps its mode; see `files`).
    path.parent.mkdir(parents=True, exist_ok=True)
    files.make_directory(path, 0o700)
    states: dict[str, Incident] = {}
    timelines: dict[str, list[AnyEvent]] = {}
    for event in events:
        states[event.incident] = lifecycle.apply(states.get(event.incident), event)
        timelines.setdefault(event.incident, []).append(event)
    numbers = [incident_number(i) for i in states]
    raw = {i: msgspec.Raw(codec.encoder.encode(t)) for i, t in timelines.items()}
    with files.exclusive_lock(path / codec.LOCK):
        Archive(path / codec.ARCHIVE).clear()
        write_snapshot(
            path,
            len(events),
            max(numbers, default=1000) + 1,
            now or datetime.now(UTC),
            directory,
            list(states.values()),
            raw,
        )
        files.replace_atomically(path / codec.JOURNAL, b"")
