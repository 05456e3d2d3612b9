"""One process at a time leads (auto-escalation, sending pages); another takes over within
seconds of the leader's death, and a leader whose connection drops stops and says so."""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from esctui.stores.postgres import Leadership

from .test_contract import run

LEADER = Path(__file__).with_name("leader.py")
ROLE = "auto-escalation"


def test_another_process_takes_over_within_seconds_of_the_leaders_death(database: str) -> None:
    leader = subprocess.Popen(
        [sys.executable, str(LEADER), database, ROLE], stdout=subprocess.PIPE, text=True
    )
    try:
        assert leader.stdout is not None
        assert leader.stdout.readline() == "leading\n"

        async def scenario() -> Any:
            reports: list[tuple[bool, str]] = []
            lead = Leadership(database, ROLE, every=0.1, report=lambda *r: reports.append(r))
            other = Leadership(database, "sending pages", every=0.1)
            while_alive = [await lead.try_once() for _ in range(3)]
            elsewhere = await other.try_once()  # another role is another lock
            leader.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            await lead.acquire()
            took = time.monotonic() - killed
            await lead.release()
            await other.release()
            return while_alive, elsewhere, took, reports

        while_alive, elsewhere, took, reports = run(scenario())
    finally:
        leader.kill()
        leader.wait(timeout=30)
    assert while_alive == [False, False, False]
    assert elsewhere
    assert took < 3
    assert [leading for leading, _ in reports] == [True, False]
    assert reports[0][1] == f"This process leads {ROLE} on {database}."


def test_a_leader_whose_connection_drops_stops_and_says_so(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="esctui.stores.postgres")

    async def scenario() -> Any:
        reports: list[tuple[bool, str]] = []
        lost = asyncio.Event()

        def report(leading: bool, sentence: str) -> None:
            reports.append((leading, sentence))
            if not leading:
                lost.set()

        lead = Leadership(database, ROLE, every=0.1, report=report)
        await lead.acquire()
        backend = await lead.connection.fetchval("SELECT pg_backend_pid()")
        other = await asyncpg.connect(database)
        await other.execute("SELECT pg_terminate_backend($1)", backend)
        await other.close()
        await lost.wait()  # nothing asked the connection: the drop alone is noticed
        leading_after = lead.leading
        await lead.acquire()  # nobody else holds it: this process takes it again
        await lead.release()
        return leading_after, reports

    leading_after, reports = run(scenario())
    assert leading_after is False
    assert [leading for leading, _ in reports] == [True, False, True, False]
    assert reports[1][1] == (
        f"This process no longer leads {ROLE} on {database}: its connection to the database "
        "dropped."
    )
    assert reports[3][1] == f"This process no longer leads {ROLE} on {database}."
    # A drop is a warning; letting go on purpose (the process is stopping) is not.
    levels = {r.getMessage(): r.levelname for r in caplog.records}
    assert levels[reports[1][1]] == "WARNING"
    assert levels[reports[3][1]] == "INFO"
