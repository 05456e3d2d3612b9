"""Sending a token's actions from the outbox once the server can be reached, and telling the
responder what became of each one that was not simply done.

Only the actions made with this backend's token go, in the order they were taken; other
tokens' wait for them. What the server answers decides what becomes of an action:
- done: it leaves the outbox;
- refused (someone else was faster, the rules say no): it leaves, and the responder is told
  why, with what the incident is now;
- the token it was made with is refused (revoked): it leaves, and the responder is told;
- the server could not record it yet (its store is locked, its disk full: 503): it stays, and
  the actions after it wait behind it;
- the server failed on it (a bug: 500): it leaves, and the responder is told, so that it does
  not hold up every action after it for ever;
- no answer at all: it stays, and so does everything after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from esctui.backends.base import StoreError, VersionConflict
from esctui.backends.http.connection import Connection, Unreachable
from esctui.backends.http.outbox import Outbox, Waiting
from esctui.backends.http.requests import answer, problem_of
from esctui.domain.errors import DomainError

UNREACHABLE = "The server cannot be reached"


class OutboxSender:
    """Sends `outbox`'s actions through `connection`; sentences for the responder go to
    `notice`."""

    def __init__(
        self, outbox: Outbox, connection: Connection, notice: Callable[[str], None]
    ) -> None:
        self.outbox = outbox
        self.connection = connection
        self.notice = notice
        self.told: set[str] = set()  # sentences given once per backend (what keeps waiting)
        self.held_back = ""  # why the outbox was not emptied the last time it was sent
        self.sending: asyncio.Lock | None = None

    async def send(self, waiting: Waiting) -> httpx.Response:
        headers = {"Idempotency-Key": waiting.key}
        if waiting.if_match is not None:
            headers["If-Match"] = waiting.if_match
        return await self.connection.request(
            "POST", waiting.path, body=waiting.body, headers=headers
        )

    async def flush(self) -> bool:
        """Send this token's actions, oldest first; True once none is left, else `held_back`
        says why the rest wait."""
        if self.sending is None:
            self.sending = asyncio.Lock()
        async with self.sending:
            self.drop_unclaimed()
            for waiting in self.outbox.waiting():
                try:
                    response = await self.send(waiting)
                except Unreachable:
                    self.held_back = UNREACHABLE
                    return False
                if not self.settle(waiting, response):
                    return False
            self.mention_others()
            return True

    def settle(self, waiting: Waiting, response: httpx.Response) -> bool:
        """Take `waiting` out of the outbox with what the server answered, telling the
        responder unless it was done; False (it stays) if the server could not decide yet."""
        status = response.status_code
        problem = problem_of(response.content)
        detail = problem.detail if problem else f"HTTP {status}"
        if status in (502, 503, 504):
            self.held_back = f"The server could not record the actions before it yet ({detail})"
            self.tell_once(
                f"Your {waiting.described()} waits in the outbox: the server could not record "
                f"it yet. {detail}"
            )
            return False
        if status == 401:
            # Sent with another token it would be done as someone else; kept, it would wait
            # for a token that lets nobody in any more. It goes, and the responder is told.
            whose = f" ({waiting.responder}'s)" if waiting.responder else ""
            self.notice(
                f"Your {waiting.described()} was not sent: the server no longer accepts the "
                f"token{whose} it was made with ({detail}) It was taken out of the outbox; do it "
                "again once you have a token the server accepts."
            )
        elif status >= 500:
            self.notice(
                f"Your {waiting.described()} was not recorded: the server failed on it "
                f"({detail}) It was taken out of the outbox, so the actions after it could go."
            )
        else:
            try:
                answer(status, response.content, self.connection.url)
            except (DomainError, StoreError) as refused:
                self.notice(
                    f"Your {waiting.described()}, sent once the server was back, was refused: "
                    f"{why(refused)}"
                )
        self.outbox.remove(waiting.key)
        return True

    def drop_unclaimed(self) -> None:
        """Actions an older esctui queued without noting whose they were. Sent with this
        token they could be done as someone else (several tokens may share one outbox), so
        they are not sent: the responder is told what they were, and does again what was
        theirs."""
        unclaimed = self.outbox.unclaimed()
        if not unclaimed:
            return
        listed = "; ".join(w.described() for w in unclaimed)
        self.notice(
            "Not sent, and taken out of the outbox: actions queued by an older esctui, which "
            f"did not note whose they were, so none goes out as someone else's ({listed}). "
            "Do again what was yours."
        )
        self.outbox.remove(*(w.key for w in unclaimed))

    def mention_others(self) -> None:
        others = self.outbox.others()
        if others:
            names = sorted({w.responder for w in others if w.responder})
            whose = f" ({', '.join(names)})" if names else ""
            self.tell_once(
                f"Waiting in {self.outbox.path} for another token{whose}: {len(others)} "
                f"action{'' if len(others) == 1 else 's'}. Each is sent only with the token that "
                "made it."
            )

    def tell_once(self, sentence: str) -> None:
        if sentence not in self.told:
            self.told.add(sentence)
            self.notice(sentence)


def why(refused: Exception) -> str:
    """The refusal of a queued action: for one someone else beat, what the incident is now."""
    if not isinstance(refused, VersionConflict):
        return str(refused)
    now = refused.current
    holder = f", assigned to {now.assignee}" if now.assignee else ""
    return f"{now.id} changed while you were offline; it is {now.status.value}{holder} now."
