"""Apprise loads the modules of all its channels the first time it is used, every page waiting
for it (seconds on a busy machine): a sender has them loaded before its first page."""

from __future__ import annotations

import subprocess
import sys

WATCH = """
import sys, time
from esctui.notify.apprise_sender import AppriseSender

sender = AppriseSender()
deadline = time.monotonic() + 30
while 'apprise.plugins.ntfy' not in sys.modules:
    if time.monotonic() > deadline:
        sys.exit("nothing sent, and Apprise's channels still not loaded after 30 s")
    time.sleep(0.01)
"""


def test_a_sender_loads_apprises_channels_before_its_first_page() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WATCH], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
