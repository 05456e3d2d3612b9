"""A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) for tests: started on a
free loopback port with its data in a temporary folder, no cluster listener, and a route that
groups alerts by `alertname` and `service` and sends them nowhere. `receivers` may add
webhook receivers (their YAML) for tests of what Alertmanager sends."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

BINARY = "prometheus-alertmanager"
CONFIG = """\
route:
  receiver: {receiver}
  group_by: [{group_by}]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: quiet
{receivers}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def alert(
    name: str,
    *,
    severity: str = "critical",
    service: str = "checkout",
    summary: str = "",
    started: datetime | None = None,
    **labels: str,
) -> dict[str, Any]:
    """One alert as Prometheus posts it, firing for an hour from `started` (now)."""
    start = started or datetime.now(UTC)
    body: dict[str, Any] = {
        "labels": {"alertname": name, "severity": severity, "service": service, **labels},
        "annotations": {"summary": summary} if summary else {},
        "startsAt": start.isoformat(),
        "endsAt": (start + timedelta(hours=1)).isoformat(),
        "generatorURL": f"http://prometheus.example/graph?g0.expr={name}",
    }
    return body


class LiveAlertmanager:
    """One Alertmanager process. `url` is its address once `start` returns."""

    def __init__(
        self,
        folder: Path,
        *,
        group_by: Sequence[str] = ("alertname", "service"),
        receiver: str = "quiet",
        receivers: str = "",
    ) -> None:
        self.folder = folder
        self.group_by = group_by
        self.receiver = receiver
        self.receivers = receivers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LiveAlertmanager:
        binary = shutil.which(BINARY) or f"/usr/bin/{BINARY}"
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "alertmanager.yml"
        config.write_text(
            CONFIG.format(
                receiver=self.receiver,
                group_by=", ".join(self.group_by),
                receivers=self.receivers,
            )
        )
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={self.folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "alertmanager.log").open("wb"),
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "alertmanager.log").read_text(errors="replace")
                raise RuntimeError(f"Alertmanager did not start:\n{log[-2000:]}")
            time.sleep(0.05)

    def post(self, alerts: list[dict[str, Any]]) -> None:
        """Alerts as Prometheus sends them, then wait until every one is in a group."""
        httpx.post(f"{self.url}/api/v2/alerts", json=alerts, timeout=30).raise_for_status()
        wanted = {tuple(sorted(a["labels"].items())) for a in alerts}
        deadline = time.monotonic() + 30
        while True:
            grouped = {
                tuple(sorted(a["labels"].items()))
                for group in self.groups()
                for a in group["alerts"]
            }
            if wanted <= grouped:
                return
            assert time.monotonic() < deadline, "Alertmanager did not group the alerts"
            time.sleep(0.05)

    def groups(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/api/v2/alerts/groups", timeout=30)
        answer.raise_for_status()
        groups: list[dict[str, Any]] = answer.json()
        return groups

    def silences(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/api/v2/silences", timeout=10)
        answer.raise_for_status()
        silences: list[dict[str, Any]] = answer.json()
        return silences

    def active_silences(self) -> list[dict[str, Any]]:
        return [s for s in self.silences() if s["status"]["state"] == "active"]

    def silence(self, matchers: dict[str, str], *, by: str, comment: str, hours: float = 1) -> str:
        """A silence as another tool (amtool, karma, kthxbye) would make it."""
        now = datetime.now(UTC)
        body = {
            "matchers": [
                {"name": k, "value": v, "isRegex": False, "isEqual": True}
                for k, v in matchers.items()
            ],
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(hours=hours)).isoformat(),
            "createdBy": by,
            "comment": comment,
        }
        answer = httpx.post(f"{self.url}/api/v2/silences", json=body, timeout=10)
        answer.raise_for_status()
        silence_id: str = answer.json()["silenceID"]
        return silence_id

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
