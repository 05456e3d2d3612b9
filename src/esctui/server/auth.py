"""Who is asking: every request carries `Authorization: Bearer TOKEN`, and is done as the
responder the token was made for. No token, an unknown one or a revoked one: 401."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from esctui.backends.journal.tokens import TokenBook
from esctui.stores.records import TokenRecord

# Open to anyone: the health check (for load balancers) and the API's description.
PUBLIC = ["^/healthz$", "^/schema"]


class TokenAuthentication(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, tokens: TokenBook, **kwargs: Any) -> None:
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
        record = self.tokens.responder_for(token.strip())
        if record is None:
            raise NotAuthorizedException("The token is unknown or has been revoked.")
        return AuthenticationResult(user=record.responder, auth=record)


def caller(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The responder the request's token belongs to."""
    user = connection.scope.get("user")
    assert isinstance(user, str)
    return user


def token_of(connection: ASGIConnection[Any, Any, Any, Any]) -> TokenRecord:
    auth = connection.scope.get("auth")
    assert isinstance(auth, TokenRecord)
    return auth
