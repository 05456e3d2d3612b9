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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers

from acting import execute
from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.stores.journal import JournalStore


def main() -> None:
    store_path, actor, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    pad = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    store = JournalStore(store_path)
    for n in range(count):
        incident = f"INC-{1001 + n % 3}"
        text = f"{actor}-{n}" + (" " + "x" * pad if pad else "")
        [change] = execute(store, c.AddNote(incident=incident, text=text), actor)
        print(f"done {actor}-{n} {change.revision}", flush=True)
        toggle = c.Acknowledge(incident=incident) if n % 2 else c.Unacknowledge(incident=incident)
        with contextlib.suppress(DomainError):
            execute(store, toggle, actor)


if __name__ == "__main__":
    main()
