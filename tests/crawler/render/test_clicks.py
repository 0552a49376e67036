"""Clicking a rendered menu in Debian's chromium (``crawler.render.clicks.discover``), on a loopback page.

The menu's targets cannot be read from the page, not even rendered: ``go('team')`` builds the address at run
time, buttons get their listeners from a script and call ``location.assign``, ``history.pushState`` or
``window.open``, one navigates from a timer, one posts to an API. Every address must be found, and the browser
must fetch none of them (the site's access log shows only the page and its script).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from crawler.render.clicks import ClickReport, discover, watch_listeners
from crawler.render.config import find_browser
from tests.conftest import require
from tests.crawler.trapweb import Reply, TrapSite

pytestmark = [pytest.mark.browser]

require("chromium")

MENU_JS = """
var routes = {team: 'about/our-people', fees: 'patients/costs'};
function go(key) { location.href = location.origin + '/' + routes[key] + '/'; }
function on(id, fn) { document.getElementById(id).addEventListener('click', fn); }
on('contact', function () { history.pushState({}, '', '/reach-us/'); });
on('portal', function () { location.assign('/members/'); });
on('shop', function () { window.open('/store/', '_blank'); });
on('later', function () { setTimeout(function () { location.href = '/later/'; }, 50); });
on('signin', function () { location.href = '/login/'; });
on('ping', function () { fetch('/api/ping?subscribe=1'); });
document.querySelector('.pointer').onclick = function () { location.replace('/gallery/'); };
"""

HOME = """<!DOCTYPE html><html><head><title>Menu</title><style>.pointer{cursor:pointer}</style></head><body>
<header><ul class="menu">
  <li onclick="go('team')">Our team</li>
  <li onclick="go('fees')">Fees</li>
  <li><button type="button" id="contact">Contact</button></li>
  <li><button type="button" id="portal">Patient portal</button></li>
  <li><span id="shop" role="menuitem">Shop</span></li>
  <li><button type="button" id="later">Later</button></li>
  <li><button type="button" id="signin">Sign in</button></li>
  <li><button type="button" id="ping">Updates</button></li>
  <li><div class="pointer">Gallery</div></li>
  <li onclick="go('fees')"><span class="pointer"></span>Prices</li>
  <li><button type="button" aria-expanded="false">More</button></li>
  <li><button type="button" onclick="location.href='/faq/'">FAQ</button></li>
  <li><a href="/blog/">Blog</a></li>
</ul></header>
<main><h1>Welcome</h1><button id="outside" onclick="location.href='/outside/'">Not in the menu</button></main>
<footer><span onclick="go('team')">Our team</span></footer>
<script src="/menu.js"></script></body></html>"""

HANG_JS = """
function go(key) { location.href = '/' + key + '/'; }
document.getElementById('hang').addEventListener('click', function () { for (;;) {} });
"""
HANG = """<!DOCTYPE html><html><head><title>Stuck</title></head><body><nav>
<span onclick="go('team')">Team</span><span onclick="go('fees')">Fees</span><button id="hang">Gallery</button>
<span onclick="go('never')">Never clicked</span></nav><script src="/hang.js"></script></body></html>"""


def _run(site: TrapSite, path: str, init: str | None = None, **kw: Any) -> ClickReport:
    async def go() -> ClickReport:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=find_browser(), args=["--no-sandbox"])
            try:
                page = await browser.new_page()
                await watch_listeners(page)
                if init:
                    await page.add_init_script(init)
                await page.goto(site.url + path)
                return await discover(page, **kw)
            finally:
                await browser.close()

    # a loop of its own, in a thread of its own: a browser test earlier in this worker may have started
    # Playwright's sync API, whose event loop runs in the main thread
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


@pytest.mark.parametrize("navigation_api", [True, False], ids=["navigate-event", "route-only"])
def test_clicks_find_targets_no_page_shows_and_fetch_none(navigation_api: bool) -> None:
    """With the Navigation API, navigations are cancelled as they start; without it (an older Chromium), the
    page's navigation requests are recorded and aborted by the route."""
    site = TrapSite("127.0.0.41", {"/": HOME, "/menu.js": Reply(body=MENU_JS.encode(),
                                                                  content_type="application/javascript")}).start()
    hide = None if navigation_api else "Object.defineProperty(window, 'navigation', {value: undefined});"
    try:
        report = _run(site, "/", init=hide)
    finally:
        site.stop()
    found = {url.removeprefix(site.url): text for url, text in report.found if text != "Prices"}
    # an entry holding an unlabelled pointer icon is clicked itself (the icon does not hide it)
    assert [url for url, text in report.found if text == "Prices"] == [site.url + "/patients/costs/"], report
    assert found == {"/about/our-people/": "Our team", "/patients/costs/": "Fees", "/reach-us/": "Contact",
                     "/members/": "Patient portal", "/store/": "Shop", "/later/": "Later",
                     "/gallery/": "Gallery"}, report
    # not clicked: sign-in (risky), the "More" toggle, the readable FAQ handler, the link, the footer's second
    # "Our team", the button outside the navigation
    assert report.clicked == 9 and report.cut_short is None, report
    # the browser asked for the page and its script (and, outside a crawl's request filter, its icon), nothing else:
    # not the pages, not the API call the "Updates" button makes
    assert set(site.counts) - {"/favicon.ico"} == {"/", "/menu.js"} and site.counts["/"] == 1, site.counts


def _click_hanging_menu(budget: float) -> tuple[TrapSite, ClickReport]:
    """Click the menu whose third entry's listener never returns, within ``budget`` seconds."""
    site = TrapSite("127.0.0.42", {"/": HANG, "/hang.js": Reply(body=HANG_JS.encode(),
                                                                  content_type="application/javascript")}).start()
    try:
        return site, _run(site, "/", budget=budget)
    finally:
        site.stop()


def test_a_hanging_click_ends_the_clicks_and_keeps_what_was_found() -> None:
    site, report = _click_hanging_menu(10.0)
    assert [url.removeprefix(site.url) for url, _ in report.found] == ["/team/", "/fees/"], report
    assert report.cut_short == "hung" and report.clicked == 3 and report.seconds < 5, report


def test_the_budget_bounds_the_clicks() -> None:
    _site, report = _click_hanging_menu(1.0)
    assert report.cut_short == "budget" and report.seconds < 1.5, report
