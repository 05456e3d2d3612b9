"""`esctui serve`: loopback by default, beyond it only with TLS or when told."""

from __future__ import annotations

import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import Spawned


def serve(store: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "esctui", "--store", str(store), "serve", *args],
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_serve_refuses_to_listen_beyond_loopback_without_tls(store_path: Path, host: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "esctui", "--store", str(store_path), "serve", "--host", host],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"esctui: Refusing to listen on {host} without TLS")
    assert result.stderr.count("\n") == 1


def test_serve_with_tls_listens_beyond_loopback_and_speaks_only_https(
    store_path: Path, tmp_path: Path
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    process = serve(store_path, "--host", "0.0.0.0", "--port", "0", "--tls-cert", str(cert),
                    "--tls-key", str(key))  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"at https://0\.0\.0\.0:(\d+)", line)
        assert found, line
        trusted = ssl.create_default_context(cafile=str(cert))
        health = httpx.get(f"https://127.0.0.1:{found[1]}/healthz", verify=trusted, timeout=10)
        assert health.status_code == 200
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{found[1]}/healthz", timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_port_in_use_and_a_missing_store_are_exit_3(store_path: Path, tmp_path: Path) -> None:
    process = serve(store_path, "--port", "0")
    try:
        assert process.stderr is not None
        port = re.search(r":(\d+)$", process.stderr.readline().strip())
        assert port
        taken = subprocess.run(
            [sys.executable, "-m", "esctui", "--store", str(store_path), "serve", "--port",
             port[1]], capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert taken.returncode == 3
    assert taken.stderr.startswith(f"esctui: Cannot listen on 127.0.0.1:{port[1]}")
    missing = subprocess.run(
        [sys.executable, "-m", "esctui", "--store", str(tmp_path / "nowhere"), "serve"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert missing.returncode == 3
    assert missing.stderr.startswith("esctui: There is no esctui store at")


def test_serve_stops_cleanly_on_sigterm(spawned: tuple[Spawned, dict[str, str]]) -> None:
    server, tokens = spawned
    url = server.start()
    assert server.process is not None and server.process.stderr is not None
    headers = {"Authorization": f"Bearer {tokens['frank']}"}
    with httpx.stream("GET", f"{url}/v1/events", headers=headers, timeout=10) as stream:
        chunks = stream.iter_bytes()
        assert next(chunks) == b": keep-alive\n\n"
        server.process.send_signal(signal.SIGTERM)
        assert list(chunks) == [], "the stream ends, and nothing else comes"
        code = server.process.wait(timeout=10)
    said = server.process.stderr.read()
    assert code == 0, said
    # Before it, only what work this process led (escalation, paging) and its letting go.
    *before, last = said.splitlines()
    assert last == "esctui: stopped on SIGTERM; 1 event stream was closed.", said
    assert all(" leads " in line for line in before), said


def test_serve_survives_clients_that_went_away(spawned: tuple[Spawned, dict[str, str]]) -> None:
    """While the server is stopped (as it was when something froze it), clients send
    requests and give up; once it runs again it answers into closed connections, which
    raises SIGPIPE."""
    server, tokens = spawned
    url = server.start()
    assert server.process is not None
    request = (
        f"GET /v1/queue HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tokens['frank']}\r\n\r\n"
    ).encode()
    for _ in range(3):
        server.process.send_signal(signal.SIGSTOP)
        for _ in range(10):
            with socket.create_connection(("127.0.0.1", server.port)) as client:
                client.sendall(request * 4)  # and goes away without reading a byte
        server.process.send_signal(signal.SIGCONT)
        time.sleep(0.3)  # it answers them meanwhile
        assert server.process.poll() is None, "serve died"
    assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
