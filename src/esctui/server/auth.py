"""Who is asking: every request carries `Authorization: Bearer TOKEN`, and is done as the
responder the token was made for. No token, an unknown one or a revoked one: 401. A tokens file
that cannot be read lets nobody in: 503, naming it."""

from __future__ import annotations

from typing import Any, Protocol

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from esctui.backends.base import StoreError
from esctui.server.problems import Problem
from esctui.stores.records import TokenRecord

# Open to anyone: the health check (for load balancers) and the API's description; and
# monitoring's way in, where each request carries an integration's key, checked by its route.
PUBLIC = [
    "^/healthz$",
    "^/schema",
    "^/v1/integrations/alertmanager$",
    "^/v2/enqueue$",
    "^/v1/heartbeat/",
]


class Tokens(Protocol):
    """What the server asks of the tokens kept with its store (see `service.ports`)."""

    async def find(self, token: str) -> TokenRecord | None: ...

    async def as_now(self, record: TokenRecord) -> TokenRecord | None: ...

    async def records(self) -> list[TokenRecord]: ...


class TokenAuthentication(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, tokens: Tokens, **kwargs: Any) -> None:
        super().__init__(app, exclude=PUBLIC, **kwargs)
        self.tokens = tokens

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(
                "This server needs a token: send `Authorization: Bearer TOKEN` "
                "(`esctui token create NAME` on the server's host makes one)."
            )
        try:
            record = await self.tokens.find(token.strip())
        except StoreError as broken:
            raise Problem(503, f"No token can be checked: {broken}") from None
        if record is None or not record.active:
            raise NotAuthorizedException(refused_token(record))
        return AuthenticationResult(user=record.responder, auth=record)


def refused_token(record: TokenRecord | None) -> str:
    """Why a token lets nobody in (any more)."""
    if record is None or record.revoked_at is None:
        return "The token is unknown or has been revoked."
    return (
        f"The token {record.id} ({record.responder}'s) was revoked at "
        f"{record.revoked_at:%Y-%m-%d %H:%M} UTC; ask for a new one."
    )


def caller(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The responder the request's token belongs to."""
    user = connection.scope.get("user")
    assert isinstance(user, str)
    return user


def token_of(connection: ASGIConnection[Any, Any, Any, Any]) -> TokenRecord:
    auth = connection.scope.get("auth")
    assert isinstance(auth, TokenRecord)
    return auth
