"""Several `esctui serve` processes over one store: auto-escalation runs in the one that leads
it, never in two at once, and when that one dies another takes over within seconds."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import httpx

from esctui.domain import commands as c
from esctui.domain.events import Escalated
from live_server import Spawned
from served_store import ServedStore

# How long a follower is watched for an escalation it must not make: several of its ticks.
WATCHED = 2.0
TAKEOVER = 5.0


def all_it_leads(server: Spawned) -> list[str]:
    answer: list[str] = httpx.get(f"{server.url}/healthz", timeout=5).json()["leads"]
    return answer


def leads(server: Spawned) -> list[str]:
    """Whether it leads escalation (paging, which it may lead too, is apart)."""
    return [work for work in all_it_leads(server) if work == "escalation"]


def leader_of(servers: list[Spawned], work: str = "escalation") -> Spawned:
    """The one server that leads `work`, once one does."""
    deadline = time.monotonic() + 10
    while True:
        leading = [server for server in servers if work in all_it_leads(server)]
        if leading:
            assert len(leading) == 1, f"two servers lead {work} at once"
            return leading[0]
        assert time.monotonic() < deadline, "no server took the lead"
        time.sleep(0.05)


def escalations(store: ServedStore, incident: str) -> list[Escalated]:
    return [e for e in store.timeline(incident) if isinstance(e, Escalated)]


def test_one_server_escalates_and_another_takes_over_when_it_dies(
    team_store: ServedStore,
) -> None:
    store = team_store
    servers = [Spawned(store), Spawned(store)]
    try:
        for server in servers:
            server.start()
        leader = leader_of(servers)
        [follower] = [server for server in servers if server is not leader]
        assert leads(follower) == []
        assert leader.process is not None
        leader.process.send_signal(signal.SIGSTOP)  # alive, holding the lead, doing nothing

        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        [trigger] = store.execute(
            c.Trigger(title="Disk full", service="api", severity=2),
            "alice",
            clock=lambda: an_hour_ago,
        )  # its first level timed out 50 minutes ago
        incident = trigger.event.incident
        watched = time.monotonic() + WATCHED
        while time.monotonic() < watched:
            assert escalations(store, incident) == [], "the follower escalated beside the leader"
            time.sleep(0.1)
        assert leads(follower) == []

        leader.kill()
        killed = time.monotonic()
        while not escalations(store, incident):
            assert time.monotonic() - killed < TAKEOVER, "nobody took over escalation"
            time.sleep(0.05)
        took = time.monotonic() - killed
        now_leading = leads(follower)
    finally:
        for server in servers:
            server.stop()
    [escalated] = escalations(store, incident)
    assert escalated.by is None and escalated.to_level == 2
    assert took < TAKEOVER
    assert now_leading == ["escalation"]


def test_health_says_which_server_sends_the_pages_and_another_takes_over(
    team_store: ServedStore,
) -> None:
    servers = [Spawned(team_store), Spawned(team_store)]
    try:
        for server in servers:
            server.start()
        sender = leader_of(servers, "paging")
        [other] = [server for server in servers if server is not sender]
        assert "paging" not in all_it_leads(other)
        sender.kill()
        deadline = time.monotonic() + 15
        while "paging" not in all_it_leads(other):
            assert time.monotonic() < deadline, "nobody took over paging"
            time.sleep(0.1)
    finally:
        for server in servers:
            server.stop()
