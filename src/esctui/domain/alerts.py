"""What monitoring says, in esctui's words: alerts, the notifications that carry them, and the
severity each one maps to.

A notification is what one request from monitoring said, whatever its wire format (an
Alertmanager webhook, a PagerDuty Events API v2 event, a heartbeat): under which key it
groups its alerts, whether it triggers, acknowledges or resolves, its summary, and its alerts,
firing or resolved. `alert_formats` decodes the wire formats into it; `intake` decides what it
does to an incident.

Everything kept from monitoring is cut to the limits below: a sender can say as much as it
likes, a store keeps what a responder can read.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from esctui.domain.models import LONGEST_MINUTES, Severity

# Keys longer than this (an Alertmanager group key can be) are kept as their SHA-256.
KEY_LIMIT = 255
TITLE_LIMIT = 200  # an incident's title, as `commands.Name` allows
LABEL_KEY_LIMIT, LABEL_VALUE_LIMIT, MOST_LABELS = 200, 500, 64
ANNOTATION_LIMIT, MOST_ANNOTATIONS = 2000, 32
LINK_LIMIT, MOST_LINKS = 2000, 20
# Alerts kept from one notification; the rest are counted, not kept.
MOST_ALERTS = 1000
# The notification as it arrived is kept up to this many bytes, beside what was read from it.
RAW_LIMIT = 8192

DEFAULT_SEVERITIES: dict[str, int] = {"critical": 1, "error": 2, "warning": 3, "info": 4}
# What an alert without a severity (or with a word the mapping does not know) is.
DEFAULT_SEVERITY = 2
REOPEN_WITHIN = timedelta(minutes=30)

IntegrationName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Word = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Seconds = Annotated[int, msgspec.Meta(ge=1, le=LONGEST_MINUTES * 60)]
WindowSeconds = Annotated[int, msgspec.Meta(ge=0, le=LONGEST_MINUTES * 60)]


class Kind(enum.StrEnum):
    """How an integration's monitoring speaks to esctui."""

    ALERTMANAGER = "alertmanager"  # Prometheus Alertmanager's webhook
    EVENTS = "events"  # the PagerDuty Events API v2
    HEARTBEAT = "heartbeat"  # a beat every so often; silence opens an incident


class OnResolve(enum.StrEnum):
    """What an integration's "all clear" does to an open incident."""

    RESOLVE = "resolve"
    NOTE = "note"  # only noted: a responder resolves it


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """How an integration's notifications become incidents: the severity each word maps to
    (`severity` label or field; a word it does not know is `default_severity`), what an all
    clear does, and how soon after its incident resolved a group that fires again reopens it
    instead of opening another (0: never). `every_seconds` is a heartbeat's interval."""

    severities: dict[Word, Severity] = msgspec.field(
        default_factory=lambda: dict(DEFAULT_SEVERITIES)
    )
    default_severity: Severity = DEFAULT_SEVERITY
    on_resolve: OnResolve = OnResolve.RESOLVE
    reopen_within_seconds: WindowSeconds = int(REOPEN_WITHIN.total_seconds())
    every_seconds: Seconds | None = None

    def severity(self, word: str) -> int:
        """The severity `word` maps to: the mapping's, then `1`-`4` and `SEV1`-`SEV4` as
        esctui writes them, else the default."""
        word = word.strip().lower()
        if word in self.severities:
            return self.severities[word]
        number = word.removeprefix("sev")
        if number in ("1", "2", "3", "4"):
            return int(number)
        return self.default_severity

    @property
    def reopen_within(self) -> timedelta:
        return timedelta(seconds=self.reopen_within_seconds)


class Link(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    href: str
    text: str = ""


# Not tracked by the garbage collector (an alert holds only text, so it can be in no cycle): a
# server keeps the alerts of thousands of recent changes, which every full collection would
# walk, a pause each request waits out.
class Alert(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """One alert as monitoring told of it. `fingerprint` identifies it within its group (for
    the Events API, the dedup key); `link` is where it came from (Alertmanager's
    `generatorURL`)."""

    fingerprint: str
    firing: bool
    summary: str = ""
    severity: str = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    starts_at: datetime | None = None
    link: str = ""


class Action(enum.StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class Notification(msgspec.Struct, frozen=True):
    """What one request from monitoring said. `alerts` are those it told of, firing or not;
    `complete` is False when the sender left some out (Alertmanager's `truncatedAlerts`), so
    an alert it does not mention may still fire. `digest` identifies what it says, where the
    alerts' fingerprints alone do not (an Events API trigger): the same again is a repeat.
    `raw` is the request's body, cut to `RAW_LIMIT`; `closing` is what a resolve says on the
    timeline."""

    key: str
    action: Action
    summary: str
    alerts: tuple[Alert, ...] = ()
    complete: bool = True
    labels: dict[str, str] = {}
    links: tuple[Link, ...] = ()
    digest: str = ""
    raw: str = ""
    closing: str = ""  # what a resolve says on the timeline ("all alerts cleared")

    @property
    def firing(self) -> tuple[Alert, ...]:
        return tuple(alert for alert in self.alerts if alert.firing)

    def severity(self, settings: Settings) -> int:
        """The most severe of its firing alerts (of all its alerts if none fire)."""
        alerts = self.firing or self.alerts
        words = [alert.severity for alert in alerts if alert.severity]
        if not words:
            return settings.default_severity
        return min(settings.severity(word) for word in words)


# -- cutting what monitoring says to what is kept -------------------------------------------


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int) -> str:
    """`text` on one line (a title), cut to `limit`."""
    return cut(" ".join(text.split()), limit)


def kept_key(key: str) -> str:
    """A group or dedup key as it is kept: a long one as its SHA-256, so any length groups."""
    if len(key) <= KEY_LIMIT:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def kept_labels(labels: dict[str, str]) -> dict[str, str]:
    return {
        cut(k, LABEL_KEY_LIMIT): cut(v, LABEL_VALUE_LIMIT)
        for k, v in sorted(labels.items())[:MOST_LABELS]
        if k
    }


def kept_annotations(annotations: dict[str, str]) -> dict[str, str]:
    return {
        cut(k, LABEL_KEY_LIMIT): cut(v, ANNOTATION_LIMIT)
        for k, v in sorted(annotations.items())[:MOST_ANNOTATIONS]
        if k
    }


def kept_links(links: list[Link]) -> tuple[Link, ...]:
    return tuple(
        Link(href=cut(link.href, LINK_LIMIT), text=cut(link.text, TITLE_LIMIT))
        for link in links[:MOST_LINKS]
        if link.href
    )


def kept_raw(body: bytes) -> str:
    """The body as it is kept: its first `RAW_LIMIT` bytes, as text."""
    return body[:RAW_LIMIT].decode("utf-8", "replace")


def digest(*parts: object) -> str:
    return hashlib.sha256(msgspec.json.encode(parts)).hexdigest()[:32]


def label_pair(text: str) -> tuple[str, str]:
    """`team=db` as (`team`, `db`); `ValueError` with a sentence for anything else."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise ValueError(f"{text!r} is not a label: write KEY=VALUE, like team=db.")
    return key.strip(), value.strip()
