"""Values the commands take as a responder writes them."""

from __future__ import annotations

import click


class SeverityParam(click.ParamType):
    """A severity as the console shows it (`SEV1`, `sev1`) or as a number (`1`)."""

    name = "severity"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        number = text[3:] if text[:3].lower() == "sev" else text
        if number in ("1", "2", "3", "4"):
            return int(number)
        self.fail(f"{text!r} is not a severity; write 1 to 4 or SEV1 to SEV4.", param, ctx)


SEVERITY = SeverityParam()
