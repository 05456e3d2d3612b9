"""The refusals the rules (and the service applying them) raise: each a sentence a responder
can read, typed so that every face maps it without asking again (the server's 404, 409, 412 or
422; the CLI's exit code 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from esctui.domain.models import Incident


class DomainError(Exception):
    """A command was refused. `str(error)` is one sentence for the responder."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The command names an incident (or responder, policy...) that does not exist."""


class VersionConflict(DomainError):
    """The incident moved on since the caller looked (someone else was faster); `current` is
    what it is now."""

    def __init__(self, message: str, current: Incident) -> None:
        super().__init__(message)
        self.current = current


class RequestReused(DomainError):
    """An idempotency key came again with a different request: neither is done."""
