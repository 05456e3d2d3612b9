"""Integrations and maintenance windows through the team server, for an administrator's token
(anyone else's: 403, a `DomainError`); the windows in force for any token."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

import msgspec

from esctui.backends.http import wire
from esctui.backends.http.requests import answered
from esctui.backends.integrations import Integration
from esctui.domain.alerts import Kind, Settings
from esctui.stores.records import MaintenanceWindow

if TYPE_CHECKING:
    from esctui.backends.http.backend import HttpBackend

T = TypeVar("T")

made_decoder = msgspec.json.Decoder(wire.IntegrationMade)
integration_decoder = msgspec.json.Decoder(Integration)
integrations_decoder = msgspec.json.Decoder(list[Integration])
window_decoder = msgspec.json.Decoder(MaintenanceWindow)
windows_decoder = msgspec.json.Decoder(list[MaintenanceWindow])

INTEGRATIONS = "/v1/store/integrations"
MAINTENANCE = "/v1/maintenance"


class HttpIntegrations:
    """`Integrations` through the server's routes (`server/integration_admin.py`)."""

    def __init__(self, backend: HttpBackend) -> None:
        self.backend = backend

    async def send(
        self, decoder: msgspec.json.Decoder[T], method: str, path: str, body: object = None
    ) -> T:
        response = await self.backend.connection.request(method, path, body=body)
        return answered(decoder, response.status_code, response.content, self.backend.url)

    async def create_integration(
        self, name: str, kind: Kind, service: str, settings: Settings
    ) -> tuple[str, Integration]:
        body = wire.IntegrationBody(name=name, kind=kind, service=service, settings=settings)
        made = await self.send(made_decoder, "POST", INTEGRATIONS, body)
        return made.key, made.integration

    async def revoke_integration(self, name: str) -> Integration:
        return await self.send(integration_decoder, "DELETE", f"{INTEGRATIONS}/{quote(name)}")

    async def integrations(self) -> list[Integration]:
        return await self.send(integrations_decoder, "GET", INTEGRATIONS)

    async def start_maintenance(
        self, service: str, length: timedelta, reason: str, by: str | None
    ) -> MaintenanceWindow:
        seconds = int(length.total_seconds())
        body = wire.MaintenanceBody(service=service, seconds=seconds, reason=reason)
        return await self.send(window_decoder, "POST", MAINTENANCE, body)

    async def end_maintenance(self, service: str) -> MaintenanceWindow:
        return await self.send(window_decoder, "DELETE", f"{MAINTENANCE}/{quote(service, safe='')}")

    async def maintenance(self) -> list[MaintenanceWindow]:
        return await self.send(windows_decoder, "GET", MAINTENANCE)
