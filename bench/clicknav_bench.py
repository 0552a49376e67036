"""What clicking a rendered menu costs per page (``crawler.render.clicks.discover``), in Debian's chromium.

    .venv/bin/python bench/clicknav_bench.py [--repeat 5]

Serves generated pages on loopback, each with a header menu of N entries whose targets only a click reveals, and
times ``discover`` on each (page loaded and listed beforehand, outside the timing), ``--repeat`` times; prints the
median per page and per click. Menus: entries that navigate at once (``go('x')`` setting ``location.href``), that
call ``history.pushState`` from a listener, that do nothing (a click the crawler cannot tell from a navigation
before it has waited), and a page with nothing to click (every target readable: the cost of listing the
menu).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_SCRIPT = """<script>
function go(k) { location.href = '/' + k + '/'; }
document.querySelectorAll('button.push').forEach(function (b) {
  b.addEventListener('click', function () { history.pushState({}, '', '/' + b.dataset.k + '/'); });
});
document.querySelectorAll('button.noop').forEach(function (b) { b.addEventListener('click', function () {}); });
</script>"""


def _page(kind: str, n: int) -> str:
    if kind == "navigate":
        items = "".join(f"<li onclick=\"go('p{i}')\">Page {i}</li>" for i in range(n))
    elif kind == "pushState":
        items = "".join(f'<li><button class="push" data-k="p{i}">Page {i}</button></li>' for i in range(n))
    elif kind == "nothing happens":
        items = "".join(f'<li><button class="noop">Page {i}</button></li>' for i in range(n))
    else:  # readable: nothing to click
        items = "".join(f"<li onclick=\"location.href='/p{i}/'\">Page {i}</li>" for i in range(n))
    return (f"<!DOCTYPE html><html><head><title>{kind}</title></head><body><header><ul class='menu'>{items}</ul>"
            f"</header><main><p>{'Text. ' * 200}</p></main>{_SCRIPT}</body></html>")


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = self.pages.get(self.path, "<html><body>not found</body></html>").encode()
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


async def _measure(base: str, paths: dict[str, tuple[str, int]], repeat: int) -> None:
    from playwright.async_api import async_playwright

    from crawler.render.clicks import discover, watch_listeners
    from crawler.render.config import BROWSER_ARGS, find_browser

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=find_browser(), args=["--no-sandbox", *BROWSER_ARGS])
        for path, (kind, n) in paths.items():
            times, clicks, found = [], 0, 0
            for _ in range(repeat):
                page = await browser.new_page()
                await watch_listeners(page)
                await page.goto(base + path)
                report = await discover(page, budget=30.0)
                times.append(report.seconds)
                clicks, found = report.clicked, len(report.found)
                await page.close()
            per_page = statistics.median(times)
            per_click = f"{per_page / clicks * 1000:.0f} ms per click" if clicks else "no click"
            print(f"{kind:>16} x{n:<2}: {per_page * 1000:6.0f} ms per page, {per_click}; clicked {clicks}, "
                  f"found {found}")
        await browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    opts = ap.parse_args()
    paths = {f"/{kind.replace(' ', '-')}-{n}": (kind, n)
             for kind in ("readable", "navigate", "pushState", "nothing happens") for n in (6, 12)}
    _Handler.pages = {path: _page(kind, n) for path, (kind, n) in paths.items()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=partial(server.serve_forever, 0.05), daemon=True).start()
    try:
        asyncio.run(_measure(f"http://127.0.0.1:{server.server_address[1]}", paths, opts.repeat))
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
