"""Two `esctui serve --database` processes over one PostgreSQL database, with real clients and
event streams: what one records reaches the other's streams, racing actions on one incident
give one success, a process killed at any moment loses and repeats no action, and a restart
of PostgreSQL is a 503 with a sentence meanwhile, then nothing missed or repeated."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from esctui.domain import commands as c
from esctui.domain.events import Acknowledged, Escalated, NoteAdded
from live_postgres import Postgres
from live_server import Spawned
from served_store import ServedStore

from .stream_follower import Follower

pytestmark = pytest.mark.parametrize("served", ["postgres"], indirect=True)

# Times a server is killed (and started again) while clients post.
ROUNDS = 8


@pytest.fixture
def pair(served: ServedStore) -> Iterator[tuple[list[Spawned], dict[str, str]]]:
    """Two servers over the database, started; and tokens."""
    tokens = served.make_tokens()
    servers = [Spawned(served), Spawned(served)]
    try:
        for server in servers:
            server.start()
        yield servers, tokens
    finally:
        for server in servers:
            server.stop()


@contextlib.asynccontextmanager
async def following(followers: list[Follower]) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(follower.run()) for follower in followers]
    try:
        async with asyncio.timeout(10):
            while any(follower.connects == 0 for follower in followers):
                await asyncio.sleep(0.02)
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def client(url: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=httpx.Timeout(10)
    )


async def trigger(http: httpx.AsyncClient, title: str) -> str:
    made = await http.post(
        "/v1/incidents", json={"title": title, "service": "checkout", "severity": 2}
    )
    assert made.status_code == 201, made.text
    incident: str = made.json()["incident"]["id"]
    return incident


def revision_now(url: str) -> int:
    revision: int = httpx.get(f"{url}/healthz", timeout=5).json()["revision"]
    return revision


def assert_given_once_in_order(follower: Follower, start: int, end: int) -> None:
    """Every revision after `start`, up to `end` at least (the servers' own escalations may
    have gone on), given once and in order: none missed or repeated."""
    assert follower.resyncs == []
    revisions = follower.revisions
    assert revisions == list(range(start + 1, revisions[-1] + 1))
    assert revisions[-1] >= end


def test_an_action_through_one_server_reaches_the_others_streams(
    pair: tuple[list[Spawned], dict[str, str]],
) -> None:
    (a, b), tokens = pair
    start = revision_now(a.url)

    async def scenario() -> tuple[list[Follower], list[int], str]:
        on_a = [Follower([a.url], tokens["frank"], start) for _ in range(3)]
        on_b = [Follower([b.url], tokens["alice"], start) for _ in range(3)]
        sent = []
        async with following(on_a + on_b), client(a.url, tokens["frank"]) as via_a:
            async with client(b.url, tokens["alice"]) as via_b:
                incident = await trigger(via_a, "Replica lag on db-7")
                for n in range(10):
                    via = via_a if n % 2 else via_b
                    done = await via.post(
                        f"/v1/incidents/{incident}/notes",
                        json={"text": f"note {n}"},
                        headers={"If-Match": "*"},
                    )
                    assert done.status_code == 200, done.text
                    sent.append(done.json()["changes"][-1]["revision"])
            for follower in on_a + on_b:
                await follower.reached(sent[-1], 10)
        return on_a + on_b, sent, incident

    followers, sent, incident = asyncio.run(scenario())
    for follower in followers:
        assert_given_once_in_order(follower, start, sent[-1])
        notes = [e["text"] for _, e in follower.given if e["incident"] == incident and "text" in e]
        assert notes == [f"note {n}" for n in range(10)]


def test_racing_actions_on_one_incident_give_one_success(
    pair: tuple[list[Spawned], dict[str, str]], served: ServedStore
) -> None:
    (a, b), tokens = pair

    async def race(if_match: str) -> tuple[str, list[int]]:
        async with client(a.url, tokens["frank"]) as frank, client(b.url, tokens["alice"]) as alice:
            incident = await trigger(frank, f"Race {if_match}")
            answers = await asyncio.gather(
                *(
                    http.post(
                        f"/v1/incidents/{incident}/actions/acknowledge",
                        headers={"If-Match": if_match},
                    )
                    for http in [frank, alice] * 4
                )
            )
        return incident, sorted(answer.status_code for answer in answers)

    for if_match, loser in (('"1"', 412), ("*", 409)):
        for _ in range(3):
            incident, statuses = asyncio.run(race(if_match))
            assert statuses == [200] + [loser] * 7
            acknowledged = [e for e in served.timeline(incident) if isinstance(e, Acknowledged)]
            assert len(acknowledged) == 1


class Posting:
    """Clients posting notes with idempotency keys, each to the servers in turn; one that gets
    no answer (its server died, or answered 503) sends the same request again, to the other
    server first, until it is answered. What each key was answered with is kept, and which
    server failed to answer in which round."""

    def __init__(self, servers: list[Spawned], token: str, incidents: list[str]) -> None:
        self.servers = servers
        self.token = token
        self.incidents = incidents
        self.answered: dict[str, int] = {}  # key -> the revision of its note
        self.unanswered: list[tuple[int, int, int]] = []  # (round, server, status or 0)
        self.round = 0
        self.stopping = asyncio.Event()

    async def post(self, n: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "If-Match": "*"}
        async with httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(10)) as http:
            for i in itertools.count():
                if self.stopping.is_set():
                    return
                key = f"client{n}-{i}"
                incident = self.incidents[(n + i) % len(self.incidents)]
                first = (n + i) % len(self.servers)
                for attempt in itertools.count():
                    index = (first + attempt) % len(self.servers)
                    status = await self.send(http, index, incident, key)
                    if status == 200:
                        break
                    self.unanswered.append((self.round, index, status))
                    if attempt % len(self.servers) == len(self.servers) - 1:
                        await asyncio.sleep(0.05)  # every server failed it: a moment

    async def send(self, http: httpx.AsyncClient, index: int, incident: str, key: str) -> int:
        try:
            answer = await http.post(
                f"{self.servers[index].url}/v1/incidents/{incident}/notes",
                json={"text": key},
                headers={"Idempotency-Key": key},
            )
        except httpx.TransportError:
            return 0
        if answer.status_code == 200:
            [change] = answer.json()["changes"]
            assert change["event"]["text"] == key
            assert self.answered.setdefault(key, change["revision"]) == change["revision"]
        else:
            assert answer.status_code == 503, answer.text
            assert answer.json()["detail"].endswith("."), answer.text
        return answer.status_code


def notes_by_text(served: ServedStore, incidents: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for incident in incidents:
        for event in served.timeline(incident):
            if isinstance(event, NoteAdded):
                counts[event.text] = counts.get(event.text, 0) + 1
    return counts


def escalated_in_time(served: ServedStore, seconds: float) -> float:
    """Trigger an incident whose first level timed out long ago; how long until a server
    escalated it."""
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    command = c.Trigger(title="Disk full on db-9", service="checkout", severity=2)
    [change] = served.execute(command, "frank", clock=lambda: an_hour_ago)
    started = time.monotonic()
    while not any(isinstance(e, Escalated) for e in served.timeline(change.event.incident)):
        assert time.monotonic() - started < seconds, "nobody escalated"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.slow
def test_servers_killed_at_random_moments_lose_and_repeat_no_action(
    pair: tuple[list[Spawned], dict[str, str]], served: ServedStore
) -> None:
    servers, tokens = pair
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    start = revision_now(servers[0].url)
    victims: list[int] = []

    async def scenario() -> tuple[Posting, list[Follower], int]:
        async with client(servers[0].url, tokens["frank"]) as http:
            incidents = [await trigger(http, f"Killed server {n}") for n in range(4)]
        posting = Posting(servers, tokens["frank"], incidents)
        urls = [server.url for server in servers]
        followers = [
            Follower(urls, tokens["alice"], start),
            Follower(urls[::-1], tokens["alice"], start),
        ]
        async with following(followers):
            clients = [asyncio.create_task(posting.post(n)) for n in range(4)]
            for _ in range(ROUNDS):
                victim = chance.randrange(len(servers))
                victims.append(victim)
                await asyncio.sleep(chance.uniform(0.05, 0.6))
                await asyncio.to_thread(servers[victim].kill)
                await asyncio.sleep(chance.uniform(0.0, 0.3))
                await asyncio.to_thread(servers[victim].start)
                posting.round += 1
            posting.stopping.set()
            await asyncio.gather(*clients)
            end = max(revision_now(url) for url in urls)
            for follower in followers:
                await follower.reached(end, 15)
        return posting, followers, end

    posting, followers, end = asyncio.run(scenario())
    said = f"(seed {seed}, victims {victims})"
    assert len(posting.answered) > 4 * ROUNDS, said
    failed_survivors = [(r, s) for r, s, _ in posting.unanswered if s != victims[r]]
    assert failed_survivors == [], f"the server left running failed to answer {said}"
    notes = notes_by_text(served, posting.incidents)
    assert {key: notes.get(key) for key in posting.answered} == dict.fromkeys(posting.answered, 1)
    assert set(notes) == set(posting.answered), "a note nobody was told of"
    for follower in followers:
        assert_given_once_in_order(follower, start, end)
        texts = {event.get("text"): revision for revision, event in follower.given}
        assert all(texts[key] == revision for key, revision in posting.answered.items())
    assert escalated_in_time(served, 5) < 5, "auto-escalation did not resume"


def test_a_restart_of_postgresql_is_503_meanwhile_and_no_stream_misses_or_repeats(
    pair: tuple[list[Spawned], dict[str, str]], served: ServedStore, postgres: Postgres
) -> None:
    servers, tokens = pair
    start = revision_now(servers[0].url)

    async def scenario() -> tuple[Posting, list[Follower], int, list[tuple[str, httpx.Response]]]:
        async with client(servers[0].url, tokens["frank"]) as http:
            incidents = [await trigger(http, f"Database restart {n}") for n in range(2)]
            posting = Posting(servers, tokens["frank"], incidents)
            followers = [Follower([server.url], tokens["alice"], start) for server in servers]
            down: list[tuple[str, httpx.Response]] = []
            async with following(followers):
                clients = [asyncio.create_task(posting.post(n)) for n in range(2)]
                await asyncio.sleep(0.5)
                restart = asyncio.create_task(asyncio.to_thread(postgres.restart))
                while not restart.done():
                    for path in ("/healthz", f"/v1/incidents/{incidents[0]}"):
                        answer = await http.get(path)
                        if answer.status_code != 200:
                            down.append((path, answer))
                    await asyncio.sleep(0.02)
                await restart
                answered = len(posting.answered)
                async with asyncio.timeout(15):  # back by itself: new notes are answered
                    while len(posting.answered) < answered + 10:
                        await asyncio.sleep(0.05)
                posting.stopping.set()
                await asyncio.gather(*clients)
                end = max(revision_now(server.url) for server in servers)
                for follower in followers:
                    await follower.reached(end, 15)
        return posting, followers, end, down

    posting, followers, end, down = asyncio.run(scenario())
    assert down, "nothing was refused while PostgreSQL was down"
    for path, answer in down:
        assert answer.status_code == 503, answer.text
        detail = answer.json()["detail"]
        assert f"the database {served.where}" in detail.lower(), detail
        if path == "/healthz":
            assert detail.startswith("The server lets nobody in: "), detail
    assert {status for _, _, status in posting.unanswered} == {503}
    notes = notes_by_text(served, posting.incidents)
    assert {key: notes.get(key) for key in posting.answered} == dict.fromkeys(posting.answered, 1)
    for follower in followers:
        assert_given_once_in_order(follower, start, end)
    for server in servers:
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    assert escalated_in_time(served, 5) < 5, "auto-escalation did not resume"
