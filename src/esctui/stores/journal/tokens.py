"""The server's access tokens, kept beside the store in `tokens.json`.

A token is shown once, when it is made; the file keeps only its SHA-256, so a copy of the store
gives nobody a way in. Every token belongs to one responder: whatever a request carrying it
does is done as that responder. An administrator's token may also change the whole store
through the server (compact it, put a new directory in force). The file is replaced atomically
under the store's lock, and a running server notices a change (a revoked token) on the next
request, and ends the revoked token's event streams.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import datetime
from pathlib import Path

import msgspec

from esctui.stores.journal.kept_file import KeptFile
from esctui.stores.records import TokenRecord

TOKENS = "tokens.json"
PREFIX = "esc_"


class TokenFile(msgspec.Struct, forbid_unknown_fields=True):
    tokens: list[TokenRecord] = []


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class TokenBook:
    """The tokens of the store at `path` (see `KeptFile`: reads are cached until the file
    changes, changes take the store's lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kept = KeptFile(
            path,
            TOKENS,
            TokenFile,
            "restore it from a backup, or move it away and make the tokens again.",
        )
        # Lookups come from several threads at once (a server's requests): the index is
        # rebuilt by one at a time, when the file read is another.
        self.mutex = threading.Lock()
        self.indexed: TokenFile | None = None
        self.by_digest: dict[str, TokenRecord] = {}

    def records(self) -> list[TokenRecord]:
        """Every token ever made here, revoked ones included, oldest first."""
        return list(self.kept.read().tokens)

    def lookup(self, token: str) -> TokenRecord | None:
        """The record of `token`, revoked or not; None if it was never made here."""
        record = self.index().get(digest(token))
        # The dictionary lookup found it; compare in constant time all the same.
        return record if record and hmac.compare_digest(record.sha256, digest(token)) else None

    def as_now(self, record: TokenRecord) -> TokenRecord | None:
        """`record` as the file has it now (revoked since, perhaps); None if it is gone."""
        return self.index().get(record.sha256)

    def index(self) -> dict[str, TokenRecord]:
        """The tokens by digest, as the file has them now; `StoreError` if it cannot be read
        or is damaged (then nobody is let in: no token can be checked)."""
        book = self.kept.read()
        with self.mutex:
            if book is not self.indexed:
                self.by_digest = {record.sha256: record for record in book.tokens}
                self.indexed = book
            return self.by_digest

    def create(
        self, responder: str, now: datetime, *, admin: bool = False
    ) -> tuple[str, TokenRecord]:
        """A new token for `responder` (an administrator's if `admin`): the token (to be shown
        once) and what is kept of it."""

        def add(book: TokenFile) -> tuple[TokenFile, tuple[str, TokenRecord]]:
            token_id = f"tok-{secrets.token_hex(3)}"
            while any(r.id == token_id for r in book.tokens):
                token_id = f"tok-{secrets.token_hex(3)}"
            token = f"{PREFIX}{secrets.token_urlsafe(32)}"
            record = TokenRecord(
                id=token_id, responder=responder, sha256=digest(token), created_at=now, admin=admin
            )
            book.tokens.append(record)
            return book, (token, record)

        return self.kept.change(add)

    def revoke(self, which: str, now: datetime) -> list[TokenRecord]:
        """Revoke the token with id `which`, or every active token of the responder `which`;
        the records revoked (none if nothing matched)."""

        def revoke(book: TokenFile) -> tuple[TokenFile | None, list[TokenRecord]]:
            revoked: list[TokenRecord] = []
            kept: list[TokenRecord] = []
            for record in book.tokens:
                if record.active and which in (record.id, record.responder):
                    record = msgspec.structs.replace(record, revoked_at=now)
                    revoked.append(record)
                kept.append(record)
            return (TokenFile(tokens=kept) if revoked else None), revoked

        return self.kept.change(revoke)

    def write(self, book: TokenFile) -> None:
        """Replace the file (holding the store's lock): hashes only, so it takes the store's
        modes like its other files, and a server in the store's group can read it."""
        self.kept.write(book)


class JournalTokens:
    """`TokenBook` as the service's `TokenStore`: its coroutines never suspend (they read and
    replace `tokens.json`), so inside an event loop they are called in a worker thread."""

    blocking = True

    def __init__(self, path: Path) -> None:
        self.book = TokenBook(path)

    async def find(self, token: str) -> TokenRecord | None:
        return self.book.lookup(token)

    async def as_now(self, record: TokenRecord) -> TokenRecord | None:
        return self.book.as_now(record)

    async def create(
        self, responder: str, now: datetime, *, admin: bool = False
    ) -> tuple[str, TokenRecord]:
        return self.book.create(responder, now, admin=admin)

    async def revoke(self, which: str, now: datetime) -> list[TokenRecord]:
        return self.book.revoke(which, now)

    async def records(self) -> list[TokenRecord]:
        return self.book.records()
