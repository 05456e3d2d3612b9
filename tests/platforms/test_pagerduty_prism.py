"""Every request the PagerDuty backend makes is one PagerDuty's API document allows: Prism
serves the document in validation mode, and any violation it logs fails the test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from esctui.backends.base import StoreError
from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings
from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.models import Channel, Direction, Status
from live_prism import LivePrism


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePrism]:
    running = LivePrism(tmp_path_factory.mktemp("prism")).start()
    try:
        yield running
    finally:
        running.stop()


def test_every_request_the_backend_makes_is_valid_against_the_document(
    prism: LivePrism, tmp_path: Path
) -> None:
    settings = PagerDutySettings(from_email="carol@example.com", token="t0k3n", url=prism.url)

    async def anyway(work: Awaitable[object]) -> None:
        """Prism answers from the document's examples, and some of those fail the document's
        own schemas (it then answers 500): what is checked here is the request."""
        with contextlib.suppress(StoreError, DomainError):
            await work

    async def everything() -> None:
        backend = PagerDutyBackend(settings)
        queue = await backend.open()  # open and recently resolved incidents, paged
        incident_id = next(iter(queue.incidents))
        await anyway(backend.history(incident_id))  # its log entries
        await anyway(backend.histories(datetime.now(UTC) - timedelta(days=7)))
        backend.since = datetime.now(UTC) - timedelta(minutes=1)
        await anyway(backend.refresh())  # the log since the last look, and what it names
        await anyway(backend.full_refresh())  # everything again, on demand
        # Prism answers with the document's examples whatever was asked: the incident is
        # made acknowledged here so that every action's request can be sent.
        kept = backend.observed.incidents[incident_id]
        backend.observed.incidents[incident_id] = msgspec.structs.replace(
            kept, status=Status.ACKNOWLEDGED, acknowledged_by="carol@example.com"
        )
        me = "carol@example.com"
        later = datetime.now(UTC) + timedelta(hours=1)
        for command in [
            c.Acknowledge(incident=incident_id),
            c.Resolve(incident=incident_id, note="rolled back"),
            c.Reopen(incident=incident_id),
            c.HandOff(incident=incident_id, to="no-one-known@example.com", note="yours"),
            c.Escalate(incident=incident_id, level=2),
            c.Snooze(incident=incident_id, until=later),
            c.AddNote(incident=incident_id, text="looking"),
            c.LogCommunication(
                incident=incident_id,
                channel=Channel.EMAIL,
                direction=Direction.OUTBOUND,
                counterpart="ACME",
                summary="rolled back",
            ),
        ]:
            await anyway(backend.carry_out(command, me))
        await anyway(
            backend.statuses(
                [c.Acknowledge(incident=incident_id), c.Resolve(incident=incident_id)], me
            )
        )
        await backend.close()

    asyncio.run(everything())
    sent = prism.requests()
    for wanted in ["get /incidents", "put /incidents", "get /log_entries", "get /users"]:
        assert wanted in sent, sent
    assert any(s.startswith("post /incidents/") and s.endswith("/snooze") for s in sent)
    assert any(s.endswith("/status_updates") for s in sent)
    assert prism.violations() == []
    assert prism.passed() == len(sent)


def test_asking_who_is_on_call_is_valid_against_the_document(prism: LivePrism) -> None:
    settings = PagerDutySettings(from_email="carol@example.com", token="t0k3n", url=prism.url)

    async def on_call() -> list[list[str]]:
        backend = PagerDutyBackend(settings)
        await backend.open()
        now = await backend.on_call(datetime.now(UTC))  # `oncall`, `show`
        await backend.on_call(datetime.now(UTC) + timedelta(days=3))  # `oncall --at`
        await backend.settle()  # what the console is given once its queue is shown
        await backend.close()
        policy = now.policy("Engineering Escalation Policy")
        assert policy is not None
        return [[target.name for target in level.targets] for level in policy.levels]

    before = len(prism.requests())  # Prism serves the module's tests
    # The document's example: Tim Wright on call at level 2 (a reference: no e-mail).
    assert asyncio.run(on_call()) == [[], ["Tim Wright"]]
    sent = prism.requests()
    assert sum(s == "get /oncalls" for s in sent[before:]) == 3, sent
    assert prism.violations() == []
    assert prism.passed() == len(sent)
