"""Reading Server-Sent Events from bytes that arrive in chunks of any size."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from esctui.backends.http.sse import EventParser, ServerEvent

STREAM = (
    b": keep-alive\n\n"
    b'id: 7\nevent: change\ndata: {"a": 1}\n\n'
    b"id: 8\r\nevent: change\r\ndata: first\r\ndata: second\r\n\r\n"
    b'event: resync\ndata: {"revision": 9}\n\n'
)
EXPECTED = [
    ServerEvent(event="change", data='{"a": 1}', id="7"),
    ServerEvent(event="change", data="first\nsecond", id="8"),
    ServerEvent(event="resync", data='{"revision": 9}', id=None),
]


def test_whole_stream() -> None:
    assert EventParser().feed(STREAM) == EXPECTED


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    parser = EventParser()
    found: list[ServerEvent] = []
    edges = [0, *sorted(cuts), len(STREAM)]
    for start, end in itertools.pairwise(edges):
        found += parser.feed(STREAM[start:end])
    assert found == EXPECTED
