"""The platform backends' figures, from the real `esctui` in a pseudo-terminal.

Alertmanager (a real one, Debian's, on a free loopback port) holding `--alerts` alerts in
`--groups` groups: the console's first paint (the median of `--runs`, with the CPU time the
process had used by then, which the machine's load does not stretch), and `a` to the row
repainted as acknowledged.
PagerDuty (the stateful fake of the tests) holding `--incidents` incidents: the requests to
load them, the requests a minute while the console idles (at the 15 s poll unless `--poll`),
and the console's first paint.

    python bench/platforms_bench.py [--alerts 5000 --groups 500] [--runs 3] [--incidents 1000]
                                    [--idle 60] [--poll 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from fake_pagerduty import FakePagerDuty  # noqa: E402 (beside the tests)
from live_alertmanager import LiveAlertmanager, alert  # noqa: E402
from tui_bench import Terminal  # noqa: E402

GROUP_ROW = re.compile(rb"AM-[0-9A-F]{10}")
ACKED = re.compile(rb"ACK ")
PD_ROW = re.compile(rb"PINC\d{5}")


def environment(root: Path, config: str = "") -> dict[str, str]:
    (root / "config.toml").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCTUI_")}
    return {
        **env,
        "ESCTUI_CONFIG": str(root / "config.toml"),
        "TERM": "xterm-256color",
        "ESCTUI_USER": "carol",
        "TZ": "UTC",
    }


def cpu_ms(terminal: Terminal) -> float:
    """The CPU time (user and system) the program in `terminal` has used so far."""
    fields = Path(f"/proc/{terminal.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def alertmanager_figures(root: Path, alerts: int, groups: int, runs: int) -> None:
    am = LiveAlertmanager(root / "alertmanager").start()
    try:
        per_group = max(1, alerts // groups)
        posted = [
            alert(
                f"Alert{g:04d}",
                severity="critical" if g % 10 == 0 else "warning",
                service=f"svc-{g % 25}",
                instance=f"host-{n}",
            )
            for g in range(groups)
            for n in range(per_group)
        ]
        for start in range(0, len(posted), 1000):
            am.post(posted[start : start + 1000])
        env = environment(root)
        paints: list[float] = []
        cpu: list[float] = []
        for run in range(runs):
            terminal = Terminal([sys.executable, "-m", "esctui", "--alertmanager", am.url], env)
            try:
                painted = terminal.wait_for(GROUP_ROW, terminal.started, timeout=120)
                cpu.append(cpu_ms(terminal))
                paints.append((painted - terminal.started) * 1000)
                if run == runs - 1:
                    time.sleep(1.0)  # the detail pane's first read settles
                    pressed = terminal.type(b"a")
                    acked = terminal.wait_for(ACKED, pressed, timeout=60)
            finally:
                terminal.close()
        print(f"alertmanager: {len(posted)} alerts in {groups} groups, {runs} runs")
        print(
            f"  first paint ms       {statistics.median(paints):8.0f}"
            f"  ({min(paints):.0f} to {max(paints):.0f})"
        )
        print(f"  first paint CPU ms   {statistics.median(cpu):8.0f}")
        print(f"  a to repaint ms      {(acked - pressed) * 1000:8.0f}")
    finally:
        am.stop()


def pagerduty_fake(incidents: int) -> FakePagerDuty:
    fake = FakePagerDuty().start()
    fake.user("PCAROL1", "Carol Crane", "carol@example.com")
    for n in range(incidents):
        fake.incident(
            f"PINC{n:05d}",
            f"Alert {n}",
            urgency="high" if n % 3 else "low",
            assignee="PCAROL1" if n % 7 == 0 else None,
        )
    return fake


def pagerduty_figures(root: Path, incidents: int, idle: float, poll: float) -> None:
    fake = pagerduty_fake(incidents)
    try:
        settings = PagerDutySettings(
            from_email="carol@example.com", token=fake.token, url=fake.url, poll_every=poll
        )

        async def load_then_idle() -> tuple[int, int]:
            backend = PagerDutyBackend(settings)
            await backend.open()
            loaded = backend.api.requests
            followed = backend.follow(0)

            async def drain() -> None:
                async for _ in followed:
                    pass

            task = asyncio.create_task(drain())
            await asyncio.sleep(idle)
            task.cancel()
            await backend.close()
            return loaded, backend.api.requests - loaded

        loaded, idling = asyncio.run(load_then_idle())
        per_minute = idling * 60 / idle
        env = environment(
            root,
            f'from_email = "carol@example.com"\npagerduty_poll = {poll}\n',
        )
        env.update(ESCTUI_PAGERDUTY_TOKEN=fake.token, ESCTUI_PAGERDUTY_URL=fake.url)
        terminal = Terminal([sys.executable, "-m", "esctui", "--pagerduty"], env)
        try:
            painted = terminal.wait_for(PD_ROW, terminal.started, timeout=120)
        finally:
            terminal.close()
        print(f"pagerduty (fake): {incidents} incidents, poll every {poll:g} s")
        print(f"  requests to load     {loaded:8d}")
        print(f"  requests/min idle    {per_minute:8.1f}  ({idling} in {idle:g} s)")
        print(f"  first paint ms       {(painted - terminal.started) * 1000:8.0f}")
    finally:
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="Alertmanager first paints")
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds idling, PagerDuty")
    parser.add_argument("--poll", type=float, default=15.0, help="PagerDuty poll, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        alertmanager_figures(root, args.alerts, args.groups, args.runs)
        pagerduty_figures(root, args.incidents, args.idle, args.poll)


if __name__ == "__main__":
    main()
