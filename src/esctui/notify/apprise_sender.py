"""The `Notifier` the page sender calls: Apprise for notification URLs, httpx for webhooks.

Apprise sends through each channel's own library calls, which block: each page runs whole in a
thread of this sender's own pool (Apprise's shared pool has a handful of threads, and one slow
receiver would hold up every other page behind it). Each try is bounded by the sender's
timeout: the channel's sockets give up by then, and the page is reported failed at once.
Apprise's own retries are off: the sender retries, with backoff, and records every try.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import apprise
import httpx

from esctui.domain.paging import Sent

# Pages in flight at once through Apprise: each waits on a receiver in a thread of its own.
THREADS = 128
# Apprise's words for a failure are its log lines at these levels.
TOLD = ("WARNING", "ERROR", "CRITICAL")
DETAIL = 300  # the longest reason kept for the timeline


class Heard(logging.Handler):
    """Apprise's words about the page the current thread sends: its warnings, and the
    low-level reasons it logs only for debugging ("Socket Exception: ... 550 ..."), which are
    what a responder needs to know why an e-mail failed."""

    local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        lines: list[str] | None = getattr(self.local, "lines", None)
        if lines is None:
            return
        message = record.getMessage()
        if record.levelno >= logging.WARNING or message.startswith("Socket Exception"):
            lines.append(" ".join(message.split()))

    def listen(self) -> list[str]:
        self.local.lines = []
        lines: list[str] = self.local.lines
        return lines

    def stop(self) -> None:
        self.local.lines = None


HEARD = Heard()


def hear_apprise() -> None:
    """Hear every word Apprise says, and pass none on: what matters is in the pages' records
    (the sender logs a failed try itself)."""
    logger = logging.getLogger("apprise")
    if HEARD not in logger.handlers:
        logger.addHandler(HEARD)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False


class AppriseSender:
    """Sends pages; never raises for a receiver that failed, refused or did not answer."""

    def __init__(self, threads: int = THREADS) -> None:
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="esctui-page")
        # No deadline of Apprise's own (ours bounds each try) and no pool of its own (ours
        # runs each page whole): the page runs in the thread that calls it.
        self.asset = apprise.AppriseAsset(async_mode=False, service_timeout=0)
        self.client: httpx.AsyncClient | None = None
        hear_apprise()
        self.pool.submit(self.warm_up)

    def warm_up(self) -> None:
        """Apprise loads every channel's module the first time it is used, and every page
        waits for that (seconds on a busy machine): done now, before the first page."""
        apprise.Apprise.instantiate("json://localhost", asset=self.asset)

    async def notify(self, url: str, title: str, body: str, timeout: float) -> Sent:
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self.pool, self.notify_now, url, title, body, timeout),
                timeout + 1,  # the sockets give up first; this is for a channel that does not
            )
        except TimeoutError:
            return Sent(False, f"no answer within {timeout:g} s")

    def notify_now(self, url: str, title: str, body: str, timeout: float) -> Sent:
        service = apprise.Apprise.instantiate(url, asset=self.asset)
        if service is None:
            return Sent(False, "Apprise cannot use this URL")
        service.socket_connect_timeout = min(service.socket_connect_timeout, timeout)
        service.socket_read_timeout = timeout
        notifier = apprise.Apprise(asset=self.asset)
        notifier.add(service)
        heard = HEARD.listen()
        try:
            result = notifier.notify(body=body, title=title)
        except Exception as error:  # a channel's library failed: that page failed
            logging.getLogger("esctui.notify").exception("Apprise failed on a page")
            return Sent(False, f"{type(error).__name__}: {error}"[:DETAIL])
        finally:
            HEARD.stop()
        if result:
            return Sent(True)
        return Sent(False, reason(result, heard))

    async def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Sent:
        if self.client is None:
            self.client = httpx.AsyncClient(follow_redirects=False)
        try:
            answer = await self.client.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return Sent(False, f"no answer within {timeout:g} s")
        except httpx.HTTPError as error:
            return Sent(False, (str(error) or type(error).__name__)[:DETAIL])
        if answer.is_success:
            return Sent(True)
        said = " ".join(answer.text.split())[:100]
        return Sent(False, f"HTTP {answer.status_code}" + (f": {said}" if said else ""))

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        self.pool.shutdown(wait=False, cancel_futures=True)


def reason(result: Any, heard: list[str]) -> str:
    """Why Apprise could not deliver, in its own words (its warnings and errors, and the
    reasons it logged beneath them)."""
    said = [" ".join(entry.message.split()) for entry in result.logs() if entry.level in TOLD]
    text = "; ".join(dict.fromkeys([*said, *heard])) or f"Apprise says {result.status.name.lower()}"
    return text[:DETAIL]
