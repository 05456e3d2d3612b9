"""A process that leads, for the leadership tests.

    python leader.py URL ROLE

Prints `leading` once it leads ROLE on the database at URL, then holds it until killed.
"""

from __future__ import annotations

import asyncio
import sys

from esctui.stores.postgres import Leadership


async def main(url: str, role: str) -> None:
    async with Leadership(url, role, every=0.1) as lead:
        await lead.acquire()
        print("leading", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
