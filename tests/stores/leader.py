"""A process that leads, for the leadership tests.

    python leader.py WHERE WORK

Prints `leading` once it leads WORK on the store at WHERE (a journal directory or a database
URL), then holds it until killed.
"""

from __future__ import annotations

import asyncio
import sys

from esctui.backends.local import open_store


async def main(where: str, work: str) -> None:
    store = open_store(where)
    while not await store.leads(work):
        await asyncio.sleep(0.1)
    print("leading", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
