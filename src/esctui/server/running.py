"""Listening: where `esctui serve` may bind, and running the app under uvicorn.

Tokens travel in every request, so a server reachable beyond this machine must speak TLS, or
be told explicitly (`--insecure-bind`) that something in front of it does.
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from litestar import Litestar


class BindRefused(Exception):
    """`serve` was asked for something unsafe or impossible; `str(error)` says what."""


@dataclass(frozen=True)
class Tls:
    cert: Path
    key: Path


def is_loopback(host: str) -> bool:
    """Whether every address `host` stands for is on this machine only."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(str(f[4][0])).is_loopback for f in found)


def check_bind(
    host: str, tls_cert: Path | None, tls_key: Path | None, insecure_bind: bool
) -> Tls | None:
    """The TLS settings to use; `BindRefused` if listening on `host` would be unsafe."""
    if (tls_cert is None) != (tls_key is None):
        raise BindRefused("TLS needs both --tls-cert and --tls-key.")
    tls = Tls(tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None
    if tls is None and not insecure_bind and not is_loopback(host):
        raise BindRefused(
            f"Refusing to listen on {host} without TLS: tokens would cross the network in "
            "clear text. Give --tls-cert and --tls-key, or --insecure-bind if a TLS proxy "
            "stands in front of this server."
        )
    return tls


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Made with the TCP protocol named, so that asyncio turns Nagle's algorithm off on every
    # connection it accepts (it checks the protocol): otherwise each answer written in two
    # parts waits for the client's delayed acknowledgement, some 40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(1024)
    except OSError as error:
        sock.close()
        raise BindRefused(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    return sock


def url_of(sock: socket.socket, tls: Tls | None) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


@dataclass(frozen=True)
class Stopped:
    """How serving ended: the signal that asked for it (None if none did), and how many
    event streams were open and closed."""

    signal: str | None
    streams: int

    def sentence(self) -> str:
        why = f"on {self.signal}" if self.signal else "serving"
        streams = f"{self.streams} event stream{'' if self.streams == 1 else 's'}"
        return f"stopped {why}; {streams} {'was' if self.streams == 1 else 'were'} closed."


class Server(uvicorn.Server):
    """uvicorn, ending the event streams before it waits for connections to close (they
    would otherwise hold it up until its grace period ran out), and ending as a process
    should when asked to stop: having stopped, not killed by the signal again."""

    def __init__(self, config: uvicorn.Config, end_streams: Callable[[], int]) -> None:
        super().__init__(config)
        self.end_streams = end_streams
        self.stopped_by: str | None = None
        self.streams_closed = 0

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.streams_closed = self.end_streams()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn's own sends the signal again once it has shut down, so SIGTERM ends the
        # process with 143 and no word; this one notes it, and `serve` exits 0 saying so.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        before = {sig: signal.signal(sig, self.stop_on) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)

    def stop_on(self, number: int, frame: object) -> None:
        self.stopped_by = signal.Signals(number).name
        self.handle_exit(number, None)


def uvicorn_server(app: Litestar, tls: Tls | None, *, log_level: str = "warning") -> Server:
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
        ssl_certfile=str(tls.cert) if tls else None,
        ssl_keyfile=str(tls.key) if tls else None,
        server_header=False,
    )
    return Server(config, app.state.end_streams)


def run(app: Litestar, sock: socket.socket, tls: Tls | None) -> Stopped:
    """Serve until interrupted (Ctrl+C or SIGTERM); how it ended."""
    server = uvicorn_server(app, tls)
    server.run(sockets=[sock])
    return Stopped(signal=server.stopped_by, streams=server.streams_closed)
