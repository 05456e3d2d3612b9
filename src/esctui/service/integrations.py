"""Looking after monitoring's integrations and the services' maintenance windows: what an
administrator does with `esctui integration` and `esctui maintenance` (on a store, or through
the server).

An integration's key is made here and shown once; the store keeps only its SHA-256, as it
keeps tokens. Keys are 32 hexadecimal characters, the shape of a PagerDuty integration key, so
any tool that checks a routing key's length takes them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import msgspec

from esctui.domain.alerts import IntegrationName, Kind, Settings
from esctui.domain.errors import DomainError, NotFound
from esctui.domain.lifecycle import known
from esctui.domain.models import LONGEST_MINUTES
from esctui.service.incidents import Clock, utc_now
from esctui.service.ports import EventStore, IntegrationStore
from esctui.stores.records import IntegrationRecord, MaintenanceWindow

LONGEST_MAINTENANCE = timedelta(minutes=LONGEST_MINUTES)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


class Unrecognised(Exception):
    """A key that lets nothing in: unknown, revoked, or for another kind of integration.
    `str(error)` says which, in one sentence."""


class IntegrationService:
    """The integrations and maintenance windows kept with `store`."""

    def __init__(
        self, store: EventStore, integrations: IntegrationStore, clock: Clock | None = None
    ) -> None:
        self.store = store
        self.kept = integrations
        self.clock = clock or utc_now

    async def create(
        self, name: str, kind: Kind, service: str, settings: Settings
    ) -> tuple[str, IntegrationRecord]:
        """A new integration for `service`: its key (shown once) and what is kept of it."""
        check_name(name)
        await self.check_service(service)
        if kind is Kind.HEARTBEAT and settings.every_seconds is None:
            raise DomainError("A heartbeat needs its interval: how often it beats (--every 5m).")
        if kind is not Kind.HEARTBEAT and settings.every_seconds is not None:
            raise DomainError(
                f"Only a heartbeat beats every so often; an {kind} integration does not."
            )
        key = secrets.token_hex(16)
        record = IntegrationRecord(
            name=name,
            kind=kind,
            service=service,
            sha256=key_digest(key),
            created_at=self.clock(),
            settings=settings,
        )
        if not await self.kept.create_integration(record):
            raise DomainError(
                f"There is an integration {name!r} already; revoke it first, or choose another "
                "name."
            )
        return key, record

    async def revoke(self, name: str) -> IntegrationRecord:
        revoked = await self.kept.revoke_integration(name, self.clock())
        if revoked is None:
            active = [r.name for r in await self.kept.integrations() if r.active]
            raise NotFound(
                f"There is no active integration {name!r}; active ones: {known(active)}."
            )
        return revoked

    async def integrations(self) -> list[IntegrationRecord]:
        return await self.kept.integrations()

    async def beats(self) -> dict[str, datetime]:
        return await self.kept.beats()

    async def recognise(self, key: str, kind: Kind) -> IntegrationRecord:
        """The active integration of `kind` whose key `key` is; `Unrecognised` otherwise."""
        if not key.strip():
            raise Unrecognised("This needs an integration key (`esctui integration create`).")
        wanted = key_digest(key.strip())
        found = await self.kept.find_integration(wanted)
        # The store found it by its digest; compare in constant time all the same.
        if found is None or not hmac.compare_digest(found.sha256, wanted):
            raise Unrecognised("The integration key is unknown or has been revoked.")
        if found.revoked_at is not None:
            raise Unrecognised(
                f"The integration {found.name}'s key was revoked at "
                f"{found.revoked_at:%Y-%m-%d %H:%M} UTC."
            )
        if found.kind is not kind:
            raise Unrecognised(
                f"The key is the integration {found.name}'s, which takes {found.kind} "
                f"notifications, not {kind} ones."
            )
        return found

    # -- maintenance -----------------------------------------------------------------------

    async def start_maintenance(
        self, service: str, length: timedelta, reason: str, by: str | None
    ) -> MaintenanceWindow:
        """`service` in maintenance from now for `length` (in place of any window it had)."""
        await self.check_service(service)
        if not timedelta(0) < length <= LONGEST_MAINTENANCE:
            raise DomainError("A maintenance window lasts more than nothing and at most a year.")
        now = self.clock()
        window = MaintenanceWindow(
            service=service, start=now, end=now + length, reason=reason.strip(), by=by
        )
        await self.kept.start_maintenance(window)
        return window

    async def end_maintenance(self, service: str) -> MaintenanceWindow:
        ended = await self.kept.end_maintenance(service, self.clock())
        if ended is None:
            raise NotFound(f"{service} is not in maintenance.")
        return ended

    async def maintenance(self) -> list[MaintenanceWindow]:
        """The windows in force now, by service."""
        now = self.clock()
        windows = await self.kept.maintenance()
        return sorted((w for w in windows if w.in_force(now)), key=lambda w: w.service)

    async def check_service(self, service: str) -> None:
        directory = (await self.store.read()).directory
        if directory.service(service) is None:
            names = (s.name for s in directory.services)
            raise DomainError(f"There is no service {service!r}; known services: {known(names)}.")


def check_name(name: str) -> None:
    """An integration's name: letters, digits, `.`, `_` and `-`, at most 64."""
    try:
        msgspec.convert(name, IntegrationName)
    except msgspec.ValidationError:
        raise DomainError(
            f"{name[:70]!r} cannot name an integration: use up to 64 letters, digits, '.', '_' "
            "and '-', starting with a letter or digit."
        ) from None
