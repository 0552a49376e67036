"""A render request: its meta (browser, context, settle step, error log) and how a page is judged settled.

Settling does not use Playwright's ``networkidle`` (500 ms without traffic, on every page): the page's own
requests are counted, and 150 ms without one in flight is enough for a page whose images and beacons are
aborted anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.extract.clicktargets import MAX_CLICKS
from crawler.render.clicks import CLICK_KEY, click_options, watch_listeners

if TYPE_CHECKING:
    from playwright.async_api import Page
    from scrapy import Request
    from scrapy.settings import BaseSettings

#: meta key under which a rendered page's uncaught script errors are listed
SCRIPT_ERRORS = "kdir_script_errors"
#: meta key of the browser page of a render in progress (closed by the handler past its deadline)
PAGE_KEY = "kdir_page"
#: the app has rendered something: text on the page, or children in its framework's mount point
_HAS_CONTENT = """() => {
  const b = document.body;
  if (!b) return false;
  if ((b.innerText || '').trim().length > 200) return true;
  const m = document.querySelector('#root, #app, #__next, #__nuxt, #svelte, #q-app, app-root');
  return !!m && m.children.length > 0;
}"""
#: the network counts as idle after this long without a request in flight (Playwright's networkidle: 500 ms)
QUIET_SECONDS = 0.15


@dataclass
class _Traffic:
    """Requests in flight on one page, and when that number last changed."""

    in_flight: int = 0
    changed: float = field(default_factory=time.monotonic)

    def move(self, step: int) -> None:
        self.in_flight = max(0, self.in_flight + step)
        self.changed = time.monotonic()


_TRAFFIC: weakref.WeakKeyDictionary[Any, _Traffic] = weakref.WeakKeyDictionary()


async def settle(page: Page, idle_ms: float, content_ms: float) -> None:
    """Wait until the app has rendered: no request in flight for ``QUIET_SECONDS`` (its data calls answered),
    then something shown. Neither wait fails the render: a page that polls forever, or that really is short, is
    read as it stands (an empty result is judged by the caller, from the extracted page).
    """
    from playwright.async_api import Error as PlaywrightError

    traffic = _TRAFFIC.get(page)
    deadline = time.monotonic() + idle_ms / 1000
    while traffic is not None and time.monotonic() < deadline:
        if traffic.in_flight == 0 and time.monotonic() - traffic.changed >= QUIET_SECONDS:
            break
        await asyncio.sleep(0.03)
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function(_HAS_CONTENT, timeout=content_ms)


#: browser contexts whose stray pages are cut off (see :func:`watch_page`)
_GUARDED: weakref.WeakSet[Any] = weakref.WeakSet()


async def _abort(route: Any) -> None:
    """Context-wide route: every request that no page route of ours handled (a pop-up's) is aborted. A page
    route takes precedence over a context route, so the crawl's own pages are unaffected."""
    await route.abort()


def _no_web_socket(ws: Any) -> None:
    ws.close()


async def watch_page(page: Page, request: Request) -> None:
    """Page init callback: count the page's requests in flight (for :func:`settle`) and keep its uncaught
    script errors in the request's meta."""
    request.meta[PAGE_KEY] = page
    context = page.context
    if context not in _GUARDED:  # pop-ups: pages the crawl did not open, without its request filter
        _GUARDED.add(context)
        await context.route("**", _abort)
    # a web socket is never opened to the site: routed without connecting to the server, it stays local
    await page.route_web_socket("**", _no_web_socket)
    traffic = _TRAFFIC.setdefault(page, _Traffic())
    page.on("request", lambda _r: traffic.move(+1))
    page.on("requestfinished", lambda _r: traffic.move(-1))
    page.on("requestfailed", lambda _r: traffic.move(-1))
    errors: list[str] = request.meta.setdefault(SCRIPT_ERRORS, [])
    page.on("pageerror", lambda exc: errors.append(str(exc)[:300]) if len(errors) < 20 else None)
    if request.meta.get(CLICK_KEY):  # its menu will be clicked: note the click listeners its scripts add
        await watch_listeners(page)


def render_meta(settings: BaseSettings, clicks: bool = False) -> dict[str, Any]:
    """Request meta that sends a request through the browser (see ``crawler.render.handler``). ``clicks``: once
    read, the page's menu entries are clicked to learn where they lead (``crawler.render.clicks``; at most
    ``KDIR_NAV_CLICKS`` entries in ``KDIR_NAV_CLICK_BUDGET`` seconds; 0 entries: no clicking)."""
    from scrapy_playwright.page import PageMethod

    idle_ms = settings.getfloat("KDIR_RENDER_SETTLE", 5.0) * 1000
    extra: dict[str, Any] = {}
    cap = settings.getint("KDIR_NAV_CLICKS", MAX_CLICKS)
    if clicks and cap > 0:
        # the handler gets the page back (it closes it) to click its menu after the HTML was read
        extra = {"playwright_include_page": True,
                 CLICK_KEY: click_options(cap, settings.getfloat("KDIR_NAV_CLICK_BUDGET", 6.0))}
    return {
        "playwright": True,
        "playwright_context": "default",
        "playwright_context_kwargs": {"java_script_enabled": True, "service_workers": "block",
                                      "accept_downloads": False, "ignore_https_errors": False},
        "playwright_page_init_callback": watch_page,
        "playwright_page_methods": [PageMethod(settle, idle_ms, min(idle_ms, 2000.0))],
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "dont_cache": True,  # hash routes share one URL for the HTTP cache
        "dont_retry": True,  # a render that timed out would only time out again
        **extra,
    }
