"""Which request carries which domain command, and what the server's answers mean."""

from __future__ import annotations

from typing import NoReturn, TypeVar

import msgspec

from esctui.backends.base import Recorded, StoreError, VersionConflict
from esctui.backends.http import wire
from esctui.domain import commands as c
from esctui.domain.errors import DomainError, NotFound

T = TypeVar("T")

recorded_decoder = msgspec.json.Decoder(Recorded)
outcome_decoder = msgspec.json.Decoder(wire.Outcome)
problem_decoder = msgspec.json.Decoder(wire.ProblemBody)


class TokenRefused(StoreError):
    """The server lets this token in no more (revoked, or never made there)."""


def if_match(command: c.AnyCommand, expected_version: int | None) -> str | None:
    """The `If-Match` an action carries: the version the caller saw, or `*` when it gave none
    (the CLI acts on whatever is there, as on a local store). A trigger has nothing to match."""
    if isinstance(command, c.Trigger):
        return None
    return "*" if expected_version is None else f'"{expected_version}"'


def describe(command: c.AnyCommand) -> str:
    """`acknowledge of INC-1042`, `trigger of 'Disk full'`: the action in a responder's words."""
    if isinstance(command, c.Trigger):
        return f"trigger of {command.title[:60]!r}"
    name = type(command).__name__.lower().replace("addnote", "note").replace("handoff", "hand-off")
    name = name.replace("logcommunication", "communication")
    incident = command.incident if isinstance(command, c.IncidentCommand) else ""
    return f"{name} of {incident}"


def answer(status: int, content: bytes, server: str) -> Recorded:
    """What a 2xx answer recorded; the refusal of any other as the backend's errors."""
    if not 200 <= status < 300:
        refuse(status, content, server)
    return decoded(recorded_decoder, content, server)


def outcome(status: int, content: bytes, server: str) -> str:
    """The summary of a 200 answer to a change of the whole store; the refusal of any other."""
    if status != 200:
        refuse(status, content, server)
    return decoded(outcome_decoder, content, server).summary


def answered(decoder: msgspec.json.Decoder[T], status: int, content: bytes, server: str) -> T:
    """What a 2xx answer holds; the refusal of any other as the backend's errors."""
    if not 200 <= status < 300:
        refuse(status, content, server)
    return decoded(decoder, content, server)


def decoded(decoder: msgspec.json.Decoder[T], content: bytes, server: str) -> T:
    try:
        return decoder.decode(content)
    except msgspec.DecodeError as error:
        raise StoreError(
            f"The server at {server} answered with something else ({error})."
        ) from None


def refuse(status: int, content: bytes, server: str) -> NoReturn:
    """The server's refusal as the backend's errors: what the rules or the caller's rights
    refused as `DomainError`, a stale version as `VersionConflict`, the rest as `StoreError`."""
    problem = problem_of(content)
    detail = problem.detail if problem else f"HTTP {status}"
    if status == 412 and problem is not None and problem.incident is not None:
        raise VersionConflict(detail, problem.incident)
    if status == 404:
        raise NotFound(detail)
    if status in (403, 409, 412, 413, 422):
        raise DomainError(detail)
    if status == 401:
        raise TokenRefused(f"The server at {server} refused the token: {detail}")
    raise StoreError(f"The server at {server} could not do it: {detail}")


def problem_of(content: bytes) -> wire.ProblemBody | None:
    try:
        return problem_decoder.decode(content)
    except msgspec.DecodeError:
        return None
