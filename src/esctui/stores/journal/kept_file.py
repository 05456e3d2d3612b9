"""A small JSON file kept beside a journal store's snapshot (`integrations.json`), read often and
changed seldom.

Reads are cached until the file changes (its identity: device, inode, size, mtime), and come
from any thread. A change takes the store's writer lock, reads the file afresh, and replaces
it atomically with the store's modes, so a crash leaves the old file or the new one, whole.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import msgspec

from esctui.stores.journal import codec, files
from esctui.stores.records import StoreError

T = TypeVar("T", bound=msgspec.Struct)
R = TypeVar("R")


class KeptFile(Generic[T]):
    """The file `name` in the store at `path`, holding a `kind` (an empty one when there is
    no file). `remedy` tells a responder what to do when it is damaged."""

    def __init__(self, path: Path, name: str, kind: type[T], remedy: str) -> None:
        self.path = path
        self.file = path / name
        self.kind = kind
        self.remedy = remedy
        self.decoder = msgspec.json.Decoder(kind)
        self.mutex = threading.Lock()
        self.identity: tuple[int, int, int, int] | None = None
        self.cached: T | None = None

    def read(self) -> T:
        """What the file holds now (cached while it is unchanged); `StoreError` if it cannot
        be read or is damaged."""
        with self.mutex:
            try:
                identity = files.file_identity(os.stat(self.file))
            except FileNotFoundError:
                identity = None
            except OSError as error:
                raise StoreError(f"Cannot read {self.file}: {files.describe(error)}.") from None
            if self.cached is None or identity is None or identity != self.identity:
                self.cached, self.identity = self.read_afresh()
            return self.cached

    def change(self, work: Callable[[T], tuple[T | None, R]]) -> R:
        """Under the store's lock: `work` is given the file as it is and answers what to
        write (None: nothing) and what to return."""
        if not (self.path / codec.SNAPSHOT).exists():
            raise StoreError(f"There is no esctui store at {self.path}.")
        with files.exclusive_lock(self.path / codec.LOCK):
            content, result = work(self.read_afresh()[0])
            if content is not None:
                self.write(content)
        return result

    def read_afresh(self) -> tuple[T, tuple[int, int, int, int] | None]:
        """The file, and its identity as read (None when there is none)."""
        try:
            with open(self.file, "rb") as handle:
                identity = files.file_identity(os.fstat(handle.fileno()))
                data = handle.read()
        except FileNotFoundError:
            return self.kind(), None
        except OSError as error:
            raise StoreError(f"Cannot read {self.file}: {files.describe(error)}.") from None
        try:
            return self.decoder.decode(data), identity
        except msgspec.DecodeError as error:
            raise StoreError(
                f"{self.file} is damaged ({error}); it was left as it is: {self.remedy}"
            ) from None

    def write(self, content: T) -> None:
        """Replace the file (holding the store's lock), with the store's modes."""
        files.remove_leftovers(self.path)
        data = msgspec.json.format(msgspec.json.encode(content), indent=2) + b"\n"
        files.replace_atomically(self.file, data)
        with self.mutex:
            self.cached = None  # read again on the next look
