"""One responder's connection to the team server: the httpx client, the token, timeouts,
retries with backoff, and whether the server could be reached the last time it was tried."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable

import httpx
import msgspec

from esctui.backends.base import Link, StoreError
from esctui.backends.http.requests import answer, problem_of
from esctui.domain.errors import NotFound


def on_this_machine(url: str) -> bool:
    """Whether the server at `url` answers on this machine's loopback. Its big answers are then
    asked for uncompressed: the server's gzip pays off over a network (a 10,000-incident queue
    is 7.1 MB of JSON, 0.94 MB gzipped), but over loopback reading it took 140 ms gzipped
    against 80-99 ms plain (median of 7)."""
    host = httpx.URL(url).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Unreachable(StoreError):
    """The server could not be reached (or kept failing) after every retry."""


class Connection:
    """Requests to the server at `url`. `on_link` hears when it stops or starts answering."""

    def __init__(
        self,
        url: str,
        token: str,
        on_link: Callable[[Link], None],
        *,
        timeout: float,
        attempts: int,
        backoff: float,
        quiet_limit: float,
    ) -> None:
        self.url = url
        self.token = token
        self.on_link = on_link
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        # The event stream waits longer: no byte (not even a heartbeat) for so long is a dead link.
        self.stream_timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0), read=quiet_limit)
        # Compacting or replacing the directory of a big store: about a second per 50,000
        # incidents here, so minutes leave room for stores far bigger and disks far slower.
        self.slow_timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0), read=300.0)
        self.attempts = attempts
        self.backoff = backoff
        self.link = Link.ONLINE
        self.client: httpx.AsyncClient | None = None

    def http(self) -> httpx.AsyncClient:
        """The client, made on first use in the running event loop."""
        if self.client is None:
            headers = {"Authorization": f"Bearer {self.token}"}
            if on_this_machine(self.url):
                headers["Accept-Encoding"] = "identity"
            self.client = httpx.AsyncClient(
                base_url=self.url,
                headers=headers,
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            )
        return self.client

    def mark(self, link: Link) -> None:
        if link is not self.link:
            self.link = link
            self.on_link(link)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        slow: bool = False,
    ) -> httpx.Response:
        """Send, retrying connection failures, 429 and 5xx answers that are not the server's
        own sentence (a proxy's, a server starting) with growing pauses; `Unreachable` once
        every attempt failed. The server's own 5xx (its store is locked, its disk full, a
        bug) is its answer: sending it again at once would not change it, and it must not
        pass for a server that cannot be reached. A `slow` request (one that rewrites the
        whole store) is given minutes to answer instead of seconds."""
        content = None if body is None else msgspec.json.encode(body)
        sent_headers = dict(headers or {})
        if content is not None:
            sent_headers["Content-Type"] = "application/json"
        reason = ""
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = await self.http().request(
                    method,
                    path,
                    content=content,
                    headers=sent_headers,
                    params=params,
                    timeout=self.slow_timeout if slow else self.timeout,
                )
            except httpx.TransportError as error:
                reason = describe_failure(error)
                continue
            if response.status_code == 429:
                reason = "HTTP 429, too many requests"
                await asyncio.sleep(retry_after(response, self.backoff))
                continue
            if response.status_code >= 500 and problem_of(response.content) is None:
                reason = f"HTTP {response.status_code}"
                continue
            self.mark(Link.ONLINE)
            return response
        self.mark(Link.OFFLINE)
        raise Unreachable(f"The server at {self.url} cannot be reached ({reason}).")

    async def get(self, path: str, params: dict[str, str] | None = None) -> bytes:
        """The body of a 200 answer; `NotFound` for a 404, the backend's errors else."""
        response = await self.request("GET", path, params=params)
        if response.status_code == 404:
            problem = problem_of(response.content)
            raise NotFound(problem.detail if problem else f"{path} is not on the server.")
        if response.status_code != 200:
            answer(response.status_code, response.content, self.url)
        return response.content

    async def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await client.aclose()


def describe_failure(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "connection refused or no route"
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    return str(error) or type(error).__name__


def retry_after(response: httpx.Response, default: float) -> float:
    try:
        return min(float(response.headers.get("Retry-After", default)), 30.0)
    except ValueError:
        return default
