"""One sender at a time per store: two `esctui notify` processes over one store (a journal
directory, or a PostgreSQL database) send each page once between them; when the one sending is
killed, the other takes over and sends what is owed from then on."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from esctui.domain import commands as c
from esctui.domain.models import ContactMethod
from paging.receivers import HttpReceiver
from paging.sending import team
from served_store import STORES, ServedStore, new_store

PAGE_ID = re.compile(r"^page (\S+)$", re.MULTILINE)
PATIENCE = 30.0


class Notify:
    """`esctui notify` over a store, as a process; what it says on stderr, line by line."""

    def __init__(self, store: ServedStore) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "esctui", "--store", store.where, "notify"],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "ESCTUI_CONFIG": os.devnull},
        )
        self.said: list[str] = []
        threading.Thread(target=self.listen, daemon=True).start()

    def listen(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.said.append(line.strip())

    def saying(self, words: str) -> bool:
        return any(words in line for line in list(self.said))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)


def wait_for(check: Any, what: str) -> Any:
    deadline = time.monotonic() + PATIENCE
    while not (result := check()):
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)
    return result


def received(receiver: HttpReceiver) -> Counter[str]:
    """How often each page reached the receiver, by the id its message carries."""
    with receiver.lock:
        bodies = [r.json()["message"] for r in receiver.arrived]
    return Counter(found[1] for body in bodies if (found := PAGE_ID.search(body)))


def trigger(store: ServedStore, title: str) -> None:
    command = c.Trigger(title=title, service="checkout", severity=1)
    store.using(lambda backend: backend.execute(command, actor=None))


@pytest.fixture(params=STORES)
def paged_store(
    request: pytest.FixtureRequest, tmp_path: Path, receiver: HttpReceiver
) -> ServedStore:
    """A new store of the parameter's kind whose `checkout` pages alice at the receiver."""
    phone = ContactMethod(name="phone", url=f"json://127.0.0.1:{receiver.port}/alice")
    url = request.getfixturevalue("database") if request.param == "postgres" else None
    return new_store(request.param, team({"alice": (phone,)}), path=tmp_path / "store", url=url)


def delivered(store: ServedStore) -> int:
    """How many pages the store says were delivered."""
    since = datetime.now(UTC) - timedelta(days=1)
    states = store.using(lambda backend: backend.paging.pages(since))
    return sum(state.status == "delivered" for state in states)


def test_two_senders_on_one_store_send_each_page_once_and_one_takes_over_from_the_other(
    paged_store: ServedStore, receiver: HttpReceiver
) -> None:
    senders: list[Notify] = []
    try:
        first = Notify(paged_store)
        senders.append(first)
        wait_for(lambda: first.saying("This process sends the pages"), "the first to send")
        second = Notify(paged_store)
        senders.append(second)
        wait_for(lambda: second.saying("Another process sends"), "the second to wait")
        for n in range(4):
            trigger(paged_store, f"while both run {n}")
        wait_for(lambda: delivered(paged_store) == 4, "four pages delivered and recorded")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
        wait_for(lambda: second.saying("This process sends the pages"), "a takeover")
        trigger(paged_store, "after the first died")
        wait_for(lambda: delivered(paged_store) == 5, "the page owed after the takeover")
        # Seconds after the first four went out: a copy sent by a second sender would be here.
        assert sorted(received(receiver).values()) == [1] * 5, received(receiver)
    finally:
        for sender in senders:
            sender.stop()
