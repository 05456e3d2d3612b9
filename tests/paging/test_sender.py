"""The page sender against real receivers on 127.0.0.1: what pages whom, delays, quiet hours,
cancellation on acknowledgement, retries, and the record it leaves."""

from __future__ import annotations

from pathlib import Path

from esctui.domain import events as e
from esctui.domain.models import ContactMethod
from paging.receivers import HttpReceiver
from paging.sending import Sending, run, sending, team, until


def json_method(receiver: HttpReceiver, name: str, path: str, after: int = 0) -> ContactMethod:
    return ContactMethod(
        name=name, url=f"json://127.0.0.1:{receiver.port}{path}", after_minutes=after
    )


async def paged(s: Sending, incident: str) -> list[e.Paged]:
    return [event for event in await s.timeline(incident) if isinstance(event, e.Paged)]


def test_a_new_incident_pages_its_first_holder(tmp_path: Path, receiver: HttpReceiver) -> None:
    directory = team({"alice": (json_method(receiver, "phone", "/alice"),)})

    async def scenario() -> None:
        async with sending(tmp_path, directory) as s:
            incident = await s.trigger(severity=1, title="checkout down")
            [page] = await until(lambda: receiver.at("/alice"), "alice paged")
            assert page.json()["title"] == f"SEV1 {incident}: checkout down"
            assert "New on checkout; you are on call." in page.json()["message"]
            [told] = await until(lambda: paged(s, incident), "the page on the timeline")
            assert (told.to, told.method, told.outcome, told.attempt) == (
                "alice", "phone", "delivered", 1,
            )  # fmt: skip
            [state] = await s.pages()
            assert state.status == "delivered"

    run(scenario())
