"""Contact URLs as Apprise reads them: whether one can be used (`directory import`, `init`,
`PUT /v1/directory`), and one with its secrets masked (`directory export`, the server's
answers). Apprise knows which parts of each channel's URL are secret (a password, a token, a
key) and masks them in its own rewriting of the URL; the same parts are masked in the URL as
the team wrote it, so an export reads like the file it came from.

A URL exported with its secrets masked cannot page anyone: one given back to `directory
import` is refused, rather than put in force as if it could.
"""

from __future__ import annotations

import difflib
import functools
import re
from urllib.parse import unquote, urlsplit

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
    if shown == whole:
        return url
    return masked_as_written(url, whole, shown) or shown


# What separates the parts of a URL: a secret is a whole part.
SEPARATORS = frozenset("/:@?&=#")


def masked_as_written(url: str, whole: str, shown: str) -> str | None:
    """`url` with each part that Apprise masked (`whole` is its rewriting, `shown` the same
    masked) masked as Apprise masks it; None if a masked part cannot be found in `url` as a
    whole part, or anything secret would be left."""
    result = url
    secrets = []
    matcher = difflib.SequenceMatcher(None, whole, shown, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        secret, mask = part(whole, i1, i2), part(shown, j1, j2)
        if not secret or secret == mask:
            return None
        secrets.append(secret)
        for written in dict.fromkeys((secret, unquote(secret))):
            result = re.sub(
                rf"(?<![^/:@?&=#]){re.escape(written)}(?![^/:@?&=#])",
                lambda _, mask=mask: mask,  # type: ignore[misc]
                result,
            )
    left = any(s in result or unquote(s) in result for s in secrets)
    return None if left or result == url else result


def part(text: str, start: int, end: int) -> str:
    """The whole part of `text` around `text[start:end]` (out to the separators)."""
    while start > 0 and text[start - 1] not in SEPARATORS:
        start -= 1
    while end < len(text) and text[end] not in SEPARATORS:
        end += 1
    return text[start:end]


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
