"""The team server as a backend (`--server URL`): the same protocol as a local store.

Requests carry the responder's token; actions carry `If-Match` with the version the caller
saw (`*` when it gave none) and an `Idempotency-Key`, so a retry never acts twice. Connection
errors, 429 and 5xx answers not from the server itself are retried with backoff. Live changes
come from the server's event stream, which resumes from the last revision after a drop. While
the server cannot be reached, actions the caller allows to wait go to the outbox and are sent,
in order, when the link returns, each with the token that made it; the ones the server then
refuses come back as notices.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import httpx
import msgspec

from esctui.backends.base import (
    ActionQueued,
    Change,
    IncidentHistory,
    Link,
    Queue,
    Recorded,
    StoreError,
    Update,
)
from esctui.backends.http import wire
from esctui.backends.http.connection import Connection, Unreachable
from esctui.backends.http.outbox import Outbox, Waiting, default_outbox_path, token_fingerprint
from esctui.backends.http.requests import (
    TokenRefused,
    answer,
    describe,
    if_match,
    outcome,
    problem_of,
)
from esctui.backends.http.routes import incident_path, request_for
from esctui.backends.http.sending import UNREACHABLE, OutboxSender
from esctui.backends.http.sse import EventParser
from esctui.domain.actions import EVERY_ACTION, Action, allowed
from esctui.domain.commands import AnyCommand
from esctui.domain.models import Directory, Incident

change_decoder = msgspec.json.Decoder(Change)
queue_decoder = msgspec.json.Decoder(wire.QueueOut)
detail_decoder = msgspec.json.Decoder(wire.IncidentDetail)
histories_decoder = msgspec.json.Decoder(list[wire.HistoryOut])
me_decoder = msgspec.json.Decoder(wire.Me)
revoked_decoder = msgspec.json.Decoder(wire.Revoked)


class HttpBackend:
    """A team server, as the responder its token belongs to (`responder`, known after
    `open`). A server carries out every action; administration needs an administrator's
    token."""

    kind = "http"
    capabilities = EVERY_ACTION

    def __init__(
        self,
        url: str,
        token: str,
        *,
        outbox: Path | None = None,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.1,
        quiet_limit: float = 45.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.connection = Connection(
            self.url,
            token,
            self.link_changed,
            timeout=timeout,
            attempts=attempts,
            backoff=backoff,
            quiet_limit=quiet_limit,
        )
        self.outbox = Outbox(outbox or default_outbox_path(), self.url, token_fingerprint(token))
        self.backoff = backoff
        self.responder: str | None = None
        self.snapshot = ""  # of the queue last read: the event stream resumes within it
        self.notices: list[str] = []
        self.sender = OutboxSender(self.outbox, self.connection, self.notice)
        self.updates: asyncio.Queue[Update | BaseException] | None = None
        self.flushing: asyncio.Task[None] | None = None
        self.admin = HttpAdmin(self)

    @property
    def location(self) -> str:
        return self.url

    @property
    def link(self) -> Link:
        return self.connection.link

    @property
    def waiting(self) -> int:
        return self.outbox.count

    def offered(self, incident: Incident) -> frozenset[Action]:
        return allowed(incident)

    def unavailable(self, action: Action) -> str:
        return f"The server at {self.url} does not take the {action} action."

    # -- what followers hear ------------------------------------------------------------

    def link_changed(self, link: Link) -> None:
        self.emit(Update(changes=[], link=link))

    def emit(self, update: Update) -> None:
        if self.updates is not None:
            self.updates.put_nowait(update)

    def notice(self, sentence: str) -> None:
        if self.updates is not None:
            self.emit(Update(changes=[], notices=[sentence]))
        else:
            self.notices.append(sentence)

    def take_notices(self) -> list[str]:
        """Notices no follower has been given (a CLI prints them)."""
        taken, self.notices = self.notices, []
        return taken

    # -- the protocol --------------------------------------------------------------------

    async def open(self) -> Queue:
        if self.outbox.to_settle():
            await self.flush()  # first, so the queue shows what they did
        data = queue_decoder.decode(await self.connection.get("/v1/queue"))
        self.responder = data.responder
        self.snapshot = data.snapshot
        return Queue(
            directory=data.directory,
            incidents=data.incidents,
            revision=data.revision,
            snapshot=data.snapshot,
        )

    async def whoami(self) -> str:
        """The responder the token belongs to."""
        self.responder = me_decoder.decode(await self.connection.get("/v1/me")).responder
        return self.responder

    async def history(self, incident_id: str) -> IncidentHistory:
        detail = detail_decoder.decode(await self.connection.get(incident_path(incident_id)))
        return IncidentHistory(incident=detail.incident, timeline=detail.timeline)

    async def histories(self, since: datetime) -> list[IncidentHistory]:
        found = histories_decoder.decode(
            await self.connection.get("/v1/history", params={"since": since.isoformat()})
        )
        return [IncidentHistory(incident=h.incident, timeline=h.timeline) for h in found]

    async def execute(
        self,
        command: AnyCommand,
        *,
        actor: str | None,  # the server acts as the token's responder
        expected_version: int | None = None,
        queue_offline: bool = False,
        request_key: str | None = None,
    ) -> Recorded:
        path, body = request_for(command)
        waiting = Waiting(
            key=request_key or uuid.uuid4().hex,
            server=self.url,
            path=path,
            body=body,
            if_match=if_match(command, expected_version),
            what=describe(command),
            queued_at=datetime.now(UTC),
            token=self.outbox.token,
            responder=self.responder or "",
        )
        if queue_offline and self.connection.link is Link.OFFLINE:
            self.keep(waiting, UNREACHABLE)
        if queue_offline and not await self.flush():
            # Behind those: actions go out in the order they were taken.
            self.keep(waiting, self.sender.held_back)
        try:
            response = await self.sender.send(waiting)
        except Unreachable:
            if not queue_offline:
                raise
            self.keep(waiting, UNREACHABLE)
        return answer(response.status_code, response.content, self.url)

    def keep(self, waiting: Waiting, why: str) -> NoReturn:
        self.outbox.add(waiting)
        raise ActionQueued(
            f"{why}: the {waiting.what} waits in the outbox and is sent when it can be."
        )

    async def flush(self) -> bool:
        """Send this token's actions waiting in the outbox (see `OutboxSender.flush`)."""
        return await self.sender.flush()

    async def flush_in_background(self) -> None:
        try:
            await self.flush()
        except StoreError as failure:  # the outbox file itself: the responder must know
            self.notice(str(failure))

    async def follow(self, after: int, interval: float = 0.1) -> AsyncIterator[Update]:
        """Changes from the server's event stream (`interval` is not needed: they are
        pushed). Link changes and outbox notices come as updates of their own."""
        updates: asyncio.Queue[Update | BaseException] = asyncio.Queue()
        self.updates = updates
        for sentence in self.take_notices():
            self.emit(Update(changes=[], notices=[sentence]))
        reader = asyncio.create_task(self.read_events(after))
        try:
            while True:
                update = await updates.get()
                if isinstance(update, BaseException):
                    raise update
                yield update
        finally:
            reader.cancel()
            self.updates = None

    async def read_events(self, after: int) -> None:
        updates = self.updates
        assert updates is not None
        cursor = after
        pause = self.backoff
        while True:
            try:
                cursor = await self.stream_from(cursor)
                pause = self.backoff
            except httpx.TransportError:
                self.connection.mark(Link.OFFLINE)
            except Unreachable:
                pass  # marked offline already
            except Exception as fatal:  # a refused token, a bug: the follower must hear of it
                updates.put_nowait(fatal)
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    async def stream_from(self, cursor: int) -> int:
        """Read the event stream from after `cursor` until it ends; the last revision seen."""
        headers = {"Last-Event-ID": str(cursor), "Accept": "text/event-stream"}
        params = {"snapshot": self.snapshot} if self.snapshot else None
        async with self.connection.http().stream(
            "GET",
            "/v1/events",
            headers=headers,
            params=params,
            timeout=self.connection.stream_timeout,
        ) as response:
            if response.status_code != 200:
                await response.aread()
                if response.status_code < 500:
                    answer(response.status_code, response.content, self.url)
                problem = problem_of(response.content)
                if problem is not None:  # the server's own sentence: say it, and try again
                    self.sender.tell_once(
                        f"The server at {self.url} sends no live changes for now: {problem.detail}"
                    )
                raise Unreachable(f"The event stream answered HTTP {response.status_code}.")
            self.connection.mark(Link.ONLINE)
            if self.outbox.to_settle() and (self.flushing is None or self.flushing.done()):
                # Beside the stream, which must keep being read while the outbox is sent.
                self.flushing = asyncio.create_task(self.flush_in_background())
            parser = EventParser()
            async for chunk in response.aiter_bytes():
                changes: list[Change] = []
                for event in parser.feed(chunk):
                    change = change_decoder.decode(event.data) if event.event == "change" else None
                    if change is not None and change.revision == cursor + 1:
                        changes.append(change)
                        cursor = change.revision
                    elif change is not None and change.revision <= cursor:
                        continue  # seen already
                    elif event.event in ("change", "resync"):  # a gap, or told to
                        if changes:
                            self.emit(Update(changes=changes))
                        return await self.resync()
                    elif event.event == "revoked":
                        raise TokenRefused(
                            f"Your token was revoked: the server at {self.url} ended your event "
                            f"stream. {revoked_decoder.decode(event.data).detail}"
                        )
                if changes:
                    self.emit(Update(changes=changes))
        return cursor

    async def resync(self) -> int:
        queue = await self.open()
        self.emit(Update(changes=[], queue=queue))
        return queue.revision

    async def close(self) -> None:
        if self.flushing is not None:
            self.flushing.cancel()
        await self.connection.close()


class HttpAdmin:
    """The server's administration, for an administrator's token (anyone else's: 403)."""

    def __init__(self, backend: HttpBackend) -> None:
        self.backend = backend

    async def compact(self, archive_after: timedelta) -> str:
        body = wire.CompactBody(archive_after_seconds=int(archive_after.total_seconds()))
        backend = self.backend
        response = await backend.connection.request(
            "POST", "/v1/store/compact", body=body, slow=True
        )
        return outcome(response.status_code, response.content, backend.url)

    async def replace_directory(self, directory: Directory) -> str:
        backend = self.backend
        response = await backend.connection.request(
            "PUT", "/v1/directory", body=directory, slow=True
        )
        return outcome(response.status_code, response.content, backend.url)

    async def escalate_due(self) -> list[Change]:
        return []  # the server runs auto-escalation on its own timer

    async def leads(self, work: str) -> bool:
        return False  # the server does the work that is led, for its store
