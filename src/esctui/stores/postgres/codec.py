"""How events, states and the directory are kept in the database: msgspec's JSON, in `jsonb`
columns (readable with SQL by whoever looks after the database)."""

from __future__ import annotations

import msgspec

from esctui.domain.events import AnyEvent
from esctui.domain.models import Directory, Incident
from esctui.stores.records import Change, IncidentHistory

encoder = msgspec.json.Encoder()
event_decoder = msgspec.json.Decoder(AnyEvent)
events_decoder = msgspec.json.Decoder(list[AnyEvent])
incident_decoder = msgspec.json.Decoder(Incident)
incidents_decoder = msgspec.json.Decoder(list[Incident])
directory_decoder = msgspec.json.Decoder(Directory)
histories_decoder = msgspec.json.Decoder(list[IncidentHistory])
changes_decoder = msgspec.json.Decoder(list[Change])


def text(value: object) -> str:
    """`value` as JSON text, as asyncpg passes a `jsonb` parameter."""
    return encoder.encode(value).decode()


def event_type(event: AnyEvent) -> str:
    """The event's tag (`acknowledged`, `handed-off`), as its JSON names it."""
    tag = event.__struct_config__.tag
    assert isinstance(tag, str)
    return tag
