"""Pages out, kept beside the journal: `pages.jsonl` (every page owed and every try, one record
a line) and `webhooks.json` (the outbound webhooks, with their secrets).

`pages.jsonl` is written as the journal is: under the store's lock, appended in one write and
fsynced before the call returns, with the store's modes. Each line carries a CRC-32 of its
record, so a line cut short by a crash is told apart from a good one: it is ignored, and cut
off by the next writer; a damaged line with good lines after it is a sentence naming the file
and the line, and nothing is rewritten. Once the file is long, a writer folds it: pages still
pending and those owed in the last `KEEP` are written to a new file, which replaces it.

`webhooks.json` holds each webhook's secret itself (signing needs it; it is shown once when the
webhook is made), so it takes the store's modes like every store file: its owner's, and the
store directory's group's where the team shares the store.
"""

from __future__ import annotations

import os
import threading
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from esctui.domain.paging import Webhook
from esctui.stores.journal import codec, files
from esctui.stores.page_records import (
    Cancelled,
    Cursor,
    Owed,
    PageRecord,
    PageState,
    Paging,
    Started,
    fold,
)
from esctui.stores.records import StoreError

PAGES = "pages.jsonl"
WEBHOOKS = "webhooks.json"
# A writer folds `pages.jsonl` once it holds this many lines, keeping what was owed this long.
FOLD_AFTER_LINES = 20_000
KEEP = timedelta(days=14)


class Line(msgspec.Struct, forbid_unknown_fields=True):
    crc: str
    record: msgspec.Raw


class WebhookFile(msgspec.Struct, forbid_unknown_fields=True):
    webhooks: list[Webhook] = []


record_decoder: msgspec.json.Decoder[PageRecord] = msgspec.json.Decoder(PageRecord)
line_decoder = msgspec.json.Decoder(Line)


class BadLine(Exception):
    pass


def encode_line(record: PageRecord) -> bytes:
    body = codec.encoder.encode(record)
    return b'{"crc":"%08x","record":%s}\n' % (zlib.crc32(body), body)


def decode_line(line: bytes) -> PageRecord:
    try:
        parsed = line_decoder.decode(line)
        body = bytes(parsed.record)
        if f"{zlib.crc32(body):08x}" != parsed.crc:
            raise BadLine("checksum mismatch")
        return record_decoder.decode(body)
    except msgspec.DecodeError as error:
        raise BadLine(str(error)) from None


class PageBook:
    """The pages of the store at `path`, as this process last read them. Thread-safe."""

    def __init__(self, path: Path, *, lock_wait: float = files.LOCK_WAIT) -> None:
        self.path = path
        self.file = path / PAGES
        self.lock_wait = lock_wait
        self.mutex = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self.states: dict[str, PageState] = {}
        self.started: datetime | None = None
        self.cursor: Cursor | None = None
        self.identity: tuple[int, int] | None = None
        self.offset = 0
        self.lines = 0

    # -- reading -------------------------------------------------------------------------

    def catch_up(self, *, writer: bool = False) -> None:
        """Take in the lines appended since the last read (all of them, if the file was
        replaced by a fold). A writer, holding the lock, cuts off a line cut short."""
        try:
            handle = open(self.file, "rb")  # noqa: SIM115 (closed by the `with` below)
        except FileNotFoundError:
            self.forget()
            return
        except OSError as error:
            raise StoreError(f"Cannot read {self.file}: {files.describe(error)}.") from None
        with handle:
            stat = os.fstat(handle.fileno())
            if (stat.st_dev, stat.st_ino) != self.identity or stat.st_size < self.offset:
                self.forget()
                self.identity = (stat.st_dev, stat.st_ino)
            handle.seek(self.offset)
            data = handle.read()
        self.take(data)
        if writer and self.offset < stat.st_size:
            files.truncate_durably(self.file, self.offset)

    def take(self, data: bytes) -> None:
        start = 0
        bad: tuple[int, str] | None = None
        while (end := data.find(b"\n", start)) != -1:
            try:
                record = decode_line(data[start:end])
            except BadLine as error:
                if bad is None:
                    bad = (self.lines + 1, str(error))
                    start = end + 1
                    continue
            if bad is not None:
                raise StoreError(
                    f"{self.file} line {bad[0]} is damaged ({bad[1]}) and good lines follow "
                    "it; esctui will neither read past it nor send pages from this store. "
                    "Nothing was changed: restore the file from a backup, or remove that line."
                )
            self.take_record(record)
            self.offset += end + 1 - start
            self.lines += 1
            start = end + 1

    def take_record(self, record: PageRecord) -> list[str]:
        if isinstance(record, Started):
            self.started = self.started or record.at
        elif isinstance(record, Cursor):
            self.cursor = record
        return fold(self.states, [record])

    def paging(self) -> Paging:
        with self.mutex:
            self.catch_up()
            pending = [s for s in self.states.values() if s.status == "pending"]
            return Paging(started=self.started, cursor=self.cursor, pending=pending)

    def pages(self, since: datetime, incident: str | None = None) -> list[PageState]:
        with self.mutex:
            self.catch_up()
            return [
                state
                for state in self.states.values()
                if state.owed_at >= since and incident in (None, state.page.incident)
            ]

    # -- writing -------------------------------------------------------------------------

    def record(self, records: list[PageRecord]) -> list[str]:
        """Append `records` durably (holding the store's lock); the ids newly owed."""
        if not self.path.is_dir():
            raise StoreError(f"There is no esctui store at {self.path}.")
        with files.exclusive_lock(self.path / codec.LOCK, wait=self.lock_wait), self.mutex:
            self.catch_up(writer=True)
            # Only what is new goes on disk: a page owed twice is one page.
            kept = [r for r in records if not (isinstance(r, Owed) and r.page.id in self.states)]
            data = b"".join(encode_line(record) for record in kept)
            try:
                files.append_durably(self.file, data)
            except StoreError as error:
                raise StoreError(f"{error} The pages were not recorded.") from None
            if self.identity is None:
                stat = os.stat(self.file)
                self.identity = (stat.st_dev, stat.st_ino)
            new: list[str] = []
            for record in kept:
                new += self.take_record(record)
            self.offset += len(data)
            self.lines += len(kept)
            if self.lines >= FOLD_AFTER_LINES:
                self.fold(max((s.owed_at for s in self.states.values()), default=None))
            return new

    def fold(self, latest: datetime | None) -> None:
        """Write the file anew with the pages still pending and those owed within `KEEP` of
        the latest, and where paging stands (holding the lock)."""
        cutoff = latest - KEEP if latest is not None else None
        keep: list[PageRecord] = []
        if self.started is not None:
            keep.append(Started(at=self.started))
        if self.cursor is not None:
            keep.append(self.cursor)
        for state in self.states.values():
            if state.status != "pending" and cutoff is not None and state.owed_at < cutoff:
                continue
            keep.append(Owed(page=state.page, at=state.owed_at))
            keep += state.attempts
            if state.status == "cancelled":
                keep.append(Cancelled(page=state.page.id, at=state.owed_at, why=state.why))
        files.replace_atomically(self.file, b"".join(encode_line(r) for r in keep))
        self.forget()
        self.catch_up()

    # -- webhooks ------------------------------------------------------------------------

    def webhooks(self) -> list[Webhook]:
        file = self.path / WEBHOOKS
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StoreError(f"Cannot read {file}: {files.describe(error)}.") from None
        try:
            return msgspec.json.decode(data, type=WebhookFile).webhooks
        except msgspec.DecodeError as error:
            raise StoreError(
                f"{file} is damaged ({error}); it was left as it is: restore it from a backup, "
                "or move it away and add the webhooks again."
            ) from None

    def change_webhooks(self, change: object) -> Webhook | None:
        """Add a webhook (a `Webhook`), or remove one (by its id or URL, a `str`), holding
        the store's lock; the webhook added or removed."""
        if not (self.path / codec.SNAPSHOT).exists():
            raise StoreError(f"There is no esctui store at {self.path}.")
        with files.exclusive_lock(self.path / codec.LOCK, wait=self.lock_wait):
            hooks = self.webhooks()
            if isinstance(change, Webhook):
                hooks.append(change)
                done: Webhook | None = change
            else:
                done = next((h for h in hooks if change in (h.id, h.url)), None)
                hooks = [h for h in hooks if h is not done]
            if done is not None:
                files.remove_leftovers(self.path)
                data = msgspec.json.format(msgspec.json.encode(WebhookFile(hooks)), indent=2)
                files.replace_atomically(self.path / WEBHOOKS, data + b"\n")
            return done


class JournalPages:
    """`PageBook` as the service's `PageStore`: its coroutines never suspend (they block on
    files), so inside an event loop they are called in a worker thread."""

    blocking = True

    def __init__(self, path: Path, *, lock_wait: float = files.LOCK_WAIT) -> None:
        self.book = PageBook(path, lock_wait=lock_wait)

    async def paging(self) -> Paging:
        return self.book.paging()

    async def record(self, records: list[PageRecord]) -> list[str]:
        return self.book.record(records)

    async def pages(self, since: datetime, incident: str | None = None) -> list[PageState]:
        return self.book.pages(since, incident)

    async def webhooks(self) -> list[Webhook]:
        return self.book.webhooks()

    async def add_webhook(self, webhook: Webhook) -> None:
        self.book.change_webhooks(webhook)

    async def remove_webhook(self, which: str) -> Webhook | None:
        return self.book.change_webhooks(which)
