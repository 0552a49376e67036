"""Tiny HTTP plumbing shared by the sample apps: request/response values, templating and the server handler."""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

#: ``{{base}}`` is the serving site's base URL; ``{{site:NAME}}`` another app's base URL (no trailing slash).
_PLACEHOLDER = re.compile(r"\{\{(base|site:[a-z0-9_-]+)\}\}")
#: Default delay of the "slow_script" failure mode, in seconds (see ``MODES``).
SLOW_SCRIPT_SECONDS = 20.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: Mapping[str, str]
    mode: str = "normal"  # the serving app's failure mode (see ``MODES``)
    slow_seconds: float = SLOW_SCRIPT_SECONDS  # how long the ``slow_script`` mode delays a bundle

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RequestRecord:
    """One request served, kept so tests can check crawler politeness (robots, delay, user agent)."""

    app: str
    method: str
    path: str  # path plus query string
    at: float  # time.monotonic()
    user_agent: str
    status: int


def render(text: str, urls: Mapping[str, str], own: str) -> str:
    """Fill ``{{base}}`` and ``{{site:NAME}}``; an unknown site name is left visible rather than guessed."""

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        name = own if key == "base" else key[5:]
        return urls.get(name, m.group(0))

    return _PLACEHOLDER.sub(sub, text)


App = Callable[[Request], Response]

#: Failure modes an app can be switched to (see ``SampleWeb.set_mode``): "down" answers 503 everywhere,
#: "empty" answers every page except robots.txt with an empty maintenance page (a source suddenly yielding
#: nothing). Two only affect single-page-app clinic sites (elsewhere they behave as "normal"):
#: "script_error" serves the script bundle with a ``throw`` at its top, so nothing renders, and
#: "slow_script" answers the bundle only after ``AppServer.slow_seconds`` (a browser's page load times out).
MODES = ("normal", "down", "empty", "script_error", "slow_script")
_EMPTY = b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body><p>We'll be back soon.</p></body></html>"


def _failure(mode: str, req: Request) -> Response | None:
    if mode == "down":
        return Response(503, b"Service Unavailable", "text/plain", [("Retry-After", "120")])
    if mode == "empty" and req.path != "/robots.txt":
        return Response(200, _EMPTY, "text/html; charset=utf-8")
    return None


class AppServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], name: str, app: App, log: list[RequestRecord],
                 lock: threading.Lock) -> None:
        super().__init__(addr, _Handler)
        self.app_name = name
        self.app = app
        self.log = log
        self.lock = lock
        self.mode = "normal"
        self.slow_seconds = SLOW_SCRIPT_SECONDS

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client hangs up early (a browser giving up on a slow script); report the rest."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: AppServer
    server_version = "SampleWeb/1.0"
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        return

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1_000_000)) if length > 0 else b""
        req = Request(method="GET" if method == "HEAD" else method, path=parts.path or "/",
                      query=parse_qs(parts.query, keep_blank_values=True), body=body,
                      headers={k.lower(): v for k, v in self.headers.items()}, mode=self.server.mode,
                      slow_seconds=self.server.slow_seconds)
        try:
            resp = _failure(self.server.mode, req) or self.server.app(req)
        except Exception as exc:  # noqa: BLE001 - a bug in a sample app must show as a 500, not a hang
            resp = Response(500, f"internal error: {type(exc).__name__}: {exc}".encode(), "text/plain")
        with self.server.lock:
            self.server.log.append(RequestRecord(self.server.app_name, method, self.path, time.monotonic(),
                                                 self.headers.get("User-Agent", ""), resp.status))
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers:
            self.send_header(k, v)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(resp.body)

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")
