"""The console's first read of Alertmanager starts before the console does: the answer (a
third of a second for 5,000 alerts) is on its way while Textual is imported and drawn, and
the queue opens from it."""

from __future__ import annotations

import asyncio

import pytest

from esctui.backends.alertmanager import AlertmanagerBackend, AlertmanagerSettings
from esctui.backends.base import ReadAhead, StoreError
from live_alertmanager import LiveAlertmanager, alert

NOBODY = "http://127.0.0.1:9"  # nothing listens there


def test_the_queue_opens_from_what_was_read_ahead(alertmanager: LiveAlertmanager) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    alertmanager.silence({"alertname": "DiskFull"}, by="dave", comment="ACK! on it")
    # One of the cluster is down: the read ahead passes it over, as every read does.
    settings = AlertmanagerSettings(urls=(alertmanager.url, NOBODY), identity="carol")
    backend = AlertmanagerBackend(settings)
    assert isinstance(backend, ReadAhead)
    backend.read_ahead().result(timeout=30)  # before any event loop runs
    alertmanager.stop()  # what open() shows can only have been read ahead

    async def opened() -> None:
        queue = await backend.open()
        [incident] = queue.incidents.values()
        assert (incident.title, incident.acknowledged_by) == ("Disk full on db-1", "dave")
        with pytest.raises(StoreError, match="cannot be reached"):
            await backend.refresh()  # read ahead once: the next read asks again
        await backend.close()

    asyncio.run(opened())


def test_a_read_ahead_that_reaches_no_alertmanager_fails_open_with_the_sentence() -> None:
    backend = AlertmanagerBackend(AlertmanagerSettings(urls=(NOBODY,), identity="carol"))
    backend.read_ahead().result(timeout=30)  # its failure is kept for open(), not raised here

    async def opened() -> None:
        with pytest.raises(StoreError, match=r"^Alertmanager at http://127.0.0.1:9 cannot be"):
            await backend.open()
        await backend.close()

    asyncio.run(opened())
