"""Every error the server answers with, as `application/problem+json` (RFC 9457).

`detail` is one sentence a responder can read: for a refusal, the domain's own sentence.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from esctui.backends.base import StoreError
from esctui.backends.http.wire import ProblemBody
from esctui.domain.models import Incident

log = logging.getLogger("esctui.server")

PROBLEM = "application/problem+json"


class Problem(HTTPException):
    """Raised by handlers: becomes a problem document with `status_code` and `detail`."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        incident: Incident | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=detail, status_code=status_code, headers=headers)
        self.incident = incident


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI description of a handler's refusals."""
    return {
        status: ResponseSpec(data_container=ProblemBody, media_type="application/problem+json")
        for status in statuses
    }


def problem(
    status: int,
    detail: str,
    *,
    incident: Incident | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ProblemBody]:
    body = ProblemBody(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        incident=incident,
        errors=errors or [],
    )
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def on_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    detail = error.detail or HTTPStatus(status).phrase
    if status == 400 and "JSON is malformed" in detail:
        # A body that is not JSON at all is as unprocessable as one with the wrong fields.
        return problem(422, f"The request body is not valid JSON ({detail}).")
    if status == 413:
        detail = "The request body is larger than this server accepts."
    if status == 401:
        return problem(401, detail, headers={**(error.headers or {}), "WWW-Authenticate": "Bearer"})
    incident = error.incident if isinstance(error, Problem) else None
    return problem(status, detail, incident=incident, headers=error.headers)


def on_validation_error(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[Any]:
    errors = (
        [e for e in error.extra if isinstance(e, dict)] if isinstance(error.extra, list) else []
    )
    in_body = any(e.get("source") == "body" for e in errors)
    what = "body" if in_body else "parameters"
    first = errors[0] if errors else {}
    key = first.get("key")
    message = str(first.get("message", "")).strip("'")
    if in_body and key == "data" and message == "data":
        detail = "The request needs a JSON body."
    elif key and key != "data":
        detail = f"The request {what} are not usable: {key}: {message}."
    else:
        detail = f"The request {what} are not usable: {message or error.detail}."
    detail = detail.replace("request body are", "request body is")
    return problem(422 if in_body else 400, detail, errors=errors)


def on_too_deep(request: Request[Any, Any, Any], error: RecursionError) -> Response[Any]:
    # msgspec gives up on JSON nested deeper than Python's recursion limit while decoding the
    # body: the body's fault, not the server's.
    if "deserializing" in str(error):
        return problem(422, "The request body is nested too deeply to be read.")
    return on_unexpected(request, error)


def on_store_error(request: Request[Any, Any, Any], error: StoreError) -> Response[Any]:
    # The store could not be read or written just now (a database out of reach, a damaged
    # file): its sentence says what, and the request may succeed later.
    return problem(503, str(error))


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("%s %s failed", request.method, request.url.path)
    return problem(500, "The server failed to answer; the error is in its log.")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationException: on_validation_error,
    HTTPException: on_http_exception,
    RecursionError: on_too_deep,
    StoreError: on_store_error,
    Exception: on_unexpected,
}
