"""Tiny test web sites on loopback, each on its own 127.0.0.N: scripted pages, an access log, crawler traps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds before answering (interrupted when the server stops)


Route = Callable[["Hit"], Reply]


@dataclass(frozen=True)
class Hit:
    path: str  # path + query
    at: float
    user_agent: str


def clinic_page(title: str, body: str, links: list[str] | tuple[str, ...] = (), charset: str = "utf-8") -> str:
    nav = " ".join(f'<a href="{href}">{href.strip("/") or "home"}</a>' for href in links)
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><nav>{nav}</nav><main>{body}</main></body></html>")


KETAMINE_BLURB = ("<p>We offer IV ketamine infusion therapy for treatment-resistant depression, anxiety and PTSD, "
                  "with medical screening and integration therapy.</p>")


class TrapSite:
    """One site: ``routes`` maps a path (without query) to a function of the hit returning a Reply."""

    def __init__(self, host: str, routes: dict[str, Route | Reply | str]):
        self.host = host
        self.routes = routes
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.counts: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
                pass

            def do_GET(self) -> None:  # noqa: N802
                hit = Hit(self.path, time.monotonic(), self.headers.get("User-Agent", ""))
                with site.lock:
                    site.hits.append(hit)
                    path = urlsplit(self.path).path
                    site.counts[path] = site.counts.get(path, 0) + 1
                route = site.routes.get(path)
                if route is None:
                    reply = Reply(404, b"<html><body>not found</body></html>")
                elif isinstance(route, Reply):
                    reply = route
                elif isinstance(route, str):
                    reply = Reply(body=route.encode("utf-8"))
                else:
                    reply = route(hit)
                if reply.delay and site.stopping.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for k, v in reply.headers:
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((host, 0), Handler)
        # a short poll: stop() waits one poll interval (0.5 s by default, per site)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits]

    def start(self) -> TrapSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def clinic_farm(count: int, first_octet: int, *, pages: int = 4, delay: float = 0.0) -> list[TrapSite]:
    """``count`` small ketamine-clinic sites on 127.0.0.<first_octet>... (each page answered after ``delay``)."""
    sites = []
    for i in range(count):
        n = first_octet + i
        links = [f"/services/{j}/" for j in range(pages - 1)]
        body = (f"<h1>Farm Clinic {n}</h1>{KETAMINE_BLURB}<p>{100 + i} Oak Street, Austin, TX 78701</p>"
                f"<p>Call (512) 555-{1000 + n:04d}</p>")
        routes: dict[str, Route | Reply | str] = {
            "/": Reply(body=clinic_page(f"Farm Clinic {n}", body, links).encode(), delay=delay)}
        for link in links:
            routes[link] = Reply(body=clinic_page("Services", KETAMINE_BLURB, ["/"]).encode(), delay=delay)
        sites.append(TrapSite(f"127.0.0.{n}", routes))
    return sites


def answer_at_once(sites: list[TrapSite]) -> None:
    """From now on, the sites answer without their delays (slow pages are needed only while a crawl is to be
    caught midway; a resumed crawl need not wait for them)."""
    for site in sites:
        with site.lock:
            for path, route in list(site.routes.items()):
                if isinstance(route, Reply) and route.delay:
                    site.routes[path] = replace(route, delay=0.0)
