"""Requests to PagerDuty's REST API v2: the token and the `From` user in headers (never in a
sentence), within the rate limit, a 429 waited out and said while it lasts, offset paging
that stops where PagerDuty stops (offset 10,000)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import msgspec

from esctui.backends.base import StoreError
from esctui.backends.pagerduty.limits import RateLimit, retry_after
from esctui.domain.errors import DomainError, NotFound

DEFAULT_URL = "https://api.pagerduty.com"
PAGE = 100  # the most PagerDuty lists at once
LAST_OFFSET = 10_000  # PagerDuty lists no further by offset
ATTEMPTS = 5


class Token:
    """The API key: it goes into one header and nowhere else."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Token(...)"


class PagerDuty:
    """The API at `url`, as the user `from_email`. `on_wait(seconds)` hears of each wait
    PagerDuty asks for (429), and `on_wait(0)` when it is over."""

    def __init__(
        self,
        url: str,
        token: Token,
        from_email: str,
        *,
        timeout: float = 10.0,
        limit: RateLimit | None = None,
        backoff: float = 1.0,
        on_wait: Callable[[float], None] = lambda seconds: None,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.from_email = from_email
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self.limit = limit or RateLimit()
        self.backoff = backoff
        self.on_wait = on_wait
        self.client: httpx.AsyncClient | None = None
        self.requests = 0  # sent, for the benchmarks and the tests

    def http(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = httpx.AsyncClient(
                base_url=self.url,
                headers={
                    # The version PagerDuty answers in; JSON is what that version is.
                    "Accept": "application/vnd.pagerduty+json;version=2, application/json;q=0.9",
                    "Authorization": f"Token token={self.token.value}",
                    # PagerDuty's document asks for it on every request, reads included.
                    "Content-Type": "application/json",
                },
                timeout=self.timeout,
            )
        return self.client

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        body: object = None,
    ) -> Any:
        """The decoded JSON answer (None for an empty one); `NotFound` for a 404,
        `DomainError` for a request PagerDuty refuses, `StoreError` when it cannot be had."""
        content = None if body is None else msgspec.json.encode(body)
        headers = {"From": self.from_email} if method != "GET" else None
        for attempt in range(ATTEMPTS):
            await self.limit.turn()
            self.requests += 1
            try:
                response = await self.http().request(
                    method, path, params=list(params or []), content=content, headers=headers
                )
            except httpx.TimeoutException:
                raise StoreError(f"PagerDuty at {self.url} did not answer in time.") from None
            except httpx.TransportError:
                raise StoreError(f"PagerDuty at {self.url} cannot be reached.") from None
            if response.status_code == 429 and attempt < ATTEMPTS - 1:
                pause = retry_after(response.headers.get("Retry-After"), attempt, self.backoff)
                self.on_wait(pause)
                await asyncio.sleep(pause)
                continue
            if attempt:
                self.on_wait(0)
            return self.answer(response, path)
        raise StoreError(f"PagerDuty at {self.url} kept asking esctui to wait (HTTP 429).")

    def answer(self, response: httpx.Response, path: str) -> Any:
        status = response.status_code
        if status in (401, 403):
            raise StoreError(
                f"PagerDuty refused esctui's token (HTTP {status}): check ESCTUI_PAGERDUTY_TOKEN "
                "and that the `From` user may do this."
            )
        if status == 404:
            raise NotFound(f"PagerDuty has no {path.strip('/')}.")
        if status == 429:
            raise StoreError(f"PagerDuty at {self.url} kept asking esctui to wait (HTTP 429).")
        if 400 <= status < 500:
            raise DomainError(f"PagerDuty refused: {problem(response)}")
        if status >= 300:
            raise StoreError(f"PagerDuty at {self.url} answered HTTP {status}.")
        if not response.content:
            return None
        try:
            return msgspec.json.decode(response.content)
        except msgspec.DecodeError:
            raise StoreError(f"PagerDuty at {self.url} answered something not JSON.") from None

    async def pages(
        self, path: str, key: str, params: list[tuple[str, str]]
    ) -> tuple[list[Any], bool]:
        """Every item under `key` of `path`, a page at a time; and whether PagerDuty had more
        than it lists (past offset 10,000)."""
        items: list[Any] = []
        offset = 0
        while True:
            page = [*params, ("limit", str(PAGE)), ("offset", str(offset))]
            answer = await self.request("GET", path, params=page)
            found = answer.get(key, []) if isinstance(answer, dict) else []
            items.extend(found)
            if not answer.get("more") or not found or answer.get("offset", offset) != offset:
                return items, False  # the last page (or one that does not page as asked)
            offset += len(found)
            if offset + PAGE > LAST_OFFSET:
                return items, True

    async def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await client.aclose()


def problem(response: httpx.Response) -> str:
    """PagerDuty's own words for a refusal, in a sentence."""
    try:
        error = msgspec.json.decode(response.content).get("error", {})
        message = str(error.get("message", "")).rstrip(".")
        errors = "; ".join(str(e) for e in error.get("errors", []))
    except (msgspec.DecodeError, AttributeError):
        return f"HTTP {response.status_code}."
    said = f"{message}: {errors}" if errors else message
    return f"{said or 'HTTP ' + str(response.status_code)}."
