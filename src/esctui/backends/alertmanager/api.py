"""Requests to the Alertmanagers of one cluster: every one is read (one that is down is
passed over) and what they say is merged; a silence is posted to the first that answers,
and the cluster's gossip carries it to the others. Credentials travel only in headers and
appear in no sentence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import httpx
import msgspec

from esctui.backends.alertmanager import wire
from esctui.backends.base import StoreError
from esctui.domain.errors import DomainError

T = TypeVar("T")


class Credentials(msgspec.Struct, frozen=True):
    """For an Alertmanager behind a proxy: a bearer token, or a user and password."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never printed, logged or shown in a traceback's locals
        return "Credentials(...)"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def auth(self) -> httpx.BasicAuth | None:
        if self.user is None:
            return None
        return httpx.BasicAuth(self.user, self.password or "")


class Cluster:
    """The Alertmanagers at `urls` (one HA cluster)."""

    def __init__(self, urls: Iterable[str], credentials: Credentials, timeout: float) -> None:
        self.urls = [url.rstrip("/") for url in urls]
        self.credentials = credentials
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self.clients: dict[str, httpx.AsyncClient] = {}

    def client(self, url: str) -> httpx.AsyncClient:
        if url not in self.clients:
            self.clients[url] = httpx.AsyncClient(
                base_url=f"{url}/api/v2",
                headers=self.credentials.headers(),
                auth=self.credentials.auth(),
                timeout=self.timeout,
            )
        return self.clients[url]

    async def ask(self, url: str, method: str, path: str, body: object = None) -> bytes:
        content = None if body is None else msgspec.json.encode(body)
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = await self.client(url).request(
                method, path, content=content, headers=headers
            )
        except httpx.TimeoutException:
            raise StoreError(f"Alertmanager at {url} did not answer in time.") from None
        except httpx.TransportError:
            raise StoreError(f"Alertmanager at {url} cannot be reached.") from None
        if response.status_code in (401, 403):
            raise StoreError(
                f"Alertmanager at {url} refused esctui's credentials (HTTP "
                f"{response.status_code}): check ESCTUI_ALERTMANAGER_TOKEN, or the user and "
                "password."
            )
        if response.status_code == 400:
            raise DomainError(f"Alertmanager at {url} refused: {response.text.strip()[:300]}")
        if response.status_code >= 300:
            raise StoreError(f"Alertmanager at {url} answered HTTP {response.status_code}.")
        return response.content

    async def read_all(self, path: str) -> list[bytes]:
        """`path` from every Alertmanager that answers; `StoreError` if none does."""
        answers: list[bytes] = []
        failure: StoreError | None = None
        for url in self.urls:
            try:
                answers.append(await self.ask(url, "GET", path))
            except StoreError as error:
                failure = error
        if not answers:
            assert failure is not None
            raise failure
        return answers

    async def write(self, method: str, path: str, body: object = None) -> bytes:
        """To the first Alertmanager that answers."""
        failure: StoreError | None = None
        for url in self.urls:
            try:
                return await self.ask(url, method, path, body)
            except StoreError as error:
                failure = error
        assert failure is not None
        raise failure

    async def groups(self) -> list[wire.AlertGroup]:
        merged: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, wire.Alert]] = {}
        found: dict[tuple[str, tuple[tuple[str, str], ...]], wire.AlertGroup] = {}
        for answer in await self.read_all("/alerts/groups"):
            for group in decode(wire.groups_decoder, answer):
                key = (group.receiver.name, tuple(sorted(group.labels.items())))
                found.setdefault(key, group)
                alerts = merged.setdefault(key, {})
                for alert in group.alerts:
                    alerts.setdefault(
                        alert.fingerprint or repr(sorted(alert.labels.items())), alert
                    )
        return [
            msgspec.structs.replace(group, alerts=list(merged[key].values()))
            for key, group in found.items()
        ]

    async def silences(self) -> list[wire.Silence]:
        merged: dict[str, wire.Silence] = {}
        for answer in await self.read_all("/silences"):
            for silence in decode(wire.silences_decoder, answer):
                kept = merged.get(silence.id)
                if kept is None or (silence.active and not kept.active):
                    merged[silence.id] = silence
        return list(merged.values())

    async def post_silence(self, silence: wire.NewSilence) -> str:
        answer = await self.write("POST", "/silences", silence)
        return decode(wire.posted_decoder, answer).silence_id

    async def expire(self, silence_id: str) -> None:
        await self.write("DELETE", f"/silence/{silence_id}")

    async def close(self) -> None:
        clients, self.clients = self.clients, {}
        for client in clients.values():
            await client.aclose()


def decode(decoder: msgspec.json.Decoder[T], answer: bytes) -> T:
    try:
        return decoder.decode(answer)
    except msgspec.DecodeError as error:
        raise StoreError(f"Alertmanager answered something esctui cannot read: {error}.") from None
