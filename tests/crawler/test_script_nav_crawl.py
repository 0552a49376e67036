"""End-to-end: sites whose menu is built by script, crawled on loopback through Debian's chromium.

``sagebrush`` (sample web) writes its nav bar and footer with ``/js/site-nav.js``; its menu entries are buttons and
list items with ``onclick`` / ``data-href`` and no ``<a href>``, so its team, fees, FAQ and contact pages are
invisible to a plain crawl. The crawler must notice, render one page for its links, and fetch those pages like any
other (robots.txt too: the footer's staff sign-in button leads to a disallowed path). A plain static site in the
same crawl never touches the browser, and handlers that can be read without a browser are followed without one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.runner import run_spider
from kdir.common.config import Settings
from kdir.sampleweb import SampleWeb, get_truth
from kdir.sampleweb.truth import Truth
from tests.conftest import require
from tests.crawler.conftest import FAST, crawl_settings, observations, run_row
from tests.crawler.trapweb import KETAMINE_BLURB, Reply, TrapSite, clinic_page
from tests.crawler.truthcheck import site_problems

# one worker runs this module, so its module-scoped crawl is built once (not once per worker)
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("script_nav_crawl")]

RENDER_FAST = {**FAST, "KDIR_RENDER_TIMEOUT": 6, "KDIR_RENDER_SETTLE": 2}
#: the pages of sagebrush that only its script-built menu links to
MENU_PAGES = {"/team/", "/pricing/", "/faq/", "/contact/"}

require("chromium")


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with SampleWeb(first_octet=230, port=0) as served:
        yield served


@pytest.fixture(scope="module")
def truth(web: SampleWeb) -> Truth:
    return get_truth(web)


def _crawl(web: SampleWeb, path: Path, *sites: str, **extra: object) -> tuple[Settings, int]:
    settings = crawl_settings(path)
    run_id = run_spider("clinic_site", {"urls": ",".join(web.sites[s] for s in sites)}, settings=settings,
                        timeout=180, extra_settings={**RENDER_FAST, **extra})
    return settings, run_id


@pytest.fixture(scope="module")
def crawled(web: SampleWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, int]:
    return _crawl(web, Path(tmp_path_factory.mktemp("scriptnav")), "sagebrush", "willowcreek")


def test_menu_pages_are_reached_and_read(crawled: tuple[Settings, int], web: SampleWeb, truth: Truth) -> None:
    settings, _run = crawled
    paths = {r.path for r in web.requests_to("sagebrush")}
    assert paths >= MENU_PAGES, paths
    items = observations(settings, "clinic_site")
    problems = [p for name in ("sagebrush", "willowcreek") for p in site_problems(truth.sites[name], items,
                                                                                   people=True)]
    assert not problems, "\n".join(problems)


def test_one_page_is_rendered_and_robots_txt_still_rules(crawled: tuple[Settings, int], web: SampleWeb) -> None:
    settings, run_id = crawled
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/nav_sites"] == 1 and stats["kdir/render/nav_pages"] == 1, stats
    assert stats["kdir/render/pages"] == 1 and "kdir/render/sites" not in stats, stats
    assert stats["kdir/render/nav_links_found"] >= 5, stats  # /, team, fees, FAQ, contact, staff sign-in
    # the rendered menu shows every target but the FAQ's (a route go() resolves when clicked): that entry alone
    # is clicked (not the readable ones, not the dropdown's toggle), and the click finds the FAQ page
    assert stats["kdir/render/nav_click_pages"] == 1 and stats["kdir/render/nav_clicks"] == 1, stats
    assert stats["kdir/render/nav_click_links"] == 1, stats
    records = web.requests_to("sagebrush")
    gets = Counter(r.path for r in records)
    assert gets["/"] == 2 and gets["/js/site-nav.js"] == 1, gets  # the plain fetch, then the render
    assert all(n == 1 for path, n in gets.items() if path in MENU_PAGES), gets  # menu pages: plain, once each
    assert not [r for r in records if r.path.startswith("/staff-portal/")]  # linked by a button; disallowed
    assert all(r.user_agent.startswith("kdir/") for r in records)


def test_a_plain_static_site_is_not_rendered(crawled: tuple[Settings, int], web: SampleWeb) -> None:
    gets = Counter(r.path for r in web.requests_to("willowcreek"))
    assert gets["/"] == 1 and gets["/team/"] == 1, gets
    assert all(n == 1 for n in gets.values()), gets
    assert not [p for p in gets if p.endswith(".svg")]  # a browser would have asked for (and been refused) these


def test_without_a_browser_the_menu_pages_stay_invisible(web: SampleWeb, tmp_path: Path) -> None:
    """The control: the same crawl with rendering off reaches the home page alone (and records why)."""
    before = len(web.requests_to("sagebrush"))
    settings, run_id = _crawl(web, tmp_path, "sagebrush", KDIR_RENDER="off")
    paths = {r.path for r in web.requests_to("sagebrush")[before:]}
    assert not paths & MENU_PAGES, paths
    assert run_row(settings, run_id).stats["kdir/render/nav_unavailable"] == 1


def test_readable_handlers_are_followed_without_a_browser(tmp_path: Path) -> None:
    """A plain site whose fees and team pages sit behind onclick / data-href buttons it can read statically."""
    home = clinic_page("Juniper Ketamine Clinic", "<h1>Juniper Ketamine Clinic</h1>" + KETAMINE_BLURB +
                       """<button onclick="location.href='/fees/'">Our fees</button>"""
                       """<div role="button" data-href="/team/">Meet the team</div>""",
                       ["/", "/about/", "/services/", "/blog/", "/careers/", "/privacy/"])
    site = TrapSite("127.0.0.177", {
        "/": home,
        "/fees/": clinic_page("Fees", "<p>Each IV ketamine infusion is $480.</p>"),
        "/team/": clinic_page("Team", "<p>Dr. Ada Quist, MD, Medical Director</p>"),
    }).start()
    settings = crawl_settings(tmp_path)
    try:
        run_id = run_spider("clinic_site", {"urls": site.url}, settings=settings, timeout=120,
                            extra_settings=RENDER_FAST)
    finally:
        site.stop()
    assert site.counts.get("/fees/") == 1 and site.counts.get("/team/") == 1, site.counts
    assert site.counts.get("/") == 1  # never rendered
    stats = run_row(settings, run_id).stats
    assert "kdir/render/pages" not in stats and "kdir/render/nav_pages" not in stats, stats
    [item] = observations(settings, "clinic_site")
    assert item["price"]["min"] == 480 and [p["name"] for p in item["practitioners"]] == ["Ada Quist"], item


def test_a_failed_menu_render_leaves_the_plain_page(tmp_path: Path) -> None:
    """The menu script writes the header, then never yields: the render is cut off at its deadline, and the page
    is read as it was fetched plainly (its facts kept, the failure recorded)."""
    stuck = ("document.getElementById('site-header').innerHTML = '<nav><button onclick=\"location.href=\\'/team/\\'\">"
             "Team</button></nav>'; setTimeout(() => { for (;;) {} }, 20);")
    home = ('<!DOCTYPE html><html><head><title>Aspen Ketamine</title><script src="/js/nav.js" defer></script></head>'
            '<body><header id="site-header"></header><main><h1>Aspen Ketamine</h1>' + KETAMINE_BLURB +
            "<p>Aspen Ketamine, 12 Main Street, Boise, ID 83702. Call (208) 555-0178 to book.</p></main>"
            '<footer id="site-footer"></footer></body></html>')
    site = TrapSite("127.0.0.178", {
        "/": home,
        "/js/nav.js": Reply(body=stuck.encode(), content_type="application/javascript"),
        "/team/": clinic_page("Team", "<p>Dr. Ada Quist, MD</p>"),
    }).start()
    settings = crawl_settings(tmp_path)
    try:
        run_id = run_spider("clinic_site", {"urls": site.url}, settings=settings, timeout=120,
                            extra_settings={**RENDER_FAST, "KDIR_RENDER_DEADLINE": 6})
    finally:
        site.stop()
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/nav_pages"] == 1 and stats["kdir/render/failures/timeout"] == 1, stats
    assert site.counts.get("/") == 2 and "/team/" not in site.counts, site.counts
    [item] = observations(settings, "clinic_site")
    assert item["phones"] == ["+12085550178"] and item["address"]["postal_code"] == "83702", item
