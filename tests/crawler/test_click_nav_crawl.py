"""End-to-end: a menu whose targets no reader can see, found by clicking it in Debian's chromium, on loopback.

Cottonwood (a test-only site) builds every menu address at run time: ``<li onclick="go('team')">`` where ``go``
joins a base and a route table, buttons whose listeners (attached by ``/js/menu.js``) call ``history.pushState``
or ``location.assign``. Neither the plain page nor the rendered one shows where they lead, so the crawler renders
the home page once, clicks its menu with every navigation intercepted, and fetches what the clicks found as
ordinary requests: the team and fees pages are read, the robots-disallowed members area is never fetched (not by
the browser, not by the crawl), the off-site booking page is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.runner import run_spider
from kdir.common.config import Settings
from tests.conftest import require
from tests.crawler.conftest import FAST, crawl_settings, observations, run_row
from tests.crawler.trapweb import KETAMINE_BLURB, Reply, TrapSite, clinic_page

# one worker runs this module, so its module-scoped crawl is built once (not once per worker)
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("click_nav_crawl")]

require("chromium")

RENDER_FAST = {**FAST, "KDIR_RENDER_TIMEOUT": 6, "KDIR_RENDER_SETTLE": 2}
MENU_JS = """(function () {
  var routes = {team: 'about/our-people', fees: 'patients/costs', conditions: 'what-we-treat', privacy: 'legal'};
  var base = location.protocol + '//' + location.host + '/';
  window.go = function (key) { location.href = base + routes[key] + '/'; };
  function on(id, fn) { document.getElementById(id).addEventListener('click', fn); }
  on('contact', function () {  // a little router: the contact view is shown in place
    history.pushState({view: 'contact'}, '', '/reach-us/');
    window.dispatchEvent(new PopStateEvent('popstate'));
  });
  on('resources', function () { location.assign('/members/resources/'); });
  on('book', function () { location.assign('https://booking.example.invalid/cottonwood'); });
})();"""
HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Cottonwood Ketamine Clinic</title>
<script src="/js/menu.js" defer></script></head><body>
<header class="site-header"><div class="logo">Cottonwood Ketamine Clinic</div><ul class="menu">
<li class="menu-item" onclick="go('team')">Our team</li>
<li class="menu-item" onclick="go('fees')">Fees</li>
<li class="menu-item" onclick="go('conditions')">What we treat</li>
<li class="menu-item"><button type="button" id="contact">Contact</button></li>
<li class="menu-item"><button type="button" id="resources">Patient resources</button></li>
<li class="menu-item"><button type="button" id="book">Book online</button></li>
</ul></header>
<main><h1>Cottonwood Ketamine Clinic</h1>""" + KETAMINE_BLURB + """
<p>Cottonwood Ketamine Clinic, 410 S Main St, Suite 2, Moab, UT 84532. Call (435) 555-0142.</p></main>
<footer><span class="footer-link" onclick="go('privacy')">Privacy</span></footer></body></html>"""
#: the pages only a click on the menu leads to
CLICKED_PAGES = {"/about/our-people/", "/patients/costs/", "/what-we-treat/", "/legal/", "/reach-us/"}


def _site(host: str) -> TrapSite:
    return TrapSite(host, {
        "/": HOME,
        "/robots.txt": Reply(body=b"User-agent: *\nDisallow: /members/\n", content_type="text/plain"),
        "/js/menu.js": Reply(body=MENU_JS.encode(), content_type="application/javascript"),
        "/about/our-people/": clinic_page("Our people", "<h1>Our people</h1>"
                                          "<p>Dr. Mara Ellison, MD, Medical Director</p>"),
        "/patients/costs/": clinic_page("Costs", "<h1>Costs</h1><p>Each IV ketamine infusion is $525.</p>"),
        "/what-we-treat/": clinic_page("What we treat", "<p>Treatment-resistant depression, PTSD.</p>"),
        "/legal/": clinic_page("Privacy", "<p>Privacy policy.</p>"),
        "/reach-us/": clinic_page("Contact", "<p>Write to care@cottonwoodketamine.com</p>"),
        "/members/resources/": clinic_page("Members", "<p>Members only.</p>"),
    })


def _crawl(host: str, path: Path, **extra: Any) -> tuple[TrapSite, Settings, int]:
    site = _site(host).start()
    settings = crawl_settings(path)
    try:
        run_id = run_spider("clinic_site", {"urls": site.url}, settings=settings, timeout=150,
                            extra_settings={**RENDER_FAST, **extra})
    finally:
        site.stop()
    return site, settings, run_id


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TrapSite, Settings, int]]:
    yield _crawl("127.0.0.43", Path(tmp_path_factory.mktemp("clicknav")))


def test_clicked_menu_pages_are_reached_and_read(crawled: tuple[TrapSite, Settings, int]) -> None:
    site, settings, run_id = crawled
    assert set(site.counts) >= CLICKED_PAGES, site.counts
    assert all(site.counts[p] == 1 for p in CLICKED_PAGES), site.counts  # fetched once, by the crawl
    [item] = observations(settings, "clinic_site")
    assert item["price"]["min"] == 525 and [p["name"] for p in item["practitioners"]] == ["Mara Ellison"], item
    assert item["phones"] == ["+14355550142"] and item["email"] == "care@cottonwoodketamine.com", item
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/nav_pages"] == 1 and stats["kdir/render/pages"] == 1, stats
    # clicked: the four go(...) entries and the three buttons; found on the site: all but the booking page
    assert stats["kdir/render/nav_clicks"] == 7 and stats["kdir/render/nav_click_links"] == 6, stats
    assert "kdir/render/nav_click_cut_short/budget" not in stats, stats


def test_robots_txt_rules_what_clicks_find(crawled: tuple[TrapSite, Settings, int]) -> None:
    site, settings, run_id = crawled
    assert not [p for p in site.paths() if p.startswith("/members/")], site.counts  # neither browser nor crawl
    stats = run_row(settings, run_id).stats
    assert stats.get("robotstxt/forbidden", 0) >= 1, stats  # the crawl did try it, and robots.txt said no
    # the browser fetched the home page and its script, nothing else: the clicks' navigations were aborted
    assert site.counts["/"] == 2 and site.counts["/js/menu.js"] == 1, site.counts
    assert all(h.user_agent.startswith("kdir/") for h in site.hits)


def test_without_clicks_the_menu_pages_stay_invisible(tmp_path: Path) -> None:
    """The control: the same site with clicking off is rendered, and the render shows no way to those pages."""
    site, settings, run_id = _crawl("127.0.0.44", tmp_path, KDIR_NAV_CLICKS=0)
    assert not set(site.counts) & CLICKED_PAGES, site.counts
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/nav_pages"] == 1 and "kdir/render/nav_clicks" not in stats, stats


def test_a_hanging_click_leaves_the_page_and_what_was_found(tmp_path: Path) -> None:
    """A menu entry whose listener never returns: the clicks stop there, the page is closed, the rendered page's
    facts and the pages found by the earlier clicks are kept."""
    stuck = MENU_JS.replace("location.assign('/members/resources/');", "for (;;) {}")
    site = _site("127.0.0.45")
    site.routes["/js/menu.js"] = Reply(body=stuck.encode(), content_type="application/javascript")
    site.start()
    settings = crawl_settings(tmp_path)
    try:
        run_id = run_spider("clinic_site", {"urls": site.url}, settings=settings, timeout=150,
                            extra_settings=RENDER_FAST)
    finally:
        site.stop()
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/nav_click_cut_short/hung"] == 1, stats
    assert stats["kdir/render/nav_clicks"] == 5 and "kdir/render/failures" not in stats, stats  # stuck at the 5th
    # the entries before the stuck one were followed; the footer's Privacy, after it, was never clicked
    assert set(site.counts) >= CLICKED_PAGES - {"/legal/"} and "/legal/" not in site.counts, site.counts
    [item] = observations(settings, "clinic_site")
    assert item["phones"] == ["+14355550142"] and item["address"]["postal_code"] == "84532", item
    assert item["price"]["min"] == 525, item
