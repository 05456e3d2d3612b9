"""Values the commands take as a responder writes them."""

from __future__ import annotations

from typing import overload

import click


def severity_number(text: str) -> int:
    """`1`, `SEV1` or `sev1` as 1; `click.BadParameter` for anything that is not a severity."""
    number = text[3:] if text[:3].lower() == "sev" else text
    if number.strip() in ("1", "2", "3", "4"):
        return int(number)
    raise click.BadParameter(f"{text!r} is not a severity; write 1 to 4 or SEV1 to SEV4.")


@overload
def severities(ctx: click.Context, param: click.Parameter, value: str) -> int: ...
@overload
def severities(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[int, ...]: ...
def severities(
    ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...]
) -> int | tuple[int, ...]:
    """The `--severity` option's callback: one severity, or each of a repeated option's."""
    if isinstance(value, str):
        return severity_number(value)
    return tuple(severity_number(text) for text in value)
