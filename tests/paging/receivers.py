"""Real receivers of pages on 127.0.0.1, for the tests: an HTTP server that takes JSON webhooks
and ntfy-format pages (and answers as each test tells it: 200, 500, slowly, not at all), and an
SMTP server (aiosmtpd) that takes the e-mail pages."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when it arrived

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Takes every POST and PUT; `answers[path]` says how to answer a path: a status code,
    or `("slow", seconds)` to answer 200 that much later. Anything else: 200. `got` holds the
    requests answered 200, once answered; `arrived` every request, as it arrives."""

    answers: dict[str, Any] = field(default_factory=dict)
    got: list[Request] = field(default_factory=list)
    arrived: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = Request(self.path, dict(self.headers.items()), body, time.time())
                with receiver.lock:
                    receiver.arrived.append(request)
                answer = receiver.answers.get(self.path.partition("?")[0], 200)
                if isinstance(answer, tuple):
                    time.sleep(answer[1])
                    answer = 200
                with receiver.lock:
                    if answer == 200:
                        receiver.got.append(request)
                payload = b"{}" if answer == 200 else b"receiver says no"
                self.send_response(answer)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_PUT = do_POST

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 512

        self.server = Server((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def at(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.got if r.path.partition("?")[0] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """What an SMTP server took: each message's recipients and content."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = refuse
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(
        self, server: object, session: object, envelope: Any, address: str, options: object
    ) -> str:
        if address.startswith(self.refuse):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1 at a free port, in a thread of its own."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.mailbox = Mailbox(refuse)
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname=LOOPBACK, port=self.port)
        self.controller.start()

    def url(self, to: str) -> str:
        """An Apprise `mailto://` URL sending to `to` through this server, in plain SMTP."""
        return (
            f"mailto://{LOOPBACK}:{self.port}?smtp={LOOPBACK}&from=esctui@example.com"
            f"&to={to}&secure=no"
        )

    def close(self) -> None:
        self.controller.stop()
