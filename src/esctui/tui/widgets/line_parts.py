"""A one-line bar made of parts that give way in order when the terminal is narrow.

Each part has the forms it can take, longest first, and a rank: the higher the rank, the
sooner it gives way. To fit a width, parts are first shortened (from the highest rank down),
then dropped (likewise), so nothing goes while something could still be said shorter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content

Piece = str | tuple[str, str]  # text, or text and its style
GROUP_GAP = " · "  # between parts of different groups


@dataclass(frozen=True)
class LinePart:
    forms: tuple[tuple[Piece, ...], ...]  # longest first
    keep: int  # its rank: the higher, the sooner it is shortened or dropped
    group: str = ""
    gap: str = "  "  # before it, after a part of the same group
    required: bool = False  # shortened, never dropped

    @classmethod
    def of(
        cls, *pieces: Piece, keep: int, group: str = "", gap: str = "  ", required: bool = False
    ) -> LinePart:
        """A part with one form."""
        return cls(forms=(pieces,), keep=keep, group=group, gap=gap, required=required)


def text_of(piece: Piece) -> str:
    return piece if isinstance(piece, str) else piece[0]


def form_width(pieces: tuple[Piece, ...]) -> int:
    return sum(cell_len(text_of(piece)) for piece in pieces)


def arranged(parts: Sequence[LinePart], forms: list[int | None]) -> list[Piece]:
    """The pieces of the parts shown (`forms[i]` is None for a part dropped), with their gaps."""
    pieces: list[Piece] = []
    before: LinePart | None = None
    for part, form in zip(parts, forms, strict=True):
        if form is None:
            continue
        if before is not None:
            pieces.append(part.gap if part.group == before.group else GROUP_GAP)
        pieces.extend(part.forms[form])
        before = part
    return pieces


def fit(parts: Sequence[LinePart], width: int) -> Content:
    """The parts as one line no wider than `width`, if the required ones allow it."""
    forms: list[int | None] = [0] * len(parts)
    giving_way = sorted(range(len(parts)), key=lambda i: -parts[i].keep)

    def too_wide() -> bool:
        return form_width(tuple(arranged(parts, forms))) > width

    while too_wide():
        shorter = next(
            (i for i in giving_way if (f := forms[i]) is not None and f + 1 < len(parts[i].forms)),
            None,
        )
        if shorter is not None:
            forms[shorter] = (forms[shorter] or 0) + 1
            continue
        dropped = next(
            (i for i in giving_way if forms[i] is not None and not parts[i].required), None
        )
        if dropped is None:
            break
        forms[dropped] = None
    return Content.assemble(*arranged(parts, forms))
