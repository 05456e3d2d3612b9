"""Reading a Server-Sent Events stream: bytes in, whole events out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    event: str
    data: str
    id: str | None


class EventParser:
    """Feed it the stream's bytes as they come, in chunks of any size; it returns the events
    each chunk completed (comments, such as heartbeats, are skipped)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes) -> list[ServerEvent]:
        data = self.pending + chunk
        if b"\r" in data:
            # A lone \r at the end may be the first half of \r\n: keep it for the next chunk.
            tail = b"\r" if data.endswith(b"\r") else b""
            data = data[: len(data) - len(tail)].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            data += tail
        blocks = data.split(b"\n\n")
        self.pending = blocks.pop()
        events = [parse_block(block) for block in blocks]
        return [event for event in events if event is not None]


def parse_block(block: bytes) -> ServerEvent | None:
    event, event_id, data = "message", None, []
    for raw in block.decode("utf-8", "replace").split("\n"):
        if not raw or raw.startswith(":"):
            continue
        field, _, value = raw.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            event_id = value
    if not data and event == "message":
        return None  # only comments
    return ServerEvent(event=event, data="\n".join(data), id=event_id)
