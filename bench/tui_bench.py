"""The console's figures, from the real `esctui` running in a pseudo-terminal.

For stores of 1k, 10k and 50k incidents: time to first paint (and, in the same run, Textual's
own start: an app that draws one line and reads nothing); bytes sent to the terminal when
another process acknowledges one visible incident, and per second of idle SLA ticking; `a` key to
row repainted; `m` to the KPI screen's figures (over the store's last 30 days); peak RSS. The
same rows in Textual's stock `DataTable` are timed in the same run, and the ratios printed.

    python bench/tui_bench.py [--sizes 1000 10000 50000] [--runs 5] [--idle 5] [--presses 11]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from esctui.demo import build_demo, demo_identity
from esctui.domain import commands as c
from esctui.domain.models import Directory, Status
from esctui.domain.sla import sla_book
from esctui.stores.journal import JournalStore, create_store
from esctui.tui.queue_model import QueueModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from acting import execute, replace_directory

COLUMNS, LINES = 160, 50
HERE = Path(__file__).resolve().parent
ROW = re.compile(rb"INC-\d+")
FILTER_OPEN = re.compile(
    rb"ilter: id, title"
)  # the filter line's placeholder (its "f" under the cursor)
SHOWN = re.compile(rb" shown")  # the queue's view bar: "38 shown"
UNFILTERED = re.compile(rb"(?<![0-9])(?:[02-9]|[0-9]{2,}) shown")  # not "1 shown"
KPI_SHOWN = re.compile(rb"resolved \xc2\xb7 per")  # the KPI title, once the figures are in


class Terminal:
    """A program in a pseudo-terminal of COLUMNS x LINES; everything it writes, timestamped."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.master = master
        self.chunks: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if not ready:
                if self.process.poll() is not None:
                    return
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.chunks.append((time.monotonic(), data))

    def output_since(self, start: float, end: float | None = None) -> bytes:
        with self.lock:
            return b"".join(d for t, d in self.chunks if t >= start and (end is None or t < end))

    def wait_for(self, pattern: re.Pattern[bytes], since: float, timeout: float = 60) -> float:
        """The time of the first chunk after `since` matching `pattern`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                before = b""  # the end of the chunk before: a match may span two reads
                for at, data in self.chunks:
                    if at < since:
                        continue
                    if pattern.search(before + data):
                        return at
                    before = data[-256:]
            time.sleep(0.005)
        text = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b"", self.output_since(since))
        text = b" ... ".join(m.group(0) for m in re.finditer(rb".{40}shown", text)) or text[-1500:]
        raise TimeoutError(f"{pattern.pattern!r} never appeared; the screen since: {text!r}")

    def type(self, keys: bytes) -> float:
        at = time.monotonic()
        os.write(self.master, keys)
        return at

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kilobytes = int(re.search(r"VmHWM:\s+(\d+)", status)[1])  # type: ignore[index]
        return kilobytes / 1024

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(10)
        os.close(self.master)


def build(root: Path, size: int) -> Path:
    """A demo store of `size` incidents where nothing escalates while the figures are taken.

    In a demo of 10,000 incidents some escalation falls due about every second, and each one
    that pages the demo's responder raises a toast: real traffic, which would be counted as
    the cost of the idle clock. The policies' timeouts are moved out of reach instead, so the
    figures measure the console and the one change each step makes.
    """
    path = root / f"store-{size}"
    directory, events = build_demo(size, seed=11, now=datetime.now(UTC))
    create_store(path, directory, events)
    store = JournalStore(path)
    store.load()
    replace_directory(store, without_timeouts(store.directory))
    return path


def without_timeouts(directory: Directory) -> Directory:
    far = 60 * 24 * 365  # a year
    policies = tuple(
        msgspec.structs.replace(
            policy,
            levels=tuple(msgspec.structs.replace(lv, timeout_minutes=far) for lv in policy.levels),
            acknowledge_timeout_minutes=None,
        )
        for policy in directory.policies
    )
    return msgspec.structs.replace(directory, policies=policies)


def environment(root: Path) -> dict[str, str]:
    env = {**os.environ, "TERM": "xterm-256color", "ESCTUI_CONFIG": str(root / "none.toml")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as an installed tool runs
    env.pop("NO_COLOR", None)
    # The pseudo-terminal's size, whatever size the caller's environment claims.
    env.update(COLUMNS=str(COLUMNS), LINES=str(LINES))
    return env


def console(store: Path, env: dict[str, str]) -> Terminal:
    esctui = Path(sys.executable).parent / "esctui"
    return Terminal([str(esctui), "--store", str(store), "--as", demo_identity()], env)


def visible_triggered(store: Path, me: str) -> list[str]:
    """Triggered incidents among the first screenful of the default view, cursor row excluded."""
    reader = JournalStore(store)
    reader.load()
    queue = reader.queue()
    model = QueueModel.from_queue(queue, sla_book(queue.directory), me, datetime.now(UTC))
    shown = model.rows[1 : LINES - 20]
    return [i for i in shown if model.incidents[i].status is Status.TRIGGERED]


def triggered(store: Path) -> list[str]:
    """Triggered incidents whose id the filter finds alone (INC-1001 also finds INC-10010)."""
    reader = JournalStore(store)
    reader.load()
    incidents = reader.queue().incidents
    return [
        i.id
        for i in incidents.values()
        if i.status is Status.TRIGGERED and not any(f"{i.id}{n}" in incidents for n in range(10))
    ]


def acknowledge_elsewhere(store: Path, incident_id: str) -> None:
    writer = JournalStore(store)
    writer.load()
    execute(writer, c.Acknowledge(incident=incident_id), "alice", None)


def measure_console(
    store: Path, env: dict[str, str], runs: int, idle_seconds: float, presses: int
) -> dict[str, float]:
    paints = []
    for _ in range(runs):
        term = console(store, env)
        try:
            paints.append(term.wait_for(ROW, term.started) - term.started)
        finally:
            term.close()
    figures: dict[str, float] = {"first paint ms": statistics.median(paints) * 1000}

    term = console(store, env)
    try:
        term.wait_for(ROW, term.started)
        time.sleep(3)  # settle: detail pane, first ticks
        figures["peak RSS MB"] = term.peak_rss_mb()
        start = time.monotonic()
        time.sleep(idle_seconds)
        idle = len(term.output_since(start, start + idle_seconds)) / idle_seconds
        figures["idle bytes/s"] = idle

        candidates = visible_triggered(store, demo_identity())
        sent = []
        for incident_id in candidates[: min(3, presses)]:
            start = time.monotonic()
            acknowledge_elsewhere(store, incident_id)
            time.sleep(1.0)
            sent.append(len(term.output_since(start, start + 1.0)) - idle)
            time.sleep(1.0)  # let the flash end
        figures["ack elsewhere bytes"] = statistics.median(sent) if sent else float("nan")

        latencies = []
        for n, incident_id in enumerate(triggered(store)[:presses]):
            if n:
                escape(term, UNFILTERED)  # clear the last filter
            open_filter(term)
            typed = term.type(incident_id.encode() + b"\r")
            # the filter is in force: "1 shown" (styled apart from the separator before it)
            term.wait_for(re.compile(rb"[^0-9]1 shown"), typed, timeout=30)
            time.sleep(0.3)
            pressed = term.type(b"a")
            repainted = term.wait_for(re.compile(rb"ACK"), pressed, timeout=5)
            latencies.append(repainted - pressed)
            time.sleep(0.3)
        figures["a to repaint ms"] = statistics.median(latencies) * 1000

        escape(term, UNFILTERED)  # clear the filter
        kpis = []
        for _ in range(max(1, min(3, presses))):
            pressed = term.type(b"m")
            kpis.append(term.wait_for(KPI_SHOWN, pressed, timeout=120) - pressed)
            escape(term, SHOWN)  # back to the queue
        figures["m to KPIs ms"] = statistics.median(kpis) * 1000
    finally:
        term.close()
    return figures


def escape(term: Terminal, taken: re.Pattern[bytes]) -> None:
    """`esc`, and wait until the screen shows `taken`: an escape read together with the next
    key is alt+key, which a loaded machine makes likely."""
    pressed = term.type(b"\x1b")
    term.wait_for(taken, pressed, timeout=30)
    time.sleep(0.3)


def open_filter(term: Terminal) -> None:
    pressed = term.type(b"/")
    term.wait_for(FILTER_OPEN, pressed, timeout=30)


# Textual's own start, for the same run's ratio: the least any Textual console can take here.
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("INC-0")
Bare().run()
"""


def measure_bare(env: dict[str, str], runs: int) -> float:
    """Textual's own start to its first paint, ms (median of `runs`)."""
    paints = []
    for _ in range(runs):
        term = Terminal([sys.executable, "-c", BARE_APP], env)
        try:
            paints.append(term.wait_for(ROW, term.started) - term.started)
        finally:
            term.close()
    return statistics.median(paints) * 1000


def measure_datatable(store: Path, env: dict[str, str]) -> dict[str, float]:
    term = Terminal([sys.executable, str(HERE / "datatable_app.py"), str(store)], env)
    try:
        painted = term.wait_for(ROW, term.started, timeout=300)
        figures = {"first paint ms": (painted - term.started) * 1000}
        time.sleep(1.0)
        start = time.monotonic()
        changed = term.wait_for(re.compile(rb"ACK"), start, timeout=10)
        time.sleep(0.5)
        figures["one-cell change bytes"] = len(term.output_since(changed - 0.05, changed + 0.5))
    finally:
        term.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0, help="Seconds of idle ticking.")
    parser.add_argument("--presses", type=int, default=11, help="`a` presses timed.")
    args = parser.parse_args()
    python = sys.version.split()[0]
    print(f"terminal {COLUMNS}x{LINES}; medians of {args.runs} starts; python {python}")
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        env = environment(root)
        bare = measure_bare(env, args.runs)
        print(f"Textual alone (one line, no data): first paint {bare:.1f} ms")
        for size in args.sizes:
            store = build(root, size)
            ours = measure_console(store, env, args.runs, args.idle, args.presses)
            theirs = measure_datatable(store, env)
            print(f"\n{size} incidents")
            for name, value in ours.items():
                print(f"  esctui     {name:<22} {value:10.1f}")
            for name, value in theirs.items():
                print(f"  DataTable  {name:<22} {value:10.1f}")
            print(f"  esctui first paint over Textual alone: {ours['first paint ms'] / bare:.2f}x")
            print(
                f"  ratio first paint DataTable/esctui: "
                f"{theirs['first paint ms'] / ours['first paint ms']:.1f}x"
            )
            print(
                f"  ratio change bytes DataTable/esctui: "
                f"{theirs['one-cell change bytes'] / max(1.0, ours['ack elsewhere bytes']):.1f}x"
            )


if __name__ == "__main__":
    main()
