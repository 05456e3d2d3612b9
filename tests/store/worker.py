"""A writer process for the concurrency and crash tests.

    python worker.py STORE ACTOR COUNT [PAD]

Adds COUNT notes (and tries an acknowledgement or an unacknowledgement after each), printing
`done TEXT REVISION` for every note the store reported as recorded. PAD makes notes that long,
so a kill is likely to land in the middle of a write.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from esctui.backends.journal import JournalStore
from esctui.domain import commands as c
from esctui.domain.errors import DomainError


def main() -> None:
    store_path, actor, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    pad = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    store = JournalStore(store_path)
    for n in range(count):
        incident = f"INC-{1001 + n % 3}"
        text = f"{actor}-{n}" + (" " + "x" * pad if pad else "")
        [change] = store.execute(c.AddNote(incident=incident, text=text), actor)
        print(f"done {actor}-{n} {change.revision}", flush=True)
        toggle = c.Acknowledge(incident=incident) if n % 2 else c.Unacknowledge(incident=incident)
        with contextlib.suppress(DomainError):
            store.execute(toggle, actor)


if __name__ == "__main__":
    main()
