"""Leadership: one process at a time does the work only one may do (auto-escalation, sending
pages), however many share the database.

The leader holds a session-level advisory lock on a connection of its own. PostgreSQL lets go
of it when that connection ends, however the process ended (it crashed, it was killed with
SIGKILL, its host vanished and TCP keepalives gave up on it), and another process takes it at
its next try. The leader asks its connection for a sign of life at every try; when the
connection is gone it stops leading and says so. Between the connection dropping and the
leader noticing, two processes may both do the work: that work is idempotent (applying due
escalations twice changes nothing), so the worst is a wasted pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from types import TracebackType

import asyncpg

from esctui.stores.postgres.connection import (
    LINK_ERRORS,
    connect,
    sentence,
    url_without_password,
)
from esctui.stores.records import StoreError

log = logging.getLogger("esctui.stores.postgres")

LEADERSHIP = 0x45534C44  # "ESLD": advisory lock (this class, hash of the role's name)
PING_TIMEOUT = 5.0
# The server gives up on a leader's connection whose host went silent after about 25 s, and
# lets go of the lock (the default is the system's, often two hours).
KEEPALIVES = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}

Report = Callable[[bool, str], None]


class Leadership:
    """Whether this process leads `role` on the database at `url`.

    `async with Leadership(url, "auto-escalation") as lead:` tries every `every` seconds in
    the background; `lead.leading` says whether it leads now, and `report(leading, sentence)`
    is called whenever that changes. `await lead.acquire()` waits until it leads.
    """

    def __init__(
        self, url: str, role: str, *, every: float = 5.0, report: Report | None = None
    ) -> None:
        self.url = url
        self.role = role
        self.every = every
        self.report = report
        self.location = url_without_password(url)
        self.connection: asyncpg.Connection | None = None
        self.leading = False
        self.task: asyncio.Task[None] | None = None
        # One try at a time: `acquire()` and the background loop share the connection.
        self.trying = asyncio.Lock()

    async def try_once(self) -> bool:
        """Take the lead if nobody holds it; if this process holds it, check it still does.
        Whether this process leads now."""
        async with self.trying:
            await self.try_on_connection()
        return self.leading

    async def try_on_connection(self) -> None:
        try:
            if self.connection is None or self.connection.is_closed():
                self.lost("its connection to the database dropped")
                self.connection = await connect(self.url, KEEPALIVES)
                self.connection.add_termination_listener(self.terminated)
            if self.leading:
                await self.connection.fetchval("SELECT 1", timeout=PING_TIMEOUT)
            elif await self.connection.fetchval(
                "SELECT pg_try_advisory_lock($1, hashtext($2))", LEADERSHIP, self.role
            ):
                self.change(True, f"This process leads {self.role} on {self.location}.")
        except StoreError as error:
            self.drop(str(error))
        except (asyncpg.PostgresError, *LINK_ERRORS) as error:
            self.drop(sentence(self.location, error))

    async def acquire(self) -> None:
        """Wait until this process leads."""
        while not await self.try_once():
            await asyncio.sleep(self.every)

    async def keep_trying(self) -> None:
        while True:
            await self.try_once()
            await asyncio.sleep(self.every)

    async def release(self) -> None:
        """Stop leading (closing the connection lets go of the lock)."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.remove_termination_listener(self.terminated)
            with contextlib.suppress(asyncpg.PostgresError, *LINK_ERRORS):
                await connection.close(timeout=PING_TIMEOUT)
            connection.terminate()
        if self.leading:
            self.change(
                False,
                f"This process no longer leads {self.role} on {self.location}.",
                level=logging.INFO,  # let go on purpose: the process is stopping
            )

    async def __aenter__(self) -> Leadership:
        self.task = asyncio.create_task(self.keep_trying(), name=f"esctui-leadership-{self.role}")
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.release()

    # -- losing it -----------------------------------------------------------------------

    def terminated(self, _connection: asyncpg.Connection) -> None:
        self.lost("its connection to the database dropped")

    def drop(self, why: str) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.remove_termination_listener(self.terminated)
            connection.terminate()
        self.lost(why[0].lower() + why[1:].rstrip("."))

    def lost(self, why: str) -> None:
        if self.leading:
            self.change(
                False, f"This process no longer leads {self.role} on {self.location}: {why}."
            )

    def change(self, leading: bool, message: str, *, level: int | None = None) -> None:
        self.leading = leading
        log.log(level or (logging.INFO if leading else logging.WARNING), message)
        if self.report is not None:
            self.report(leading, message)
