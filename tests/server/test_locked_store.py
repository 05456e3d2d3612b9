"""The store's lock held by another process (a compaction stopped with ctrl+z, any local user):
the server goes on answering reads and its health check, refuses writes with 503 in bounded
time naming the lock and its holder, and writes again once the lock is let go."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from esctui.domain.models import Status
from lock_holder import LockHolder

from .conftest import Spawned, journal_only, reopen


@journal_only
def test_a_held_lock_never_stops_the_server(
    spawned: tuple[Spawned, dict[str, str]], store_path: Path
) -> None:
    server, tokens = spawned
    url = server.start()
    incident = min(
        i.id for i in reopen(store_path).incidents.values() if i.status is Status.TRIGGERED
    )
    headers = {"Authorization": f"Bearer {tokens['frank']}", "If-Match": "*"}
    note = f"{url}/v1/incidents/{incident}/notes"

    def post(text: str) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        answer = httpx.post(note, json={"text": text}, headers=headers, timeout=30)
        return answer, time.monotonic() - started

    with LockHolder(store_path) as holder, ThreadPoolExecutor(4) as pool:
        writes = [pool.submit(post, f"while locked {n}") for n in range(3)]
        time.sleep(0.5)  # the writes wait for the lock now
        with httpx.Client(base_url=url, headers=headers, timeout=2) as reader:
            assert reader.get("/healthz").status_code == 200
            assert reader.get("/v1/queue").status_code == 200
            assert reader.get(f"/v1/incidents/{incident}").status_code == 200
            assert reader.get("/v1/incidents").status_code == 200
        answers = [write.result(timeout=30) for write in writes]
        holder.release()
    for answer, took in answers:
        assert answer.status_code == 503, answer.text
        assert took < 8, "the server's writers wait 5 s at most"
        detail = answer.json()["detail"]
        assert detail.startswith(f"The store is locked: process {holder.pid} (python")
        assert f"has held {store_path / 'store.lock'} for more than 5 s" in detail
    after = httpx.post(note, json={"text": "after"}, headers=headers, timeout=10)
    assert after.status_code == 200, after.text
