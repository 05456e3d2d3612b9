"""Contact URLs as Apprise reads them: whether one can be used (`directory import`, `init`,
`PUT /v1/directory`), and one with its secrets masked (`directory export`, the server's
answers), in Apprise's own way for each channel (a password, a token, a key).

A URL exported with its secrets masked cannot page anyone: one given back to `directory
import` is refused, rather than put in force as if it could.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

import apprise
import msgspec

from esctui.domain.models import Directory

# What Apprise puts where a secret was: `****`, or a token's first and last characters
# around `...`.
MASKED = re.compile(r"\*\*\*\*|\w\.\.\.\w")


@functools.lru_cache(maxsize=4096)
def masked(url: str) -> str:
    """`url` with its secrets masked, as Apprise shows it; `url` as written when Apprise finds
    no secret in it; just its scheme for one Apprise cannot read."""
    service = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if service is None:
        return f"{urlsplit(url).scheme or '?'}://****"
    shown: str = service.url(privacy=True)  # type: ignore[no-untyped-call]
    whole: str = service.url(privacy=False)  # type: ignore[no-untyped-call]
    return url if shown == whole else shown


def problems(directory: Directory) -> list[str]:
    """A sentence for each contact URL in `directory` that cannot page anyone, naming the
    responder and the method."""
    found = []
    for responder in directory.responders:
        for method in responder.contact:
            where = f"responder {responder.name!r}'s contact method {method.name!r}"
            if MASKED.search(method.url):
                found.append(
                    f"{where} has a URL whose secrets were masked ({masked(method.url)}): give "
                    "the whole URL (`directory export --with-secrets` keeps them)"
                )
            elif apprise.Apprise.instantiate(method.url, suppress_exceptions=True) is None:
                scheme = urlsplit(method.url).scheme or "(none)"
                found.append(
                    f"{where} has a URL Apprise cannot use (scheme {scheme}): see Apprise's "
                    "list of notification URLs, such as ntfy://, mailtos://, slack://, json://"
                )
    return found


def without_secrets(directory: Directory) -> Directory:
    """`directory` with every contact URL's secrets masked."""
    if not any(responder.contact for responder in directory.responders):
        return directory
    replace = msgspec.structs.replace
    return replace(
        directory,
        responders=tuple(
            replace(
                responder,
                contact=tuple(replace(m, url=masked(m.url)) for m in responder.contact),
            )
            for responder in directory.responders
        ),
    )
