"""A page sender killed (SIGKILL) between recording a page and sending it, again and again:
every page owed is delivered at least once, and no page whose delivery was recorded is sent
again after a restart. The moment to kill is found in the records on disk (`pages.jsonl`), not
by sleeping: each round kills `esctui notify` as soon as a new page is recorded as owed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from acting import execute
from esctui.domain import commands as c
from esctui.domain.models import ContactMethod
from esctui.stores.journal import create_store
from esctui.stores.journal.pages import PAGES
from paging.receivers import HttpReceiver
from paging.sending import team

ROUNDS = 12
PAGE_ID = re.compile(r"^page (\S+)$", re.MULTILINE)


def records(store: Path) -> list[dict[str, Any]]:
    """The records in `pages.jsonl`, as far as they are written whole."""
    try:
        data = (store / PAGES).read_bytes()
    except FileNotFoundError:
        return []
    found = []
    for line in data.split(b"\n")[:-1]:
        found.append(json.loads(line)["record"])
    return found


def owed(store: Path) -> set[str]:
    return {r["page"]["id"] for r in records(store) if r["type"] == "owed"}


def delivered(store: Path) -> set[str]:
    return {
        r["page"]
        for r in records(store)
        if r["type"] == "attempted" and r["outcome"] == "delivered"
    }


def received(receiver: HttpReceiver) -> Counter[str]:
    """How often each page reached the receiver, by the id its message carries."""
    with receiver.lock:
        bodies = [r.json()["message"] for r in receiver.arrived]
    return Counter(found[1] for body in bodies if (found := PAGE_ID.search(body)))


def notify(store: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "esctui", "--store", str(store), "notify"]
    command += ["--retry-after", "0.2", "--send-timeout", "2"]
    return subprocess.Popen(command, stderr=subprocess.DEVNULL, env={**os.environ})


def wait_for(check: Any, what: str, patience: float = 30.0) -> Any:
    deadline = time.monotonic() + patience
    while not (result := check()):
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.002)
    return result


@pytest.mark.slow
def test_a_sender_killed_between_recording_and_sending_loses_and_repeats_nothing_delivered(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    receiver.answers["/alice"] = ("slow", 0.1)  # the try takes a while: kills land inside it
    phone = ContactMethod(name="phone", url=f"json://127.0.0.1:{receiver.port}/alice")
    store = tmp_path / "store"
    create_store(store, team({"alice": (phone,)}), [], now=datetime.now(UTC))
    kept_at_kill: list[tuple[set[str], Counter[str]]] = []
    unsent_at_kill = 0
    for n in range(ROUNDS):
        sender = notify(store)
        if n == 0:
            wait_for(lambda: records(store), "the first sender to start paging")
        before = owed(store)
        execute(store, c.Trigger(title=f"round {n}", service="checkout", severity=1), None)
        new = wait_for(lambda b=before: owed(store) - b, f"round {n}'s page recorded as owed")
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)
        done = delivered(store)
        unsent_at_kill += len(new - done)
        kept_at_kill.append((done, received(receiver)))
        # A page owed while no sender runs: sent by the next one.
        execute(store, c.Trigger(title=f"between {n}", service="checkout", severity=1), None)
    last = notify(store)
    try:
        wait_for(lambda: owed(store) and owed(store) <= delivered(store), "every page delivered")
    finally:
        last.terminate()
        last.wait(timeout=10)
    final = received(receiver)
    assert len(owed(store)) == 2 * ROUNDS
    assert all(final[page] >= 1 for page in owed(store)), "a page owed was never delivered"
    for done, counts in kept_at_kill:
        for page in done:
            assert final[page] == counts[page], f"{page} was sent again after its delivery"
    assert unsent_at_kill >= ROUNDS // 2, "the kills did not land between recording and sending"
