"""What Alertmanager's API v2 sends and takes, as far as esctui reads it (its names are
camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Wire(msgspec.Struct, frozen=True, rename="camel"):
    pass


class AlertStatus(Wire, frozen=True):
    state: str = "active"
    silenced_by: list[str] = []


class Alert(Wire, frozen=True):
    labels: dict[str, str]
    starts_at: datetime
    fingerprint: str = ""
    annotations: dict[str, str] = {}
    generator_url: str = msgspec.field(default="", name="generatorURL")
    status: AlertStatus = AlertStatus()


class Receiver(Wire, frozen=True):
    name: str


class AlertGroup(Wire, frozen=True):
    labels: dict[str, str]
    receiver: Receiver
    alerts: list[Alert]


class Matcher(Wire, frozen=True):
    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True


class SilenceStatus(Wire, frozen=True):
    state: str


class Silence(Wire, frozen=True):
    id: str
    status: SilenceStatus
    matchers: list[Matcher]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str

    @property
    def active(self) -> bool:
        return self.status.state == "active"


class NewSilence(Wire, frozen=True, omit_defaults=True):
    """A silence to create, or (with `id`) to replace."""

    matchers: list[Matcher]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    id: str | None = None


class Posted(Wire, frozen=True):
    silence_id: str = msgspec.field(name="silenceID")


groups_decoder = msgspec.json.Decoder(list[AlertGroup])
silences_decoder = msgspec.json.Decoder(list[Silence])
posted_decoder = msgspec.json.Decoder(Posted)
