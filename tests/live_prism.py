"""Prism (npm `@stoplight/prism-cli`, installed by scripts/test into .tools/prism) mocking
PagerDuty's REST API document in validation mode (`--errors`) on a free loopback port. A
request the document does not allow is answered with an error and logged as a violation:
`violations()` lists what Prism logged so."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from live_alertmanager import free_port
from pagerduty_spec import SPEC

ROOT = Path(__file__).resolve().parents[1]
PRISM = ROOT / ".tools" / "prism" / "node_modules" / ".bin" / "prism"


class LivePrism:
    def __init__(self, folder: Path) -> None:
        self.log = folder / "prism.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LivePrism:
        binary = str(PRISM) if PRISM.exists() else shutil.which("prism")
        assert binary, "Prism is not installed: scripts/test installs it into .tools/prism"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [binary, "mock", "--errors", "-h", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(
            [*command, str(SPEC)], stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120  # it reads a 2.7 MB document first
        while "Prism is listening" not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Prism did not start:\n{self.text()[-2000:]}")
            time.sleep(0.2)
        return self

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def requests(self) -> list[str]:
        """The requests Prism was sent, as it logged them: `get /incidents`."""
        started = self.text().split("Prism is listening", 1)[-1]
        return [
            line.split("[HTTP SERVER]", 1)[1].split("ℹ", 1)[0].strip()
            for line in started.splitlines()
            if "[HTTP SERVER]" in line and "Request received" in line
        ]

    def violations(self) -> list[str]:
        """What Prism found wrong with the requests it was sent. (It checks its own answers
        too, from the document's examples, some of which the document's schemas refuse: that
        is the document's business, not a request's.)"""
        started = self.text().split("Prism is listening", 1)[-1]
        return [line for line in started.splitlines() if "Violation: request" in line]

    def passed(self) -> int:
        """How many requests passed Prism's validation rules."""
        return self.text().count("The request passed the validation rules")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
