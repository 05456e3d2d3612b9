"""Making integrations on a running server, and reading back what monitoring's notifications did."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from .conftest import Running

T = TypeVar("T")


def integration(
    server: Running, name: str, kind: str, service: str = "checkout", **settings: Any
) -> str:
    """Make an integration through the server, as an administrator; its key."""
    with server.client("admin") as client:
        made = client.post(
            "/v1/store/integrations",
            json={"name": name, "kind": kind, "service": service, "settings": settings},
        )
    assert made.status_code == 201, made.text
    key: str = made.json()["key"]
    return key


def incident(server: Running, incident_id: str) -> dict[str, Any]:
    """The incident with its timeline, as the API gives it."""
    with server.client() as client:
        found = client.get(f"/v1/incidents/{incident_id}")
    assert found.status_code == 200, found.text
    detail: dict[str, Any] = found.json()
    return detail


def revision(server: Running) -> int:
    with server.client() as client:
        value: int = client.get("/v1/queue").json()["revision"]
        return value


def alert_incidents(server: Running, integration_name: str) -> list[dict[str, Any]]:
    """Every incident the integration's alerts opened, oldest first."""
    with server.client() as client:
        queue = client.get("/v1/queue").json()
    found = [
        i
        for i in queue["incidents"].values()
        if i.get("alerts") and i["alerts"]["integration"] == integration_name
    ]
    return sorted(found, key=lambda i: i["created_at"])


def eventually(look: Callable[[], T], done: Callable[[T], bool], within: float = 30.0) -> T:
    """`look()` until `done` says yes (a test fails rather than hangs: `within` seconds)."""
    deadline = time.monotonic() + within
    while True:
        seen = look()
        if done(seen):
            return seen
        assert time.monotonic() < deadline, f"still not there after {within}s: {seen!r}"
        time.sleep(0.05)


def post(server: Running, path: str, body: bytes, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return client.post(
            path, content=body, headers={"Content-Type": "application/json", **headers}
        )
