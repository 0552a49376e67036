"""The download handler of a rendering crawl: scrapy-playwright, whose browser fetches only what we may.

Requests without ``meta["playwright"]`` go through Scrapy's plain HTTP handler as before. A rendered page's own
requests (its script bundle, its data calls) are made by the browser, outside Scrapy's middlewares, so the
:class:`SubresourceGate` applies the crawler's rules to them: only scripts, data requests and documents (no images,
media, fonts, style sheets, beacons or web sockets), and only URLs the host's robots.txt allows to our user agent,
read through Scrapy's own robots.txt middleware (cached, fetched politely with our user agent).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import weakref
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from twisted.internet.defer import Deferred

from crawler.render.clicks import CLICK_KEY, CLICK_REPORT, discover
from crawler.render.page import PAGE_KEY

if TYPE_CHECKING:
    from playwright.async_api import Request as BrowserRequest
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Resource types a rendered page may fetch: what builds the DOM a patient reads.
ALLOWED_TYPES = frozenset({"document", "script", "xhr", "fetch"})


class SubresourceGate:
    """Decides, for each request a rendering page makes, whether to abort it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT") or "*"
        self.obey_robots = crawler.settings.getbool("ROBOTSTXT_OBEY")
        self.max_requests = max(1, crawler.settings.getint("KDIR_RENDER_MAX_REQUESTS", 100))
        self._robots_mw: RobotsTxtMiddleware | None | bool = None  # False: looked, none installed
        self._sent: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()  # page -> requests let out

    def _robots(self) -> RobotsTxtMiddleware | None:
        if self._robots_mw is None:
            engine = self.crawler.engine
            chain = getattr(getattr(getattr(engine, "downloader", None), "middleware", None), "middlewares", ())
            self._robots_mw = next((m for m in chain if isinstance(m, RobotsTxtMiddleware)), False)
        return self._robots_mw or None

    async def should_abort(self, request: BrowserRequest) -> bool:
        kind = request.resource_type
        if kind not in ALLOWED_TYPES:
            self.stats.inc_value(f"kdir/render/blocked/{kind}")
            return True
        url = request.url
        if not url.startswith(("http://", "https://")):
            self.stats.inc_value("kdir/render/blocked/scheme")
            return True
        page = _page_of(request)
        if page is not None:
            self._sent[page] = self._sent.get(page, 0) + 1
            if self._sent[page] > self.max_requests:  # an app calling its API in a loop must not flood the site
                self.stats.inc_value("kdir/render/blocked/over_cap")
                return True
        if not self.obey_robots:
            return False
        # Every request is checked, the page's own navigation too: it passed Scrapy's robots.txt middleware (the
        # check is then a cache hit), but a script may send the page elsewhere.
        mw = self._robots()
        if mw is None:
            return False
        try:
            parser = mw.robot_parser(Request(url))
            if isinstance(parser, Deferred):  # Scrapy < 2.13
                parser = await maybe_deferred_to_future(parser)
            elif inspect.isawaitable(parser):
                parser = await parser
        except Exception as exc:  # noqa: BLE001 - unreadable robots.txt: allowed, as Scrapy does
            logger.debug("robots.txt unreadable for %s: %s", url, exc)
            return False
        if parser is not None and not parser.allowed(url, self.user_agent):
            self.stats.inc_value("kdir/render/blocked/robots")
            logger.info("browser request blocked by robots.txt: %s", url)
            return True
        return False


def _page_of(request: BrowserRequest) -> Any:
    try:
        return request.frame.page
    except Exception:  # noqa: BLE001 - a service worker's request has no frame
        return None


class RenderTimeout(Exception):
    """A render that overran its deadline: the page was closed (a script that never yields, a hung renderer)."""


class RenderingDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler with the :class:`SubresourceGate` as its request filter and a hard deadline
    per rendered page; on a page rendered for its menu (``meta[CLICK_KEY]``), the menu is clicked once the page
    was read (``crawler.render.clicks``), and what the clicks found is left in ``meta[CLICK_REPORT]``.

    Playwright's own time-outs cover the navigation and the settle step, but not reading the DOM: a page whose
    script loops forever after loading would hold the crawl for good. Past the deadline the page is closed (the
    browser kills its renderer) and the render fails like any other.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.gate = SubresourceGate(crawler)
        self.abort_request: Any = self.gate.should_abort
        s = crawler.settings
        self.deadline = s.getfloat("KDIR_RENDER_DEADLINE") or \
            s.getfloat("KDIR_RENDER_TIMEOUT", 20.0) + s.getfloat("KDIR_RENDER_SETTLE", 5.0) + 10.0

    async def _download_request(self, request: Request, spider: Any = None) -> Any:
        clicks = request.meta.get(CLICK_KEY)
        try:
            response = await asyncio.wait_for(super()._download_request(request, spider), self.deadline)
        except TimeoutError:
            await _close(request.meta.get(PAGE_KEY))
            self.stats.inc_value("kdir/render/deadline_closed")
            raise RenderTimeout(f"render of {request.url} overran its {self.deadline:.0f} s deadline; page closed") \
                from None
        except BaseException:
            if clicks:  # scrapy-playwright leaves a page it hands back open, even when the render failed
                await _close(request.meta.get(PAGE_KEY))
            raise
        if clicks:
            page = request.meta.pop("playwright_page", None) or request.meta.get(PAGE_KEY)
            try:
                report = await discover(page, clicks["cap"], clicks["budget"]) if page is not None else None
            finally:
                await _close(page)
            if report is not None:
                request.meta[CLICK_REPORT] = report.as_meta()
        return response


async def _close(page: Any) -> None:
    """Close a render's page (bounded: a renderer stuck in a script is killed by the browser)."""
    if page is not None and not page.is_closed():
        with contextlib.suppress(Exception):
            await asyncio.wait_for(page.close(run_before_unload=False), 10)
