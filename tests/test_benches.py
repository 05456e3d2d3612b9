"""Every benchmark still runs: each as its own process at a tiny size, so none rots unnoticed
when the code it measures changes. Its figures are printed, not asserted (this machine is
shared and noisy); what is checked is that it finishes and prints them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

PAGING_TINY = ["--rate", "20", "--seconds", "0.5", "--receivers", "3", "--slow", "0.3"]
SERVER_TINY = ["--subscribers", "2", "--seconds", "0.5", "--rate", "20", "--workers", "2"]
TINY = {
    "store_bench.py": (
        ["--sizes", "40", "--runs", "1", "--keys", "20", "--postgres"],
        ["incidents", "ms", "db status"],
    ),
    "tui_bench.py": (
        ["--sizes", "40", "--runs", "1", "--idle", "1", "--presses", "1"],
        ["Textual alone", "40 incidents", "first paint ms", "a to repaint ms", "m to KPIs ms"],
    ),
    "platforms_bench.py": (
        [
            "--alerts",
            "40",
            "--groups",
            "8",
            "--runs",
            "1",
            "--incidents",
            "30",
            "--idle",
            "1",
            "--poll",
            "0.25",
        ],
        ["first paint CPU ms", "a to repaint ms", "requests to load", "requests/min idle"],
    ),
    "paging_bench.py": (PAGING_TINY, ["pages received 10 of 10", "CPU", "prompt receivers"]),
    "paging_bench.py --postgres": (
        [*PAGING_TINY, "--postgres"],
        ["over a PostgreSQL database", "pages received 10 of 10", "prompt receivers"],
    ),
    "server_bench.py": (SERVER_TINY, ["actions/s", "p50", "RSS"]),
    "server_bench.py --postgres": (
        [*SERVER_TINY, "--postgres", "--processes", "2"],
        ["over a PostgreSQL database", "actions/s", "p50", "RSS"],
    ),
    "intake_bench.py": (
        ["--stores", "journal", "--seconds", "0.5", "--workers", "2", "--group", "5"],
        ["alerts/s", "events/s", "p99"],
    ),
}


@pytest.mark.parametrize("run", sorted(TINY))
def test_a_benchmark_runs_at_a_tiny_size(run: str, tmp_path: Path) -> None:
    args, figures = TINY[run]
    script = run.split()[0]
    env = {**os.environ, "ESCTUI_CONFIG": str(tmp_path / "no-config.toml")}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    for figure in figures:
        assert figure in done.stdout, done.stdout


def test_every_benchmark_is_run_here() -> None:
    scripts = {p.name for p in BENCH.glob("*_bench.py")}
    assert scripts == {run.split()[0] for run in TINY}
