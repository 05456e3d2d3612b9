"""Requests to the Alertmanagers of one cluster: every one is read (one that is down is
passed over) and what they say is merged; a silence is posted to the first that answers,
and the cluster's gossip carries it to the others. Credentials travel only in headers and
appear in no sentence.

The console's first read may start before its event loop does (`read_ahead`): a thread with
a client of its own asks while the console starts, and the first `read_all` of each path
takes what it was told."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

import httpx
import msgspec

from esctui.backends.alertmanager import wire
from esctui.backends.base import StoreError
from esctui.domain.errors import DomainError

T = TypeVar("T")
# What each Alertmanager of the cluster answered to one read, or why it did not.
Answers = list[bytes | StoreError]
GROUPS, SILENCES = "/alerts/groups", "/silences"  # what each read of the queue asks for


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
        self.ahead: dict[str, Future[Answers]] = {}
        self.tls: ssl.SSLContext | None = None

    def options(self) -> dict[str, Any]:
        """What every client of the cluster is made with."""
        if self.tls is None and any(url.startswith("https://") for url in self.urls):
            # Loading the certificates costs ~60 ms at start: once for all, and only where
            # an Alertmanager is reached over TLS.
            self.tls = httpx.create_ssl_context()
        return {
            "headers": self.credentials.headers(),
            "auth": self.credentials.auth(),
            "timeout": self.timeout,
            "verify": self.tls or False,
        }

    def client(self, url: str) -> httpx.AsyncClient:
        if url not in self.clients:
            self.clients[url] = httpx.AsyncClient(base_url=f"{url}/api/v2", **self.options())
        return self.clients[url]

    def read_ahead(self, paths: list[str]) -> Future[None]:
        """Start reading `paths` from every Alertmanager now, in a thread, so the answers are
        on their way while the caller starts its event loop; the first `read_all` of each
        takes them. Done (never failed: a failure is kept for `read_all`) when all are in."""
        answers: dict[str, Future[Answers]] = {path: Future() for path in paths}
        self.ahead.update(answers)
        done: Future[None] = Future()
        options = self.options()

        async def read() -> None:
            # Clients of its own: the cluster's belong to the caller's event loop. Asking as
            # they do also readies what their first request would (~90 ms of imports).
            found: dict[str, Answers] = {path: [] for path in paths}
            for url in self.urls:
                async with httpx.AsyncClient(base_url=f"{url}/api/v2", **options) as client:
                    told = await asyncio.gather(*(self.tried(client, url, p) for p in paths))
                    for path, said in zip(paths, told, strict=True):
                        found[path].append(said)
            for path, answer in answers.items():
                answer.set_result(found[path])

        def run() -> None:
            try:
                asyncio.run(read())
            except Exception as error:  # raised by `read_all`, as a read then would raise it
                for answer in answers.values():
                    if not answer.done():
                        answer.set_exception(error)
            done.set_result(None)

        threading.Thread(target=run, name="alertmanager-read-ahead", daemon=True).start()
        return done

    async def ask(self, url: str, method: str, path: str, body: object = None) -> bytes:
        return await self.send(self.client(url), url, method, path, body)

    async def tried(self, client: httpx.AsyncClient, url: str, path: str) -> bytes | StoreError:
        """`path` read from the Alertmanager at `url`, or why it could not be."""
        try:
            return await self.send(client, url, "GET", path)
        except StoreError as error:
            return error

    async def send(
        self, client: httpx.AsyncClient, url: str, method: str, path: str, body: object = None
    ) -> bytes:
        content = None if body is None else msgspec.json.encode(body)
        headers = {"Content-Type": "application/json"} if content is not None else None
        with reaching(url):
            response = await client.request(method, path, content=content, headers=headers)
        return self.answer(url, response)

    def answer(self, url: str, response: httpx.Response) -> bytes:
        """The body of a successful answer; else the sentence that says why not."""
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
        ahead = self.ahead.pop(path, None)
        if ahead is not None:
            # Taken at once when it is in: awaiting would let the console's start-up run first.
            found = ahead.result() if ahead.done() else await asyncio.wrap_future(ahead)
        else:
            found = [await self.tried(self.client(url), url, path) for url in self.urls]
        answers = [answer for answer in found if isinstance(answer, bytes)]
        if not answers:
            raise next(answer for answer in found if isinstance(answer, StoreError))
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
        for answer in await self.read_all(GROUPS):
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
        for answer in await self.read_all(SILENCES):
            for silence in decode(wire.silences_decoder, answer):
                kept = merged.get(silence.id)
                if kept is None or (silence.active and not kept.active):
                    merged[silence.id] = silence
        return list(merged.values())

    async def post_silence(self, silence: wire.NewSilence) -> str:
        answer = await self.write("POST", SILENCES, silence)
        return decode(wire.posted_decoder, answer).silence_id

    async def expire(self, silence_id: str) -> None:
        await self.write("DELETE", f"/silence/{silence_id}")

    async def close(self) -> None:
        clients, self.clients = self.clients, {}
        for client in clients.values():
            await client.aclose()


@contextlib.contextmanager
def reaching(url: str) -> Iterator[None]:
    """A request to the Alertmanager at `url`: one that cannot be made is a sentence."""
    try:
        yield
    except httpx.TimeoutException:
        raise StoreError(f"Alertmanager at {url} did not answer in time.") from None
    except httpx.TransportError:
        raise StoreError(f"Alertmanager at {url} cannot be reached.") from None


def decode(decoder: msgspec.json.Decoder[T], answer: bytes) -> T:
    try:
        return decoder.decode(answer)
    except msgspec.DecodeError as error:
        raise StoreError(f"Alertmanager answered something esctui cannot read: {error}.") from None
