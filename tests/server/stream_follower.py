"""A client of the event stream as a console keeps one: it remembers every change it was given,
and when the stream drops it connects again, to whichever server answers first (as behind a
load balancer), resuming with Last-Event-ID."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx

from esctui.backends.http.sse import EventParser


class Follower:
    def __init__(self, urls: list[str], token: str, after: int) -> None:
        self.urls = urls
        self.token = token
        self.last = after
        self.given: list[tuple[int, dict[str, object]]] = []  # (revision, event), as given
        self.resyncs: list[int] = []  # the revision each resync said to reload from
        self.connects = 0

    @property
    def revisions(self) -> list[int]:
        return [revision for revision, _ in self.given]

    async def run(self) -> None:
        """Until cancelled."""
        timeout = httpx.Timeout(5, read=None)
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(timeout=timeout, headers=headers) as client:
            turn = 0
            while True:
                url = self.urls[turn % len(self.urls)]
                turn += 1
                with contextlib.suppress(httpx.TransportError):  # gone: the next one
                    await self.follow(client, url)
                await asyncio.sleep(0.02)

    async def follow(self, client: httpx.AsyncClient, url: str) -> None:
        resume = {"Last-Event-ID": str(self.last)}
        async with client.stream("GET", f"{url}/v1/events", headers=resume) as response:
            if response.status_code != 200:
                return
            self.connects += 1
            parser = EventParser()
            async for chunk in response.aiter_bytes():
                for event in parser.feed(chunk):
                    if event.event == "change":
                        assert event.id is not None
                        self.last = int(event.id)
                        self.given.append((self.last, json.loads(event.data)["event"]))
                    elif event.event == "resync":
                        self.last = json.loads(event.data)["revision"]
                        self.resyncs.append(self.last)
                        return

    async def reached(self, revision: int, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while self.last < revision:
                await asyncio.sleep(0.02)
