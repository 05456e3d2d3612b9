"""The journal store: a snapshot plus an append-only journal in one directory.

Readers never lock: they read the snapshot, then only the journal bytes that are new since they
last looked. Writers take an exclusive lock (waiting a bounded time for another process's, and
never while holding this process's own state, so readers here never wait on that), catch up, cut
a torn last line left by a crash, append events in one write and fsync before they answer.
Events appended for a request with an idempotency key carry it on their lines, so what the
request did can be answered again, even by a process started after a crash; a compaction
carries the keys (the newest `RECORDED_KEYS`) into the snapshot it writes, so this holds across
one too. A damaged line with good lines after it stops everything with a sentence naming the
file and the line: the store is never rewritten to "repair" it.

This is storage craft only: which events a command makes is the incident service's
(`service/incidents.py`), which reaches this store through `events.JournalEvents`.
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from esctui.domain import lifecycle
from esctui.domain.escalation import escalation_due_at
from esctui.domain.events import AnyEvent, Triggered
from esctui.domain.models import Directory, Incident, Status
from esctui.stores.ids import format_incident_id, incident_number
from esctui.stores.journal import codec, files
from esctui.stores.journal.archive import Archive
from esctui.stores.journal.request_keys import RequestKeys
from esctui.stores.journal.snapshot import decode_snapshot, write_snapshot
from esctui.stores.records import Change, IncidentHistory, Queue, StoreError

Clock = Callable[[], datetime]

# A writer folds the journal into a new snapshot once it holds this many lines.
COMPACT_AFTER_LINES = 20_000
DEFAULT_ARCHIVE_AFTER = timedelta(days=14)
# Changes kept in memory for followers in this process; one further behind resyncs.
RECENT_CHANGES = 4096


def utc_now() -> datetime:
    return datetime.now(UTC)


class JournalStore:
    """One process's view of a store directory. Thread-safe; not shared between processes
    (each process opens its own, the files are what they share)."""

    def __init__(
        self, path: Path, clock: Clock | None = None, *, lock_wait: float = files.LOCK_WAIT
    ) -> None:
        self.path = path
        self.clock = clock or utc_now
        self.lock_wait = lock_wait
        self.archive = Archive(path / codec.ARCHIVE)
        self.mutex = threading.RLock()
        # Writers of this process take turns here before the lock on the file, so the next is
        # let in the moment the last lets go (the file's lock is only looked at, now and then).
        self.writers = threading.Lock()
        self.loaded = False
        self.directory = Directory()
        self.incidents: dict[str, Incident] = {}
        self.timelines: dict[str, msgspec.Raw] | None = None  # read when first asked for
        self.timelines_file = ""
        self.tails: dict[str, list[AnyEvent]] = {}
        # Archived incidents the next snapshot brings back (see `restore`).
        self.restoring: dict[str, codec.IncidentRecord] = {}
        # When each triggered incident's escalation level times out; built on first write.
        self.due_at: dict[str, datetime] | None = None
        self.revision = 0
        self.next_number = 1001
        self.recent: collections.deque[Change] = collections.deque(maxlen=RECENT_CHANGES)
        self.keys = RequestKeys()
        self.snapshot_id: tuple[int, int, int, int] | None = None
        self.journal_id: tuple[int, int] | None = None
        self.offset = 0
        self.lines = 0
        self.swept = False  # temp files of dead writers removed, once per process

    # -- reading -------------------------------------------------------------------------

    def load(self) -> None:
        """Read the snapshot and the whole journal, from scratch.

        The idempotency keys known afterwards are the snapshot's (those a compaction folded
        away), then those on the journal's lines, the newest `RECORDED_KEYS` of them: a request
        resent after a compaction is answered like one resent before it. The snapshot's keys
        are decoded only when a writer is first asked about a key (see `RequestKeys`).
        """
        with self.mutex:
            for _ in range(10):
                self.read_snapshot()
                self.read_journal(writer=False)
                if self.snapshot_unchanged():
                    self.loaded = True
                    return
            raise StoreError(f"The store at {self.path} kept changing while being read.")

    def poll(self) -> bool:
        """Take in what other processes appended. True if the store had to be read from
        scratch (it was compacted), so followers must redraw from the new state."""
        with self.mutex:
            if not self.loaded:
                self.load()
                return True
            if self.snapshot_unchanged() and self.read_journal(writer=False):
                return False
            self.load()
            return True

    def snapshot_unchanged(self) -> bool:
        try:
            return files.file_identity(os.stat(self.path / codec.SNAPSHOT)) == self.snapshot_id
        except FileNotFoundError:
            return False

    def read_snapshot(self) -> None:
        if not self.path.is_dir():
            raise StoreError(
                f"There is no esctui store at {self.path}; create one for your team with "
                f"`esctui --store {self.path} init --directory team.toml`, or a demo to try "
                f"with `esctui --store {self.path} demo --no-tui`."
            )
        file = self.path / codec.SNAPSHOT
        try:
            with open(file, "rb") as handle:
                identity = files.file_identity(os.fstat(handle.fileno()))
                data = handle.read()
        except FileNotFoundError:
            raise StoreError(
                f"{self.path} is not an esctui store: it has no {codec.SNAPSHOT}."
            ) from None
        except OSError as error:
            raise StoreError(f"Cannot read {file}: {error.strerror}.") from None
        snapshot = decode_snapshot(file, data)
        self.directory = snapshot.directory
        self.incidents = {incident.id: incident for incident in snapshot.incidents}
        self.timelines = None
        self.timelines_file = snapshot.timelines
        self.due_at = None
        self.tails = {}
        self.revision = snapshot.revision
        self.next_number = snapshot.next_number
        self.recent.clear()
        self.keys.start(file, snapshot.keys)
        self.snapshot_id = identity
        self.journal_id = None
        self.offset = 0
        self.lines = 0

    def read_journal(self, *, writer: bool) -> bool:
        """Apply the complete, checked lines appended since the last read. False if the
        journal file was replaced (a compaction) and the store must be read again.

        A bad line at the very end is a write cut short: readers leave it, a writer (holding
        the lock) cuts it off. A bad line with good lines after it is damage: `StoreError`.
        """
        file = self.path / codec.JOURNAL
        try:
            handle = open(file, "rb")  # noqa: SIM115 (closed by the `with` below)
        except FileNotFoundError:
            if writer:
                files.append_durably(file, b"")
                return self.read_journal(writer=writer)
            return self.journal_id is None
        with handle:
            stat = os.fstat(handle.fileno())
            identity = (stat.st_dev, stat.st_ino)
            if self.journal_id is None:
                self.journal_id = identity
            elif identity != self.journal_id or stat.st_size < self.offset:
                return False
            if stat.st_size == self.offset:
                return True
            handle.seek(self.offset)
            data = handle.read()
        self.take_lines(file, data)
        if writer and self.offset < stat.st_size:
            files.truncate_durably(file, self.offset)
        return True

    def take_lines(self, file: Path, data: bytes) -> None:
        start = 0
        bad: tuple[int, str] | None = None
        while (end := data.find(b"\n", start)) != -1:
            number = self.lines + 1 + (0 if bad is None else 1)
            try:
                revision, event, key = codec.decode_line(data[start:end])
            except codec.BadLine as error:
                if bad is not None:
                    raise damaged(file, *bad) from None
                bad = (number, str(error))
                start = end + 1
                continue
            if bad is not None:
                raise damaged(file, *bad)
            if revision > self.revision:
                if revision != self.revision + 1:
                    raise damaged(file, number, f"revision {revision} follows {self.revision}")
                self.take(revision, event, file, number, key)
            self.offset += end + 1 - start
            self.lines += 1
            start = end + 1

    def take(
        self, revision: int, event: AnyEvent, file: Path, line: int, key: str | None = None
    ) -> None:
        try:
            state = lifecycle.apply(self.incidents.get(event.incident), event)
        except ValueError as error:
            raise damaged(file, line, str(error)) from None
        self.incidents[state.id] = state
        self.tails.setdefault(state.id, []).append(event)
        if self.due_at is not None:
            self.track_escalation(state)
        self.revision = revision
        if isinstance(event, Triggered):
            self.next_number = max(self.next_number, incident_number(event.incident) + 1)
        change = Change(revision=revision, event=event)
        self.recent.append(change)
        if key is not None:
            self.keys.remember(key, change)

    # -- what faces ask for ------------------------------------------------------------------

    def queue(self) -> Queue:
        with self.mutex:
            return Queue(
                directory=self.directory,
                incidents=dict(self.incidents),
                revision=self.revision,
                snapshot=self.generation,
            )

    @property
    def generation(self) -> str:
        """Names the snapshot in force: every compaction and new directory makes another, so a
        reader that knew an older one has to read the store again (revisions do not tell)."""
        return self.timelines_file.removeprefix("timelines-").removesuffix(".json")

    def changes_after(self, revision: int) -> list[Change] | None:
        """Changes after `revision` seen by this process, or None if they are no longer held."""
        with self.mutex:
            if revision >= self.revision:
                return []
            if not self.recent or self.recent[0].revision > revision + 1:
                return None
            return [change for change in self.recent if change.revision > revision]

    def timeline(self, incident_id: str) -> list[AnyEvent]:
        with self.mutex:
            raw = self.snapshot_timelines().get(incident_id)
            events = codec.timeline_decoder.decode(raw) if raw is not None else []
            return events + self.tails.get(incident_id, [])

    def snapshot_timelines(self) -> dict[str, msgspec.Raw]:
        """The timelines as of the snapshot, read on first use. A compaction elsewhere may
        have removed the file since the snapshot was read: then read the store again. If the
        snapshot in force names a file that is not there, that is damage, and said so."""
        for _ in range(10):
            if self.timelines is not None:
                return self.timelines
            file = self.path / self.timelines_file
            try:
                self.timelines = codec.timelines_decoder.decode(file.read_bytes())
            except FileNotFoundError:
                named_by = self.snapshot_id
                self.load()
                if self.snapshot_id == named_by:
                    raise StoreError(
                        f"{file} is missing, though {self.path / codec.SNAPSHOT} names it: "
                        "the timelines of the store's incidents are in it. Nothing was changed; "
                        "restore it from a backup."
                    ) from None
            except OSError as error:
                raise StoreError(f"Cannot read {file}: {files.describe(error)}.") from None
            except msgspec.DecodeError as error:
                raise StoreError(
                    f"{file} is damaged ({error}); the store was left as it is."
                ) from None
        raise StoreError(f"The store at {self.path} kept changing while being read.")

    def history(self, incident_id: str) -> IncidentHistory | None:
        with self.mutex:
            incident = self.incidents.get(incident_id)
            if incident is not None:
                return IncidentHistory(incident=incident, timeline=self.timeline(incident_id))
        return self.archive.find(incident_id)

    def histories(self, since: datetime) -> list[IncidentHistory]:
        with self.mutex:
            live = [
                IncidentHistory(incident=incident, timeline=self.timeline(incident.id))
                for incident in self.incidents.values()
                if incident.created_at >= since
                or (incident.resolved_at is not None and incident.resolved_at >= since)
            ]
        seen = {h.incident.id for h in live}
        archived = [h for h in self.archive.since(since) if h.incident.id not in seen]
        return sorted(live + archived, key=lambda h: incident_number(h.incident.id))

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self, *, wait: bool = True) -> Iterator[bool]:
        """Hold this process's view of the store still while reading several things from it;
        with `wait=False`, yields False at once (holding nothing) if a write in this process
        is under way. Never waits on another process."""
        held = self.mutex.acquire(blocking=wait)
        try:
            yield held
        finally:
            if held:
                self.mutex.release()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the lock with the in-memory state caught up with the files.

        The lock comes first, and only then this process's own state: while another process
        holds the lock, readers in this one carry on, and a writer gives up after
        `lock_wait` seconds with a sentence naming the lock and its holder. Writers of this
        process queue for their turn first, within the same time."""
        if not self.path.is_dir():
            self.read_snapshot()  # says there is no store here
        lock = self.path / codec.LOCK
        started = time.monotonic()
        if not self.writers.acquire(timeout=self.lock_wait):
            # The writer before is waiting for another process, or taking that long: say who
            # holds the lock, as a writer that waited for it would.
            with files.exclusive_lock(lock, wait=0, waited=self.lock_wait):
                pass
            raise StoreError(
                f"The store is locked: its writers in this process have held {lock} for more "
                f"than {self.lock_wait:g} s, so nothing was written. Try again shortly."
            )
        try:
            waited = time.monotonic() - started
            with self.holding(max(0.0, self.lock_wait - waited), waited):
                yield
        finally:
            self.writers.release()

    @contextlib.contextmanager
    def holding(self, wait: float, waited: float) -> Iterator[None]:
        """The file's lock and this process's state, caught up (see `writing`)."""
        lock = self.path / codec.LOCK
        with files.exclusive_lock(lock, wait=wait, waited=waited), self.mutex:
            if not self.swept:
                files.remove_leftovers(self.path)
                self.swept = True
            if not self.loaded or not self.snapshot_unchanged():
                self.load()
            if not self.read_journal(writer=True):
                self.load()
                self.read_journal(writer=True)
            yield

    def track_escalation(self, incident: Incident) -> None:
        assert self.due_at is not None
        at = escalation_due_at(incident, self.directory)
        if at is None:
            self.due_at.pop(incident.id, None)
        else:
            self.due_at[incident.id] = at

    def due(self, now: datetime) -> list[str]:
        """The unresolved incidents whose escalation is due at `now` (see `escalation_due_at`),
        from an index built on first use and kept as events are taken in."""
        with self.mutex:
            if self.due_at is None:
                self.due_at = {}
                for incident in self.incidents.values():
                    if incident.is_open:
                        self.track_escalation(incident)
            return [incident_id for incident_id, at in self.due_at.items() if at <= now]

    def append(self, events: list[AnyEvent], key: str | None = None) -> list[Change]:
        """Write `events` in one go, each with the next revision; with `key` (an idempotency
        key, tagged with its request's fingerprint), they are what that request did."""
        if not events:
            return []
        # Fold them into the state first: an event that does not apply is a bug, and must
        # not reach the journal.
        states: dict[str, Incident] = {}
        for event in events:
            before = states.get(event.incident) or self.incidents.get(event.incident)
            states[event.incident] = lifecycle.apply(before, event)
        first = self.revision + 1
        data = b"".join(codec.encode_line(first + n, event, key) for n, event in enumerate(events))
        try:
            files.append_durably(self.path / codec.JOURNAL, data)
        except StoreError as error:
            raise StoreError(f"{error} The action was not recorded.") from None
        file = self.path / codec.JOURNAL
        for n, event in enumerate(events):
            self.take(first + n, event, file, self.lines + 1, key)
            self.lines += 1
        self.offset += len(data)
        return [Change(revision=first + n, event=event) for n, event in enumerate(events)]

    def next_id(self) -> str:
        """The id the next trigger gives its incident (taken once its event is appended)."""
        return format_incident_id(self.next_number)

    def put_directory(self, directory: Directory) -> None:
        """Put `directory` in force (the caller holds the lock and checked it). A directory
        lives in the snapshot, so this is written as a compaction that archives nothing."""
        self.directory = directory
        self.fold(self.clock(), timedelta(days=36500))  # reads the store again if it fails

    def restore(self, incident_id: str) -> Incident | None:
        """Bring the archived incident back into the snapshot so it can be changed again (a
        review written late); None if the archive holds none by that id. The caller holds the
        lock. Written as a compaction that archives nothing, so followers read the store
        again; the archive keeps its record until the incident is archived anew (the newer
        record is the one read)."""
        if incident_id in self.incidents:
            return None
        record = self.archive.record(incident_id)
        if record is None:
            return None
        self.restoring[incident_id] = record
        self.fold(self.clock(), timedelta(days=36500))
        return self.incidents.get(incident_id)

    # -- compaction ----------------------------------------------------------------------

    def compact(self, archive_after: timedelta = DEFAULT_ARCHIVE_AFTER) -> str:
        """Fold the journal into a new snapshot and archive incidents resolved more than
        `archive_after` ago. Returns a one-line summary."""
        with self.writing():
            return self.fold(self.clock(), archive_after)

    def fold(self, now: datetime, archive_after: timedelta) -> str:
        """Write the new snapshot (see `compact`). If a file cannot be written (a full disk),
        `StoreError` names it: what was written by then is harmless (archive records are read
        once, a snapshot with the journal it folded reads the same), and this process reads
        the store again, so it holds what is on disk, not what it meant to write."""
        files.remove_leftovers(self.path)
        try:
            return self.write_folded(now, archive_after)
        except StoreError as error:
            with contextlib.suppress(StoreError):
                self.load()
            raise StoreError(
                f"{error} The compaction stopped there; nothing recorded was lost."
            ) from None
        finally:
            self.restoring.clear()

    def write_folded(self, now: datetime, archive_after: timedelta) -> str:
        cutoff = now - archive_after
        folded = self.lines
        known = self.snapshot_timelines()
        restored = {r.incident.id: r.timeline for r in self.restoring.values()}
        keep: list[Incident] = []
        timelines: dict[str, msgspec.Raw] = {}
        old: list[codec.IncidentRecord] = []
        for incident in [*self.incidents.values(), *(r.incident for r in self.restoring.values())]:
            before = known.get(incident.id) or restored.get(incident.id) or msgspec.Raw(b"[]")
            timeline = codec.append_to_timeline(before, self.tails.get(incident.id, []))
            gone = incident.resolved_at is not None and incident.resolved_at < cutoff
            # Follow-ups keep an incident where it can be changed, however old it is.
            if gone and incident.status is Status.RESOLVED and not incident.follow_ups_open():
                old.append(codec.IncidentRecord(incident=incident, timeline=timeline))
            else:
                keep.append(incident)
                timelines[incident.id] = timeline
        self.archive.add(old)
        write_snapshot(
            self.path,
            self.revision,
            self.next_number,
            now,
            self.directory,
            keep,
            timelines,
            self.keys.for_snapshot(),
        )
        files.replace_atomically(self.path / codec.JOURNAL, b"")
        self.load()
        return (
            f"Folded {folded} journal lines into the snapshot; archived {len(old)} "
            f"incidents resolved before {cutoff:%Y-%m-%d}; {len(keep)} remain."
        )


def damaged(file: Path, line: int, reason: str) -> StoreError:
    return StoreError(
        f"{file} line {line} is damaged ({reason}) and good lines follow it; esctui will "
        "neither read past it nor write to this store. Nothing was changed: restore the file "
        "from a backup, or remove that line by hand."
    )
