"""Fixtures for the paging tests: real receivers on 127.0.0.1, a team whose responders are
paged there, and a check after every test that nothing was sent beyond 127.0.0.1."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from paging.receivers import HttpReceiver, SmtpReceiver

# Every address this process connected to (an audit hook: it cannot be taken out again, so it
# is put in once and each test looks at what was added during it).
CONNECTED: list[Any] = []


def audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            CONNECTED.append(address[0])


sys.addaudithook(audit)


@pytest.fixture(autouse=True)
def nothing_beyond_loopback() -> Iterator[None]:
    start = len(CONNECTED)
    yield
    beyond = [a for a in CONNECTED[start:] if not ipaddress.ip_address(a).is_loopback]
    assert not beyond, f"connected beyond 127.0.0.1: {beyond}"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server = HttpReceiver()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    server = SmtpReceiver(refuse=("nobody",))
    try:
        yield server
    finally:
        server.close()
