"""A real Prometheus Alertmanager for the tests and benches: Debian's `prometheus-alertmanager`,
listening on 127.0.0.1 at a free port, with a generated configuration, its data in a temporary
directory (removed afterwards), and no cluster. Its receivers send to an esctui server: one by
webhook (`webhook_configs`, the key as its bearer token), one as PagerDuty
(`pagerduty_configs` with `url:` pointed at esctui's `/v2/enqueue`), for alerts labelled
`via="pagerduty"`. Groups are by alert name, with short waits so tests are quick.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from live_postgres import free_port

BINARIES = ("prometheus-alertmanager", "alertmanager")

CONFIG = """\
route:
  receiver: webhook
  group_by: [alertname]
  group_wait: 100ms
  group_interval: {group_interval}
  repeat_interval: 1h
  routes:
    - receiver: pagerduty
      matchers: ['via="pagerduty"']
receivers:
  - name: webhook
    webhook_configs:
      - url: {server}/v1/integrations/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {webhook_key}
  - name: pagerduty
    pagerduty_configs:
      - url: {server}/v2/enqueue
        routing_key: {events_key}
        send_resolved: true
"""


def binary() -> str:
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "Prometheus Alertmanager is not installed: `apt-get install -y prometheus-alertmanager` "
        "(scripts/test does it)."
    )


class Alertmanager:
    """One Alertmanager sending to the esctui server at `server` with these integration keys."""

    def __init__(
        self, server: str, webhook_key: str, events_key: str, group_interval: str = "1s"
    ) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="esctui-am-"))
        self.config = self.root / "alertmanager.yml"
        self.config.write_text(
            CONFIG.format(
                server=server,
                webhook_key=webhook_key,
                events_key=events_key,
                group_interval=group_interval,
            )
        )
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.root / "log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Alertmanager:
        self.port = free_port()
        command = [
            binary(),
            f"--config.file={self.config}",
            f"--storage.path={self.root / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Alertmanager did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)

    def post(self, alerts: list[dict[str, Any]]) -> None:
        """Alerts into Alertmanager's API, as Prometheus posts them."""
        answer = httpx.post(f"{self.url}/api/v2/alerts", json=alerts, timeout=10)
        assert answer.status_code == 200, answer.text

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def alert(
    name: str,
    instance: str,
    *,
    resolved: bool = False,
    severity: str = "critical",
    via: str | None = None,
    summary: str = "",
) -> dict[str, Any]:
    """One alert as Prometheus posts it: firing for an hour, or ended a moment ago."""
    now = datetime.now(UTC)
    labels = {"alertname": name, "instance": instance, "severity": severity}
    if via:
        labels["via"] = via
    return {
        "labels": labels,
        "annotations": {"summary": summary or f"{name} on {instance}"},
        "startsAt": (now - timedelta(minutes=5)).isoformat(),
        "endsAt": (
            now - timedelta(seconds=1) if resolved else now + timedelta(hours=1)
        ).isoformat(),
        "generatorURL": f"http://prometheus.example:9090/graph?g0.expr={name}",
    }
