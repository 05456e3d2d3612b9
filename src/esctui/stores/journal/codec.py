"""The bytes of a journal store: snapshot, journal lines with checksums, archive records.

A journal line is one JSON object: `{"rev":12,"crc":"1a2b3c4d","event":{...}}`. The checksum is
CRC-32 over the revision and the event's exact bytes, so a line cut short by a crash, or bytes
damaged on disk, are told apart from a good line without trusting the JSON parser.

A line written for a request that carried an idempotency key also holds that key:
`{"rev":12,"crc":"1a2b3c4d","key":"...","event":{...}}`. Its checksum covers the key too (the
revision, then the key's exact bytes, then the event's), so a damaged key is caught like a
damaged event; a line without a key has exactly the bytes and checksum it always had.
"""

from __future__ import annotations

import zlib
from datetime import datetime

import msgspec

from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident

# The snapshot's format; a reader refuses a number above its own with a sentence. Readers skip
# fields they do not know, so a new field takes a new number when a reader without it would
# misread the file: 2 added `keys`, which a reader of 1 would drop without a word (and then act
# a second time on the requests they answer).
SCHEMA = 2
SNAPSHOT = "snapshot.json"
JOURNAL = "journal.jsonl"
LOCK = "store.lock"
ARCHIVE = "archive"

encoder = msgspec.json.Encoder()
event_decoder = msgspec.json.Decoder(AnyEvent)
timeline_decoder = msgspec.json.Decoder(list[AnyEvent])


class IncidentRecord(msgspec.Struct):
    """An incident and its timeline, as the archive keeps them. The timeline stays raw JSON
    until someone asks for it."""

    incident: Incident
    timeline: msgspec.Raw


class SnapshotHeader(msgspec.Struct):
    schema: int


# The idempotency keys a snapshot remembers, oldest first, each with the changes recorded for
# it: `[["alice\u001fk-1", [[12, {event}], ...]], ...]`.
RecordedKeys = list[tuple[str, list[tuple[int, AnyEvent]]]]
NO_KEYS = msgspec.Raw(b"[]")


class Snapshot(msgspec.Struct):
    """The state of every incident the store holds as of `revision`. Their timelines live in
    the file named by `timelines` (`{"INC-1001": [events...], ...}`), read only when someone
    asks for a timeline: drawing the queue needs only the states. `keys` (`RecordedKeys`)
    stays raw JSON until a writer is asked about a key: readers never need it. A snapshot of
    schema 1 has none."""

    schema: int
    revision: int
    next_number: int
    written_at: datetime
    directory: Directory
    incidents: list[Incident]
    timelines: str
    keys: msgspec.Raw = NO_KEYS


class Line(msgspec.Struct, forbid_unknown_fields=True):
    rev: int
    crc: str
    event: msgspec.Raw
    key: msgspec.Raw = msgspec.Raw()  # the key as JSON, or empty


header_decoder = msgspec.json.Decoder(SnapshotHeader)
snapshot_decoder = msgspec.json.Decoder(Snapshot)
line_decoder = msgspec.json.Decoder(Line)
key_decoder = msgspec.json.Decoder(str)
record_decoder = msgspec.json.Decoder(IncidentRecord)
keys_decoder = msgspec.json.Decoder(RecordedKeys)
timelines_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])


class BadLine(Exception):
    """A journal line that is not what a writer wrote: cut short, or damaged."""


def checksum(revision: int, event: bytes, key: bytes = b"") -> str:
    return f"{zlib.crc32(event, zlib.crc32(key, zlib.crc32(b'%d:' % revision))):08x}"


def encode_line(revision: int, event: AnyEvent, key: str | None = None) -> bytes:
    body = encoder.encode(event)
    quoted = b"" if key is None else encoder.encode(key)
    return b'{"rev":%d,"crc":"%s",%s"event":%s}\n' % (
        revision,
        checksum(revision, body, quoted).encode(),
        b'"key":%s,' % quoted if quoted else b"",
        body,
    )


def decode_line(line: bytes) -> tuple[int, AnyEvent, str | None]:
    """(revision, event, idempotency key or None) of one line without its newline; `BadLine`
    if it does not check."""
    try:
        parsed = line_decoder.decode(line)
    except msgspec.DecodeError as error:
        raise BadLine(f"not a journal line ({error})") from None
    body = bytes(parsed.event)
    quoted = bytes(parsed.key)
    if checksum(parsed.rev, body, quoted) != parsed.crc:
        raise BadLine("checksum mismatch")
    try:
        event = event_decoder.decode(body)
    except msgspec.DecodeError as error:
        raise BadLine(f"not an event this esctui knows ({error})") from None
    try:
        key = key_decoder.decode(quoted) if quoted else None
    except msgspec.DecodeError as error:
        raise BadLine(f"an idempotency key that is not a string ({error})") from None
    return parsed.rev, event, key


def append_to_timeline(timeline: msgspec.Raw, events: list[AnyEvent]) -> msgspec.Raw:
    """The raw timeline with `events` appended, without decoding what was there."""
    if not events:
        return timeline
    tail = encoder.encode(events)
    old = bytes(timeline).rstrip()
    if old in (b"", b"[]"):
        return msgspec.Raw(tail)
    return msgspec.Raw(old[:-1] + b"," + tail[1:])
