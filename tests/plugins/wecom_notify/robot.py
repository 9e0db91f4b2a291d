"""A WeCom group robot on 127.0.0.1 for the plugin's tests.

It speaks the robot API: ``POST /cgi-bin/webhook/send?key=KEY`` with a JSON message
(markdown, or text with ``mentioned_mobile_list``), answered ``{"errcode": 0, "errmsg":
"ok"}``; an unknown key is answered 93000 and a malformed message 40008, as WeCom does. The
next answers can be planned: an errcode (45009 rate limited ...) or an HTTP status (500).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["ERRMSGS", "LIMITS", "Message", "Reply", "Robot", "closed_port", "robot_at"]

PATH = "/cgi-bin/webhook/send"
LIMITS = {"markdown": 4096, "text": 2048}
"""Most bytes of content per message type."""
ERRMSGS = {
    0: "ok",
    40008: "invalid message type",
    45009: "api freq out of limit",
    93000: "invalid webhook url",
}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    errcode: int = 0

    def body(self) -> bytes:
        if self.status != 200:
            return b"<html>server error</html>"
        return json.dumps({"errcode": self.errcode, "errmsg": ERRMSGS[self.errcode]}).encode()


@dataclass(frozen=True)
class Message:
    """One request the robot received, and how it answered."""

    key: str
    body: dict[str, Any]
    reply: Reply

    @property
    def msgtype(self) -> str:
        return str(self.body["msgtype"])

    @property
    def content(self) -> str:
        return str(self.body[self.msgtype]["content"])

    @property
    def delivered(self) -> bool:
        return self.reply == Reply()


@dataclass
class Robot:
    key: str
    port: int = 0
    messages: list[Message] = field(default_factory=list)
    plan: list[Reply] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, key: str | None = None) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}?key={key or self.key}"

    def will_answer(self, *, errcode: int = 0, status: int = 200, times: int = 1) -> None:
        """Answer the next ``times`` well-formed messages so (then as usual again)."""
        with self.lock:
            self.plan.extend([Reply(status, errcode)] * times)

    def delivered(self) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.delivered]

    def receive(self, path: str, content_type: str, raw: bytes) -> Reply:
        url = urlsplit(path)
        key = parse_qs(url.query).get("key", [""])[0]
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        with self.lock:
            if url.path != PATH or key != self.key:
                reply = Reply(errcode=93000)
            elif content_type != "application/json" or not _well_formed(body):
                reply = Reply(errcode=40008)
            else:
                reply = self.plan.pop(0) if self.plan else Reply()
            self.messages.append(Message(key, body, reply))
        return reply


def _well_formed(body: Any) -> bool:
    msgtype = body.get("msgtype") if isinstance(body, dict) else None
    if msgtype not in LIMITS or set(body) != {"msgtype", msgtype}:
        return False
    message = body[msgtype]
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not 0 < len(content.encode()) <= LIMITS[msgtype]:
        return False
    extra = set(message) - {"content"}
    if msgtype == "text":
        mobiles = message.get("mentioned_mobile_list", [])
        return extra <= {"mentioned_mobile_list"} and all(isinstance(m, str) for m in mobiles)
    return not extra


@contextmanager
def robot_at(key: str) -> Iterator[Robot]:
    """A robot with webhook key ``key``, listening while the block runs."""
    robot = Robot(key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            reply = robot.receive(self.path, self.headers.get("Content-Type", ""), raw)
            payload = reply.body()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    robot.port = server.server_address[1]
    # A short poll interval: shutting down waits for the poll in progress.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (a robot that cannot be reached)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
