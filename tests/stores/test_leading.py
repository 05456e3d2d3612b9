"""Leadership (`Leading`): among all the processes that open one store, one at a time leads a
piece of work (the server's auto-escalation, sending pages); when it dies, another takes over
within seconds. Each test runs against every store."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from esctui.service.ports import Leading

from .conftest import Place
from .test_contract import opened, run

LEADER = Path(__file__).with_name("leader.py")


def test_one_store_leads_a_piece_of_work_until_it_is_closed(store_factory: Place) -> None:
    async def scenario() -> Any:
        async with opened(store_factory, 3) as (first, second, third):
            assert isinstance(first, Leading) and isinstance(second, Leading)
            assert isinstance(third, Leading)
            asked = [
                await first.leads("escalation"),
                await second.leads("escalation"),
                await first.leads("escalation"),  # it keeps what it holds
                await second.leads("paging"),  # another piece of work is led apart
                await first.leads("paging"),
            ]
            await first.close()
            after = [await second.leads("escalation"), await third.leads("escalation")]
            return asked, after

    asked, after = run(scenario())
    assert asked == [True, False, True, True, False]
    assert after == [True, False]


def test_another_process_takes_over_within_seconds_of_the_leaders_death(
    store_factory: Place,
) -> None:
    async def scenario() -> Any:
        async with opened(store_factory) as (store,):
            assert isinstance(store, Leading)
            leader = await asyncio.create_subprocess_exec(
                sys.executable, str(LEADER), store_factory.where, "escalation",
                stdout=subprocess.PIPE,
            )  # fmt: skip
            try:
                assert leader.stdout is not None
                assert await leader.stdout.readline() == b"leading\n"
                while_alive = [await store.leads("escalation") for _ in range(3)]
                leader.send_signal(signal.SIGKILL)
                killed = time.monotonic()
                while not await store.leads("escalation"):
                    await asyncio.sleep(0.05)
                return while_alive, time.monotonic() - killed
            finally:
                if leader.returncode is None:
                    leader.kill()
                await leader.wait()

    while_alive, took = run(scenario())
    assert while_alive == [False, False, False]
    assert took < 3
