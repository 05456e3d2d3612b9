"""The team's directory as a TOML file: responders, rotations, policies, services, SLAs.

This is how a team describes itself to esctui (`esctui init --directory team.toml`,
`esctui directory import team.toml`); `esctui directory export` writes the same format back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import tomli_w

from esctui.config import convert, read_toml
from esctui.domain.errors import DomainError
from esctui.domain.models import Directory
from esctui.domain.oncall import directory_problems


def load_directory(path: Path) -> Directory:
    """The directory in `path`: `ConfigError` naming the key that is not right, or
    `DomainError` naming each reference to someone or something it does not define (refused,
    like a directory that would strand an open incident)."""
    directory = convert(read_toml(path, "directory file"), Directory, "directory file", path)
    problems = directory_problems(directory) + contact_url_problems(directory)
    if problems:
        raise DomainError(f"directory file {path}: " + "; ".join(problems) + ".")
    return directory


def contact_url_problems(directory: Directory) -> list[str]:
    """The contact URLs that cannot page anyone (Apprise is loaded only to check some)."""
    if not any(responder.contact for responder in directory.responders):
        return []
    from esctui.notify.contact_urls import problems

    return problems(directory)


def directory_toml(directory: Directory, *, with_secrets: bool = False) -> str:
    """`directory` as the TOML `load_directory` reads; contact URLs with their secrets masked
    unless `with_secrets`."""
    if not with_secrets:
        directory = without_secrets(directory)
    data = msgspec.to_builtins(directory, builtin_types=(datetime,))
    return tomli_w.dumps(tidy(data))


def tidy(value: Any) -> Any:
    """String keys (TOML's; the SLA tables are keyed by severity), and no empty or unset values:
    the reader fills those in."""
    if isinstance(value, dict):
        return {
            str(k): tidy(v) for k, v in value.items() if v is not None and v not in ("", {}, [], ())
        }
    if isinstance(value, list | tuple):
        return [tidy(v) for v in value]
    return value


def without_secrets(directory: Directory) -> Directory:
    """`directory` with the secrets in its contact URLs masked."""
    if not any(responder.contact for responder in directory.responders):
        return directory
    from esctui.notify import contact_urls

    return contact_urls.without_secrets(directory)
