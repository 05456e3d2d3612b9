"""A one-line bar made of parts that give way in order when the terminal is narrow.

Each part has the forms it can take, longest first, and for each form a rank saying when it
gives way to the next form (the last form: to nothing). To fit a width, the form with the
highest rank gives way, then the next highest, until the line fits; then the most important
parts take back longer forms where there is room again. A rank of None never gives way.
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
    ranks: tuple[int | None, ...]  # when each form gives way (the higher, the sooner)
    group: str = ""
    gap: str = "  "  # before it, after a part of the same group

    @classmethod
    def of(cls, *pieces: Piece, keep: int | None, group: str = "", gap: str = "  ") -> LinePart:
        """A part with one form, dropped at rank `keep` (never, for None)."""
        return cls(forms=(pieces,), ranks=(keep,), group=group, gap=gap)

    @classmethod
    def shortened(
        cls,
        forms: Sequence[tuple[Piece, ...]],
        *,
        shorten: int,
        keep: int | None,
        group: str = "",
        gap: str = "  ",
    ) -> LinePart:
        """A part whose forms give way one by one from rank `shorten` down, and whose last
        form is dropped at rank `keep`."""
        ranks = (*range(shorten, shorten - len(forms) + 1, -1), keep)
        return cls(forms=tuple(forms), ranks=ranks, group=group, gap=gap)


def text_of(piece: Piece) -> str:
    return piece if isinstance(piece, str) else piece[0]


def arranged(parts: Sequence[LinePart], forms: list[int | None]) -> list[list[Piece]]:
    """The pieces of each part shown (`forms[i]` is None for a part dropped), each led by its
    gap from the part before."""
    shown: list[list[Piece]] = []
    before: LinePart | None = None
    for part, form in zip(parts, forms, strict=True):
        if form is None:
            continue
        gap = [] if before is None else [part.gap if part.group == before.group else GROUP_GAP]
        shown.append([*gap, *part.forms[form]])
        before = part
    return shown


def fitted(parts: Sequence[LinePart], width: int) -> list[Content]:
    """The parts shown in a line no wider than `width` (as far as the parts that never give
    way allow), each led by its gap."""
    forms: list[int | None] = [0] * len(parts)

    def fits() -> bool:
        pieces = (piece for part in arranged(parts, forms) for piece in part)
        return sum(cell_len(text_of(piece)) for piece in pieces) <= width

    def rank(i: int) -> int | None:
        form = forms[i]
        return None if form is None else parts[i].ranks[form]

    while not fits():
        giving = [i for i in range(len(parts)) if rank(i) is not None]
        if not giving:
            break
        i = max(giving, key=lambda i: rank(i) or 0)
        form = forms[i]
        assert form is not None
        forms[i] = form + 1 if form + 1 < len(parts[i].forms) else None
    # Something dropped later may have left room for a longer form of a part shortened earlier.
    for i in sorted(range(len(parts)), key=lambda i: min(r or 0 for r in parts[i].ranks)):
        while (form := forms[i]) is not None and form > 0:
            forms[i] = form - 1
            if not fits():
                forms[i] = form
                break
    return [Content.assemble(*pieces) for pieces in arranged(parts, forms)]


def fit(parts: Sequence[LinePart], width: int) -> Content:
    """The parts as one line no wider than `width` (see `fitted`)."""
    return Content("").join(fitted(parts, width))
