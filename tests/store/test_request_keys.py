"""Idempotency keys on the journal: a line carries its key under its checksum."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esctui.backends.journal import codec
from esctui.domain.events import NoteAdded

NOTE = NoteAdded(
    incident="INC-1001",
    at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
    version=2,
    by="alice",
    text="checking",
)


def test_a_line_without_a_key_has_the_bytes_it_always_had() -> None:
    # As esctui wrote it before lines had keys: CRC-32 over b"12:", then the event's bytes.
    assert codec.encode_line(12, NOTE) == (
        b'{"rev":12,"crc":"a3102128","event":{"type":"note-added","incident":"INC-1001",'
        b'"at":"2026-11-23T03:00:00Z","version":2,"by":"alice","text":"checking"}}\n'
    )


def test_a_line_with_a_key_gives_it_back_and_its_checksum_covers_it() -> None:
    line = codec.encode_line(12, NOTE, "alice\x1fk-1")
    assert line.startswith(b'{"rev":12,"crc":"49b2abcc","key":"alice\\u001fk-1","event":{')
    assert codec.decode_line(line.rstrip(b"\n")) == (12, NOTE, "alice\x1fk-1")
    with pytest.raises(codec.BadLine, match="checksum mismatch"):
        codec.decode_line(line.rstrip(b"\n").replace(b"k-1", b"k-2"))
