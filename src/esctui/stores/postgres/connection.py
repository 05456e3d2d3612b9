"""Reaching the database, and saying in one sentence what went wrong when it cannot be reached.

Every failure of PostgreSQL or of the link to it (refused, lost, shut down, a login refused, a
database that does not exist) becomes a `StoreError` naming the database by its URL without
the password, so a responder knows which database and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from esctui.stores.records import StoreError

SCHEMES = ("postgresql", "postgres")
CONNECT_TIMEOUT = 10.0
# Shown in pg_stat_activity, so a database administrator knows whose connections these are.
APPLICATION = "esctui"

# asyncpg's errors that mean the link itself failed (as opposed to a statement refused). A
# connection the server ended while it sat idle fails its next statement with an internal
# client error ("another operation is in progress") before asyncpg notices it is gone.
LINK_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
)


def check_url(url: str) -> str:
    """`url` if it names a PostgreSQL database; `StoreError` otherwise."""
    if urlsplit(url).scheme not in SCHEMES:
        raise StoreError(
            f"{url_without_password(url)!r} is not a PostgreSQL URL: it should look like "
            "postgresql://USER@HOST:5432/DATABASE."
        )
    return url


def url_without_password(url: str) -> str:
    """The URL as a responder may see it: no password, in the user part or the query."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def link_lost(error: BaseException) -> bool:
    """Whether `error` means the connection failed (so a statement may be tried again on a new
    one, if nothing was written)."""
    return isinstance(error, LINK_ERRORS)


def sentence(location: str, error: BaseException) -> str:
    """What went wrong with the database at `location`, for a responder."""
    database = f"The database {location}"
    reached = f"Cannot reach the database {location}"
    if isinstance(error, asyncpg.exceptions.InvalidCatalogNameError):
        return f"There is no database {location}: create it (createdb), then `esctui db migrate`."
    if isinstance(error, asyncpg.exceptions.InvalidAuthorizationSpecificationError):
        return f"{database} refused the login: {error_text(error)}."
    if isinstance(error, asyncpg.exceptions.CannotConnectNowError):
        return f"{database} is starting up or shutting down; try again."
    if isinstance(error, asyncpg.exceptions.TooManyConnectionsError):
        return f"{database} has no connection to spare: {error_text(error)}."
    if isinstance(error, ConnectionRefusedError):
        return f"{reached}: the connection was refused (is PostgreSQL running?)."
    if isinstance(error, TimeoutError):
        return f"{reached}: it did not answer in time."
    if isinstance(error, OSError):
        return f"{reached}: {error.strerror or error}."
    if link_lost(error):
        # The server's own words say why (shut down, terminated); asyncpg's add nothing.
        why = f" ({error_text(error)})" if isinstance(error, asyncpg.PostgresError) else ""
        return f"Lost the connection to the database {location}{why}."
    return f"{database} failed: {error_text(error)}."


def error_text(error: BaseException) -> str:
    return str(error).strip().rstrip(".") or type(error).__name__


@contextlib.contextmanager
def translated(location: str, after: str = "") -> Iterator[None]:
    """Turn a database failure inside the block into a `StoreError` (`after` is a clause that
    says what became of the work, such as "nothing was recorded")."""
    try:
        yield
    except StoreError:
        raise
    except (asyncpg.PostgresError, *LINK_ERRORS) as error:
        message = sentence(location, error)
        if after:
            message = f"{message[:-1]}; {after}."
        raise StoreError(message) from error


def settings(server_settings: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "server_settings": {"application_name": APPLICATION, **(server_settings or {})},
        "timeout": CONNECT_TIMEOUT,
    }


async def connect(url: str, server_settings: dict[str, str] | None = None) -> asyncpg.Connection:
    """One connection of its own (migrations, LISTEN, leadership), with these session
    settings; `StoreError` if it cannot be made."""
    location = url_without_password(check_url(url))
    with translated(location):
        return await asyncpg.connect(url, **settings(server_settings))


async def create_pool(url: str, size: int) -> asyncpg.Pool:
    """Connections for transactions and reads, at most `size`, made when first needed."""
    location = url_without_password(check_url(url))
    with translated(location):
        pool: asyncpg.Pool = await asyncpg.create_pool(
            url, min_size=0, max_size=size, reset=returned, **settings()
        )
        return pool


async def returned(connection: asyncpg.Connection) -> None:
    """A pooled connection going back to the pool: nothing to clean. esctui leaves nothing on
    one (no session settings, locks, cursors or listening: those have connections of their
    own), so asyncpg's own reset, a round trip of four statements on every return, would
    clean nothing; a transaction left open, asyncpg still rolls back itself."""
