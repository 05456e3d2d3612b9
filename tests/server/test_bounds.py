"""The server refuses numbers and times that would overflow date arithmetic with a sentence,
never a 500, and the store keeps working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from .conftest import Running

HUGE = 99_999_999_999_999


def test_put_directory_refuses_numbers_past_their_bound(server: Running) -> None:
    before = server.store.look()
    directory = msgspec.to_builtins(before.directory)
    long_wait = msgspec.json.decode(msgspec.json.encode(directory))
    long_wait["policies"][0]["levels"][0]["timeout_minutes"] = HUGE
    long_shift = msgspec.json.decode(msgspec.json.encode(directory))
    long_shift["rotations"][0]["shift_hours"] = HUGE
    year_one = msgspec.json.decode(msgspec.json.encode(directory))
    year_one["rotations"][0]["overrides"] = [
        {"responder": "alice", "start": "0001-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}
    ]
    with server.client("admin") as ivan:
        answers = [ivan.put("/v1/directory", json=body) for body in (long_wait, long_shift)]
        dated = ivan.put("/v1/directory", json=year_one)
        incident = min(i.id for i in before.incidents.values() if i.is_open)
        noted = ivan.post(
            f"/v1/incidents/{incident}/notes",
            json={"text": "still writable"},
            headers={"If-Match": "*"},
        )
    for answer, field in zip(answers, ("timeout_minutes", "shift_hours"), strict=True):
        assert answer.status_code == 422, answer.text
        assert field in answer.text
    assert dated.status_code == 422, dated.text
    assert "esctui takes the years 2000 to 2200" in dated.text
    assert noted.status_code in (200, 201), noted.text
    after = server.store.look()
    assert (after.queue.snapshot, after.directory) == (before.queue.snapshot, before.directory)


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_oncall_at_a_time_outside_the_years_esctui_takes_is_400(server: Running, at: str) -> None:
    with server.client() as frank:
        answer = frank.get("/v1/oncall", params={"at": at})
    assert answer.status_code == 400, answer.text
    assert "esctui takes the years 2000 to 2200" in answer.json()["detail"]


def test_a_snooze_past_the_cap_is_refused_through_the_api_too(server: Running) -> None:
    incident = min(i.id for i in server.store.look().incidents.values() if i.is_open)
    until = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    with server.client() as frank:
        answer = frank.post(
            f"/v1/incidents/{incident}/actions/snooze",
            json={"until": until},
            headers={"If-Match": "*"},
        )
    assert answer.status_code == 409, answer.text
    assert "can be snoozed for at most 168h" in answer.json()["detail"]
