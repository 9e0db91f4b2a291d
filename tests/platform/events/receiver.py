"""A real HTTP receiver on 127.0.0.1 for webhook tests: it records every request and answers
from a plan (status codes, optionally after a delay), then 200."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    plan: list[tuple[int, float]] = field(default_factory=list)
    """(status, seconds to wait before answering), used in order; afterwards 200 at once."""
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: threading.Event = field(default_factory=threading.Event)
    """Set when a request arrives (before any planned delay)."""

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *statuses: int, delay: float = 0) -> None:
        with self.lock:
            self.plan.extend((status, delay) for status in statuses)

    def event_ids(self) -> list[str]:
        with self.lock:
            return [r.headers["Bodega-Event-Id"] for r in self.requests]

    def _next(self) -> tuple[int, float]:
        with self.lock:
            return self.plan.pop(0) if self.plan else (200, 0)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, delay = receiver._next()
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers), body))
            receiver.started.set()
            time.sleep(delay)
            with contextlib.suppress(OSError):  # the sender may have given up (a timeout)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {status}".encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
