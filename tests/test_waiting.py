"""Waiting on an event with a time limit, as followers and the page sender do between looks:
a task cancelled just as its event is set still ends (`asyncio.wait_for` on Python 3.11 can
lose that cancellation, and the task goes on looping for good)."""

from __future__ import annotations

import asyncio

from esctui.stores.inline import woken_or_waited


def test_a_cancellation_that_comes_as_the_event_is_set_ends_the_task() -> None:
    async def scenario() -> bool:
        woken = asyncio.Event()

        async def look_again_and_again() -> None:
            while True:
                await woken_or_waited(woken, 10.0)
                woken.clear()

        task = asyncio.create_task(look_again_and_again())
        await asyncio.sleep(0)  # waiting now
        woken.set()
        task.cancel()  # before the task runs again: both land at once
        done, _ = await asyncio.wait([task], timeout=2.0)
        return task in done and task.cancelled()

    assert asyncio.run(scenario())
