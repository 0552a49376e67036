"""End-to-end: real crawls of the sample web's single-page-app clinics through Debian's chromium.

A plain fetch of ``aurora`` (hash-routed) or ``tidewater`` (history-routed) returns an empty app shell; the
crawler must notice, render the sites in the browser, follow their client-side routes and read them as well as a
static site -- while its browser obeys robots.txt and loads no images. Broken apps (a script error, a bundle
that never arrives) are recorded in the run's figures, never crash the crawl, and never cost us what we had.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.runner import run_spider, run_status
from kdir.cli.runs import format_run
from kdir.common.config import Settings
from kdir.sampleweb import SampleWeb, get_truth
from kdir.sampleweb.sites import CLINIC_SITES
from kdir.sampleweb.truth import Truth
from tests.conftest import require
from tests.crawler.conftest import FAST, crawl_settings, observations, run_row
from tests.crawler.trapweb import KETAMINE_BLURB, Reply, TrapSite, clinic_page
from tests.crawler.truthcheck import site_problems

# one worker runs this module, so its module-scoped crawl is built once (not once per worker)
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("render_crawl")]

SPA = ("aurora", "tidewater")
#: a bare app page: everything comes from /app.js
APP_SHELL = '<html><head><script defer src="/app.js"></script></head><body><div id="root"></div></body></html>'
#: short render time-outs: a trap test waits seconds, not the production 20 s
RENDER_FAST = {**FAST, "KDIR_RENDER_TIMEOUT": 4, "KDIR_RENDER_SETTLE": 2}

require("chromium")  # the crawler renders with it (found on PATH, like /usr/bin/chromium)


def _crawl_trap_sites(tmp_path: Path, seeds: list[TrapSite], *others: TrapSite,
                      **extra: object) -> tuple[Settings, int]:
    """Crawl small loopback sites from ``seeds`` (``others`` are served too, never seeded), then stop them all."""
    settings = crawl_settings(tmp_path)
    try:
        run_id = run_spider("clinic_site", {"urls": ",".join(site.url for site in seeds)}, settings=settings,
                            timeout=120, extra_settings={**RENDER_FAST, **extra})
    finally:
        for site in (*seeds, *others):
            site.stop()
    return settings, run_id


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with SampleWeb(first_octet=150, port=0) as served:
        yield served


@pytest.fixture(scope="module")
def truth(web: SampleWeb) -> Truth:
    return get_truth(web)


def _crawl(web: SampleWeb, settings: Settings, sites: tuple[str, ...], **extra: object) -> int:
    urls = ",".join(web.sites[name] for name in sites)
    return run_spider("clinic_site", {"urls": urls}, settings=settings, timeout=180,
                      extra_settings={**RENDER_FAST, **extra})


@pytest.fixture(scope="module")
def rendered(web: SampleWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, int]:
    settings = crawl_settings(Path(tmp_path_factory.mktemp("render")))
    return settings, _crawl(web, settings, (*SPA, "stillwater"))


def test_truth_marks_the_apps(truth: Truth) -> None:
    assert {name for name, site in truth.sites.items() if site.needs_browser} == set(SPA)


def test_apps_are_read_field_by_field(rendered: tuple[Settings, int], truth: Truth) -> None:
    settings, _run = rendered
    items = observations(settings, "clinic_site")
    problems = [p for name in (*SPA, "stillwater") for p in site_problems(truth.sites[name], items, people=True)]
    assert not problems, "\n".join(problems)


def test_run_figures_report_the_rendering(rendered: tuple[Settings, int], web: SampleWeb) -> None:
    settings, run_id = rendered
    assert run_status(settings, run_id)["status"] == "ok"
    run = run_row(settings, run_id)
    figures = run.rendering
    assert figures is not None, run.stats
    # every view of both apps, each rendered once; the static site never goes through the browser
    views = sum(len(spec.routes) for spec in CLINIC_SITES if spec.name in SPA)
    assert figures["pages"] >= views, run.stats
    assert figures["failures"] == 0 and figures["seconds"] > 0
    assert f"rendered {figures['pages']} ({figures['seconds']}s, 0 failed)" in format_run(run, "clinic_site")
    assert run.stats["kdir/render/sites"] == 2
    assert run.stats.get("kdir/render/blocked/robots", 0) >= 1  # tidewater's analytics beacon
    assert run.stats.get("kdir/render/blocked/image", 0) >= 1  # its hero image
    stillwater = web.requests_to("stillwater")
    assert stillwater and not [r for r in stillwater if r.path.startswith("/assets/")]


def test_the_browser_obeys_the_crawler_rules(rendered: tuple[Settings, int], web: SampleWeb) -> None:
    for name in SPA:
        records = web.requests_to(name)
        assert records and all(r.user_agent.startswith("kdir/") for r in records), name
        assert not [r for r in records if r.path.startswith("/analytics/")], name  # robots.txt: Disallow
        assert not [r for r in records if r.path.endswith((".jpg", ".png", ".css", ".woff2"))], name
        assert [r for r in records if r.path.startswith("/assets/") and r.path.endswith(".js")], name
    routes = {r.path for r in web.requests_to("tidewater")}
    assert "/fees" in routes  # reachable only through a <button data-href="/fees"> router link


def test_without_a_browser_an_app_is_reported_unread(web: SampleWeb, tmp_path: Path) -> None:
    settings = crawl_settings(tmp_path)
    run_id = _crawl(web, settings, ("aurora",), KDIR_RENDER="off")
    assert not observations(settings, "clinic_site")
    run = run_row(settings, run_id)
    assert run.rendering == {"pages": 0, "seconds": 0.0, "failures": 0, "unavailable": 1,
                             "off_reason": "switched off (KDIR_RENDER=off)"}


def test_broken_apps_are_recorded_and_lose_nothing(web: SampleWeb, tmp_path: Path) -> None:
    settings = crawl_settings(tmp_path)
    first = _crawl(web, settings, SPA)
    assert run_status(settings, first)["items"] == 2
    before = {o["source_url"]: o for o in observations(settings, "clinic_site")}
    web.set_mode("aurora", "script_error")
    web.set_mode("tidewater", "slow_script", slow_seconds=8)  # beyond KDIR_RENDER_TIMEOUT
    try:
        second = _crawl(web, settings, SPA)
    finally:
        web.set_mode("aurora", "normal")
        web.set_mode("tidewater", "normal")
    status = run_status(settings, second)
    assert status["status"] == "suspect", status  # the drift guard: 0 items where the last good run had 2
    run = run_row(settings, second)
    stats = run.stats
    assert stats.get("kdir/render/failures/script_error", 0) >= 1, stats
    assert stats.get("kdir/render/failures/timeout", 0) >= 1, stats
    assert stats.get("kdir/render/script_errors", 0) >= 1, stats
    assert run.rendering is not None and run.rendering["failures"] >= 2
    after = {o["source_url"]: o for o in observations(settings, "clinic_site")}
    assert after == before  # both listings are kept as they were


def test_a_browser_that_will_not_start_costs_only_the_apps(web: SampleWeb, tmp_path: Path) -> None:
    settings = crawl_settings(tmp_path)
    run_id = _crawl(web, settings, ("aurora", "stillwater"), KDIR_BROWSER_PATH="/bin/false")
    assert run_status(settings, run_id)["status"] == "ok"
    items = observations(settings, "clinic_site")
    assert [o["name"] for o in items] == ["Stillwater Ketamine Clinic"]
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/failures/error"] >= 1 and stats["kdir/render/sites_unread"] == 1, stats


def test_an_app_page_inside_a_static_site_is_rendered_alone(tmp_path: Path) -> None:
    """A static clinic site whose booking page is a small app: only that page goes through the browser."""
    shell = ('<!DOCTYPE html><html><head><title>Book</title><script src="/book.js"></script></head>'
             '<body><div id="root"></div></body></html>')
    script = ("document.addEventListener('DOMContentLoaded', () => { document.getElementById('root').innerHTML ="
              " '<h1>Book a visit</h1><p>Lantern Ketamine Clinic, 200 Main Street, Suite 9, Austin, TX 78701."
              " Call (512) 555-0177 to book your ketamine infusion.</p>'; });")
    site = TrapSite("127.0.0.171", {
        "/": clinic_page("Lantern Ketamine Clinic", "<h1>Lantern Ketamine Clinic</h1>" + KETAMINE_BLURB,
                         ["/about/", "/book/"]),
        "/about/": clinic_page("About", "<p>Founded in 2019 by a team of anesthesiologists.</p>" + KETAMINE_BLURB),
        "/book/": shell,
        "/book.js": Reply(body=script.encode(), content_type="application/javascript"),
    }).start()
    settings, run_id = _crawl_trap_sites(tmp_path, [site])
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/pages"] == 1 and "kdir/render/sites" not in stats, stats
    [item] = observations(settings, "clinic_site")
    assert item["phones"] == ["+15125550177"] and item["address"]["postal_code"] == "78701", item
    assert site.counts.get("/book.js") == 1 and site.counts.get("/about/") == 1  # about: one plain fetch


def test_a_script_that_never_yields_is_cut_off(tmp_path: Path) -> None:
    """The app renders, then loops forever: reading its DOM would wait for good. The render's deadline closes
    the page, the failure is recorded, and the rest of the crawl goes on."""
    loop = ("document.getElementById('root').innerHTML = '<h1>Spin Ketamine</h1><p>IV ketamine. Call (512) "
            "555-0176.</p>'; setTimeout(() => { for (;;) {} }, 20);")
    site = TrapSite("127.0.0.172", {
        "/": APP_SHELL,
        "/app.js": Reply(body=loop.encode(), content_type="application/javascript"),
    }).start()
    web_site = TrapSite("127.0.0.173", {"/": clinic_page("Calm Ketamine", KETAMINE_BLURB + "<p>Call (512) 555-0175."
                                                         " 300 Main Street, Austin, TX 78701</p>")}).start()
    started = time.monotonic()
    settings, run_id = _crawl_trap_sites(tmp_path, [site, web_site], KDIR_RENDER_DEADLINE=6)
    took = time.monotonic() - started
    stats = run_row(settings, run_id).stats
    assert stats["kdir/render/deadline_closed"] == 1 and stats["kdir/render/failures/timeout"] == 1, stats
    assert [o["phones"] for o in observations(settings, "clinic_site")] == [["+15125550175"]]
    assert took < 60


def test_a_script_cannot_lead_the_browser_past_robots_txt(tmp_path: Path) -> None:
    """An app that opens a pop-up and a web socket, then sends the page to another host's robots-disallowed
    path: none of these requests leaves the browser."""
    other = TrapSite("127.0.0.175", {"/robots.txt": Reply(body=b"User-agent: *\nDisallow: /secret/\n",
                                                          content_type="text/plain"),
                                     "/secret/": "<html><body>secret</body></html>",
                                     "/popup/": "<html><body>popup</body></html>"}).start()
    escape = ("document.getElementById('root').innerHTML = '<h1>Drift Ketamine</h1>';"
              f"window.open('{other.url}/popup/');"
              f"new WebSocket('{other.url.replace('http', 'ws')}/ws/');"
              f"setTimeout(() => {{ location.href = '{other.url}/secret/'; }}, 10);")
    site = TrapSite("127.0.0.174", {
        "/": APP_SHELL,
        "/app.js": Reply(body=escape.encode(), content_type="application/javascript"),
    }).start()
    settings, run_id = _crawl_trap_sites(tmp_path, [site], other)
    assert site.counts.get("/app.js") == 1
    assert not {"/secret/", "/popup/", "/ws/"} & set(other.counts), other.counts
    assert run_row(settings, run_id).stats.get("kdir/render/blocked/robots", 0) >= 1


def test_an_app_calling_its_api_in_a_loop_is_capped(tmp_path: Path) -> None:
    flood = ("document.getElementById('root').innerHTML = '<h1>Flood Ketamine</h1>';"
             "for (let i = 0; i < 300; i++) { fetch('/api/ping?i=' + i).catch(() => {}); }")
    site = TrapSite("127.0.0.176", {
        "/": APP_SHELL,
        "/app.js": Reply(body=flood.encode(), content_type="application/javascript"),
        "/api/ping": Reply(body=b"{}", content_type="application/json"),
    }).start()
    settings, run_id = _crawl_trap_sites(tmp_path, [site], KDIR_RENDER_MAX_REQUESTS=20)
    assert 0 < site.counts.get("/api/ping", 0) <= 18, site.counts  # 20 minus the page and its script
    assert run_row(settings, run_id).stats["kdir/render/blocked/over_cap"] >= 280
