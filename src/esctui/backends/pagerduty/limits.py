"""PagerDuty's rate limit, kept on this side: never more requests in any minute than it
allows (960 for a REST API key), and a 429 waited out as it asks (`Retry-After`) or, where
it does not say, with a pause that doubles."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable

PER_MINUTE = 960
WINDOW = 60.0
LONGEST_PAUSE = 60.0


class RateLimit:
    """At most `per_minute` requests in any `window` seconds."""

    def __init__(
        self,
        per_minute: int = PER_MINUTE,
        *,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self.sent: collections.deque[float] = collections.deque()
        self.lock = asyncio.Lock()

    async def turn(self) -> None:
        """Wait until one more request keeps within the limit, and count it."""
        async with self.lock:
            while True:
                now = self.clock()
                while self.sent and self.sent[0] <= now - self.window:
                    self.sent.popleft()
                if len(self.sent) < self.per_minute:
                    self.sent.append(now)
                    return
                await asyncio.sleep(self.sent[0] + self.window - now)


def retry_after(header: str | None, attempt: int, backoff: float) -> float:
    """Seconds to wait after a 429: what `Retry-After` says, else `backoff` doubled for each
    attempt so far (at most a minute either way)."""
    if header is not None:
        try:
            return min(max(float(header), 0.0), LONGEST_PAUSE)
        except ValueError:
            pass
    return min(backoff * 2.0**attempt, LONGEST_PAUSE)
