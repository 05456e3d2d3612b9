"""A real PostgreSQL server for the tests and benches: Debian's `postgresql`, a cluster made with
`initdb` in a temporary directory, listening on 127.0.0.1 at a free port, removed afterwards.

`initdb` and `postgres` refuse to run as root: when the tests run as root they run them as the
`postgres` user (`runuser`), in a directory that user owns. The system's own cluster is never
touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def bin_dir() -> Path:
    """Where the server's programs are: `pg_config --bindir`, else the newest Debian version."""
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not installed: `apt-get install -y postgresql` (scripts/test does it)."
        )
    return Path(versions[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Postgres:
    """One throwaway cluster. `url(name)` is a database in it (made by `create_database`)."""

    def __init__(self) -> None:
        self.bin = bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="esctui-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self.as_root = os.geteuid() == 0
        self.databases = 0

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self, port: int | None = None) -> Postgres:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        if not self.data.exists():
            self.run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            )
        self.port = port or self.port or free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories="
            f"{self.root} -c fsync=off -c full_page_writes=off -c max_connections=300 "
            "-c shared_buffers=64MB"
        )
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False
        )

    def restart(self) -> None:
        """Stop (dropping every connection) and start again on the same port."""
        self.stop()
        self.start(self.port)

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database; its URL."""
        self.databases += 1
        name = name or f"esctui{self.databases}"
        self.run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.run(
                str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), check=False
            )
            if done.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("PostgreSQL did not become ready")

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
