"""A render request: its meta (browser, context, settle step, error log) and how a page is judged settled."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Page
    from scrapy import Request
    from scrapy.settings import BaseSettings

#: meta key under which a rendered page's uncaught script errors are listed
SCRIPT_ERRORS = "kdir_script_errors"
#: a rendered page's mount point holds something (a framework has rendered into it)
_HAS_CONTENT = """() => {
  const b = document.body;
  return !!b && (b.innerText || '').trim().length > 200;
}"""


async def settle(page: Page, idle_ms: float, content_ms: float) -> None:
    """Wait until the app has rendered: the network is idle (its data calls answered), then some text is shown.

    Neither wait fails the render: a page that polls forever, or that really is short, is read as it stands
    (an empty result is judged by the caller, from the extracted page).
    """
    from playwright.async_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):
        await page.wait_for_load_state("networkidle", timeout=idle_ms)
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function(_HAS_CONTENT, timeout=content_ms)


async def watch_errors(page: Page, request: Request) -> None:
    """Page init callback: keep the page's uncaught script errors in the request's meta."""
    errors: list[str] = request.meta.setdefault(SCRIPT_ERRORS, [])
    page.on("pageerror", lambda exc: errors.append(str(exc)[:300]) if len(errors) < 20 else None)


def render_meta(settings: BaseSettings) -> dict[str, Any]:
    """Request meta that sends a request through the browser (see ``crawler.render.handler``)."""
    from scrapy_playwright.page import PageMethod

    idle_ms = settings.getfloat("KDIR_RENDER_SETTLE", 5.0) * 1000
    return {
        "playwright": True,
        "playwright_context": "default",
        "playwright_context_kwargs": {"java_script_enabled": True, "service_workers": "block",
                                      "accept_downloads": False, "ignore_https_errors": False},
        "playwright_page_init_callback": watch_errors,
        "playwright_page_methods": [PageMethod(settle, idle_ms, min(idle_ms, 2000.0))],
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "dont_cache": True,  # hash routes share one URL for the HTTP cache
        "dont_retry": True,  # a render that timed out would only time out again
    }
