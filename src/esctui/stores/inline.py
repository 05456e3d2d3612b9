"""Running store work without holding up an event loop, and without one at all.

Inside an event loop (the console, the server) file work runs in a worker thread, so the loop
never waits on `fsync` or on another process's lock. Outside one (a CLI command), the same
coroutines run straight through without ever suspending, and a one-shot command does not pay
for starting asyncio at all.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor  # not imported by one-shot commands

T = TypeVar("T")


def running_loop() -> Any:
    """The running asyncio loop, or None (without importing asyncio if nothing has)."""
    asyncio = sys.modules.get("asyncio")
    try:
        return asyncio.get_running_loop() if asyncio is not None else None
    except RuntimeError:
        return None


async def offload(
    work: Callable[..., T], *args: object, threads: Callable[[], Executor] | None = None
) -> T:
    """`work(*args)` in a worker thread when an asyncio loop is running (one of `threads()`,
    else the loop's own), else right here."""
    loop = running_loop()
    if loop is None:
        return work(*args)
    executor = threads() if threads is not None else None
    result: T = await loop.run_in_executor(executor, functools.partial(work, *args))
    return result


def run_inline(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (a blocking store's), to its end, right here."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coroutine.close()
    raise RuntimeError("a blocking store's call waited on something outside an event loop")


async def woken_or_waited(woken: Any, seconds: float) -> None:
    """Wait until the asyncio event `woken` is set, or `seconds` pass. Unlike
    `asyncio.wait_for(woken.wait(), seconds)` on Python 3.11, a cancellation that comes as the
    event is set is never lost: the waiting task ends, rather than going round its loop again
    forever."""
    import asyncio

    waiter = asyncio.ensure_future(woken.wait())
    try:
        await asyncio.wait([waiter], timeout=seconds)
    finally:
        waiter.cancel()
