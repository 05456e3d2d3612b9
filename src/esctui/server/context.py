"""What every request handler shares: the store's backend, the event hub, and the rules for
turning an action into events or into the right HTTP refusal."""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from datetime import UTC, datetime

from esctui.backends.base import Backend, Recorded, StoreError, Update
from esctui.domain.commands import AnyCommand
from esctui.domain.errors import DomainError, NotFound, RequestReused, VersionConflict
from esctui.server.auth import Tokens, refused_token
from esctui.server.hub import Hub
from esctui.server.mirror import Mirror
from esctui.server.problems import Problem
from esctui.service.incidents import fingerprint
from esctui.stores.records import TokenRecord

# Refusals remembered by `Idempotency-Key`, so a client that lost the answer and sends the same
# action again is refused the same way. A refusal wrote nothing, so only this process knows it;
# what was done is answered by the store, which keeps the key beside the events.
REMEMBERED_REFUSALS = 10_000

Clock = Callable[[], datetime]

DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: `str.isdigit` takes "²", which `int` refuses


def utc_now() -> datetime:
    return datetime.now(UTC)


class ServerContext:
    """The backend the server fronts, its tokens, the queue as the server knows it (`mirror`)
    and the event streams fed from it (`hub`)."""

    def __init__(
        self,
        backend: Backend,
        tokens: Tokens,
        mirror: Mirror,
        *,
        buffer: int,
        heartbeat: float,
        clock: Clock = utc_now,
    ) -> None:
        self.backend = backend
        self.admin = backend.admin
        self.tokens = tokens
        self.mirror = mirror
        self.hub = Hub(mirror, buffer)
        self.heartbeat = heartbeat
        self.clock = clock
        # The work this process leads among all that serve the store (see leading.py).
        self.leading: set[str] = set()
        # By request key: the digest of the request it came with, and the refusal.
        self.refusals: collections.OrderedDict[str, tuple[str, Problem]] = collections.OrderedDict()

    # -- what the backend recorded -------------------------------------------------------

    def take(self, update: Update) -> None:
        """An update from the backend's `follow`: into the mirror, out to every stream."""
        if update.queue is not None:
            self.mirror.replace(update.queue)
            self.hub.resync_all()
        elif self.mirror.bridges(update.changes) or (
            update.changes and update.changes[0].revision <= self.mirror.revision
        ):
            self.hub.publish(self.mirror.fold(update.changes))

    def took(self, recorded: Recorded) -> None:
        """This server's own write, answered: streamed at once where it follows on from what
        the mirror holds (else `follow` brings it, after what came before it)."""
        if self.mirror.bridges(recorded.changes):
            self.hub.publish(self.mirror.fold(recorded.changes))

    # -- acting --------------------------------------------------------------------------

    async def act(
        self,
        command: AnyCommand,
        responder: str,
        expected: int | None,
        key: str | None = None,
    ) -> Recorded:
        """Record `command` as `responder`; `Problem` 404, 409, 412, 422 or 503 if it cannot be.

        The same `key` from the same responder with the same command again gets the first
        answer, not a second action: the changes recorded for it (also after a restart) with
        the incident as it is now, or the same refusal. The same key with another command is
        a mistake (422): answering it with the first command's outcome would tell the caller
        that something was done which was not. A 503 is not remembered: nothing was decided.
        """
        if key is None:
            return await self.record(command, responder, expected, None)
        request = request_key(responder, key)
        digest = fingerprint(command, responder)
        earlier = self.refusals.get(request)
        if earlier is not None:
            if earlier[0] != digest:
                raise key_reused("one that was refused")
            raise earlier[1]
        try:
            return await self.record(command, responder, expected, request)
        except Problem as problem:
            if problem.status_code not in (503, 422):
                self.remember_refusal(request, digest, problem)
            raise

    async def record(
        self, command: AnyCommand, responder: str, expected: int | None, request: str | None
    ) -> Recorded:
        try:
            recorded = await self.backend.execute(
                command, actor=responder, expected_version=expected, request_key=request
            )
        except VersionConflict as conflict:
            raise Problem(412, str(conflict), incident=conflict.current) from None
        except NotFound as missing:
            raise Problem(404, str(missing)) from None
        except RequestReused as reused:
            raise Problem(422, f"{reused} Nothing was done.") from None
        except DomainError as refusal:
            raise Problem(409, str(refusal)) from None
        except StoreError as failure:
            raise Problem(503, str(failure)) from None
        self.took(recorded)
        return recorded

    def remember_refusal(self, request: str, digest: str, problem: Problem) -> None:
        self.refusals[request] = (digest, problem)
        while len(self.refusals) > REMEMBERED_REFUSALS:
            self.refusals.popitem(last=False)

    async def end_revoked_streams(self) -> None:
        """End the event streams of tokens revoked (or removed) since they were opened."""
        looked: dict[str, TokenRecord | None] = {}  # one look per token, however many streams
        for subscriber in list(self.hub.subscribers):
            token = subscriber.token
            if token is None or subscriber.revoked:
                continue
            if token.id not in looked:
                try:
                    looked[token.id] = await self.tokens.as_now(token)
                except StoreError:
                    return  # every request, and /healthz, says what is wrong meanwhile
            record = looked[token.id]
            if record is None or not record.active:
                subscriber.revoke(refused_token(record))


def request_key(responder: str, key: str) -> str:
    """An `Idempotency-Key` as the store keeps it: within the responder's own keys, so one
    responder's key never answers for another's. The separator is a control character, which
    the header may not hold (see `IdempotencyKey`), so no two pairs give the same string."""
    return f"{responder}\x1f{key}"


def key_reused(first: str) -> Problem:  # a refusal remembered, then a new request
    return Problem(
        422,
        f"This Idempotency-Key was already used for another request ({first}); use a new key "
        "for a new request. Nothing was done.",
    )


def expected_version(if_match: str | None) -> int | set[int] | None:
    """The version(s) an `If-Match` header names: None for `*` (any version). 428 without
    the header; 412 for one that names no version of ours."""
    if if_match is None or not if_match.strip():
        raise Problem(
            428,
            "Actions need an If-Match header with the incident's version as its ETag "
            '(like If-Match: "3"), or If-Match: * to act whatever the version.',
        )
    if if_match.strip() == "*":
        return None
    versions: set[int] = set()
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        version = plain_number(tag)
        if version is None:
            raise Problem(412, f"If-Match {if_match.strip()[:40]!r} names no incident version.")
        versions.add(version)
    return next(iter(versions)) if len(versions) == 1 else versions


def plain_number(text: str) -> int | None:
    """`text` as a revision or a version: up to 18 ASCII digits, else None."""
    return int(text) if DIGITS.fullmatch(text) else None


def etag(version: int) -> str:
    return f'"{version}"'
