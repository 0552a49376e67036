"""One real crawl (a Scrapy subprocess) over nine trap sites on loopback; each test checks one trap."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.runner import run_spider, run_status
from kdir.common.config import Settings
from tests.crawler.conftest import FAST, crawl_settings, observations, run_row
from tests.crawler.trapweb import KETAMINE_BLURB, Hit, Reply, TrapSite, clinic_page

# one worker runs this module, so its module-scoped crawl is built once (not once per worker)
pytestmark = pytest.mark.xdist_group("traps")

ADDRESS = "<p>100 Main Street, Suite 5, Austin, TX 78701</p>"


def _flaky() -> Any:
    calls = {"n": 0}

    def route(hit: Hit) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(500, b"<html><body>oops</body></html>")
        return Reply(body=clinic_page("Services", KETAMINE_BLURB + "<p>Esketamine (Spravato) nasal spray.</p>")
                     .encode())
    return route


def _busy() -> Any:
    calls = {"n": 0}

    def route(hit: Hit) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(429, b"slow down", headers=[("Retry-After", "1")])
        return Reply(body=clinic_page("Pricing", "<p>IV ketamine infusion: $450 per session</p>").encode())
    return route


def _calendar(hit: Hit) -> Reply:
    parts = hit.path.split("?")[0].strip("/").split("/")  # services/calendar/YYYY/MM
    year, month = int(parts[2]), int(parts[3])
    nxt = (year + (month == 12), month % 12 + 1)
    prev = (year - (month == 1), (month - 2) % 12 + 1)
    links = [f"/services/calendar/{nxt[0]}/{nxt[1]:02d}/", f"/services/calendar/{prev[0]}/{prev[1]:02d}/",
             f"/services/calendar/{year}/{month:02d}/?view=week&utm_source=cal"]
    return Reply(body=clinic_page(f"Calendar {year}-{month}", "<p>Events</p>", links).encode())


def _sites() -> dict[str, TrapSite]:
    home = "<h1>{name}</h1>" + KETAMINE_BLURB + ADDRESS + "<p>Call (512) 555-01{n}</p>"
    robots = TrapSite("127.0.0.101", {
        "/robots.txt": Reply(body=b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n\nSitemap: /maps/site.xml\n",
                             content_type="text/plain"),
        "/": clinic_page("Robots Ketamine Clinic", home.format(name="Robots Ketamine Clinic", n=11),
                         ["/private/records/", "/team/", "/team/?utm_source=mail&sessionid=abc#top", "/services/"]),
        "/team/": clinic_page("Team", "<p>Dr. Jane Roe, MD, Medical Director</p>", ["/", "/private/"]),
        "/services/": clinic_page("Services", KETAMINE_BLURB),
        "/private/records/": clinic_page("Private", "secret"),
        "/maps/site.xml": Reply(body=b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              b"<url><loc>/providers/hidden/</loc></url></urlset>", content_type="application/xml"),
        "/providers/hidden/": clinic_page("Hidden", "<p>Dr. John Doe, DO</p>"),
    })
    calendar = TrapSite("127.0.0.102", {
        "/": clinic_page("Calendar Ketamine", home.format(name="Calendar Ketamine", n=12),
                         ["/services/calendar/2026/11/"] + [f"/services/calendar/2030/{m:02d}/" for m in range(1, 13)]),
        **{f"/services/calendar/{y}/{m:02d}/": _calendar for y in range(2000, 2100) for m in range(1, 13)},
    })
    flaky = TrapSite("127.0.0.103", {
        "/": clinic_page("Flaky Ketamine", home.format(name="Flaky Ketamine", n=13), ["/services/", "/pricing/"]),
        "/services/": _flaky(),
        "/pricing/": _busy(),
    })
    loop = TrapSite("127.0.0.104", {
        "/": clinic_page("Loop Ketamine", home.format(name="Loop Ketamine", n=14), ["/about/"]),
        "/about/": Reply(302, headers=[("Location", "/about/again/")]),
        "/about/again/": Reply(302, headers=[("Location", "/about/")]),
    })
    big = TrapSite("127.0.0.105", {
        "/": clinic_page("Big Ketamine", home.format(name="Big Ketamine", n=15), ["/pricing/"]),
        "/pricing/": Reply(body=b"<html><body>" + b"x" * (8 * 1024 * 1024) + b"</body></html>"),
    })
    slow = TrapSite("127.0.0.106", {
        "/": clinic_page("Slow Ketamine", home.format(name="Slow Ketamine", n=16), ["/contact/"]),
        "/contact/": Reply(body=b"<html><body>late</body></html>", delay=40),
    })
    cp1252 = TrapSite("127.0.0.107", {
        "/": Reply(body=clinic_page("Cl\u00ednica Pe\u00f1asco Ketamine \u2013 Home",
                                    home.format(name="Cl\u00ednica Pe\u00f1asco Ketamine", n=17)
                                    + "<p>\u201cCaf\u00e9\u201d \u2014 na\u00efve</p>", charset="windows-1252")
                   .encode("cp1252"), content_type="text/html; charset=windows-1252"),
    })
    malformed = TrapSite("127.0.0.108", {
        "/": Reply(body=(b"<html><head><title>Broken Ketamine</title><body><div><table><tr><td><p>"
                         + home.format(name="Broken Ketamine", n=18).encode() + b"<b><i></b></i>\xff\xfe\x00"
                         b"<a href='/services/'>services<a href=\"/team/\">team</div></td></html><!--")),
        "/services/": "<p>" + KETAMINE_BLURB + "<<<>>></p",
        "/team/": Reply(body=b"\x00\x01\x02garbage"),
    })
    return {"robots": robots, "calendar": calendar, "flaky": flaky, "loop": loop, "big": big, "slow": slow,
            "cp1252": cp1252, "malformed": malformed}


@dataclass
class TrapCrawl:
    sites: dict[str, TrapSite]
    settings: Settings
    run_id: int
    seconds: float

    def items_of(self, site: str) -> list[dict[str, Any]]:
        url = self.sites[site].url
        return [o for o in observations(self.settings, "clinic_site") if o["source_url"].startswith(url)]


@pytest.fixture(scope="module")
def trap_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrapCrawl]:
    sites = {name: site.start() for name, site in _sites().items()}
    settings = crawl_settings(Path(tmp_path_factory.mktemp("traps")))
    try:
        started = time.monotonic()
        run_id = run_spider("clinic_site", {"urls": ",".join(s.url for s in sites.values())}, settings=settings,
                            extra_settings={**FAST, "DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1}, timeout=90)
        yield TrapCrawl(sites, settings, run_id, time.monotonic() - started)
    finally:
        for site in sites.values():
            site.stop()


def test_run_recorded(trap_crawl: TrapCrawl) -> None:
    status = run_status(trap_crawl.settings, trap_crawl.run_id)
    assert status["status"] == "ok", status
    assert status["items"] >= 6
    assert status["pages"] >= 15
    assert status["status_codes"].get("200", 0) >= 10
    run = run_row(trap_crawl.settings, trap_crawl.run_id)
    assert run.field_stats["name"]["missing"] == 0
    assert run.stats["close_reason"] == "finished"


def test_robots_disallowed_path_never_fetched(trap_crawl: TrapCrawl) -> None:
    paths = trap_crawl.sites["robots"].paths()
    assert "/robots.txt" in paths and "/team/" in paths
    assert not [p for p in paths if p.startswith("/private")]


def test_robots_crawl_delay_honoured(trap_crawl: TrapCrawl) -> None:
    site = trap_crawl.sites["robots"]
    times = [h.at for h in site.hits if h.path != "/robots.txt"]
    assert len(times) >= 4
    # Times are taken where the server receives each request, so one late arrival (a busy machine) makes its gap
    # longer and the next one shorter by as much: every span of k requests must still take k Crawl-delays,
    # give or take one arrival's jitter (ignoring the delay would make the gaps milliseconds).
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    spans = [(times[j] - times[i], j - i) for i in range(len(times)) for j in range(i + 1, len(times))]
    assert all(span >= k * 1.0 - 0.3 for span, k in spans), gaps


def test_sitemap_and_canonical_urls(trap_crawl: TrapCrawl) -> None:
    paths = trap_crawl.sites["robots"].paths()
    assert "/providers/hidden/" in paths  # only listed in the sitemap named by robots.txt
    assert "/maps/site.xml" in paths and "/sitemap.xml" not in paths
    assert paths.count("/team/") == 1  # tracking/session parameters and fragment removed
    assert all(p.startswith("/") for p in paths)
    assert all(h.user_agent.startswith("kdir/") for h in trap_crawl.sites["robots"].hits)


def test_endless_calendar_capped(trap_crawl: TrapCrawl) -> None:
    cal = [p for p in trap_crawl.sites["calendar"].paths() if "/calendar/" in p]
    assert 1 <= len(cal) <= 5  # KDIR_PATTERN_CAP
    assert trap_crawl.items_of("calendar")


def test_500_then_200_retried(trap_crawl: TrapCrawl) -> None:
    assert trap_crawl.sites["flaky"].paths().count("/services/") == 2
    items = trap_crawl.items_of("flaky")
    assert items and "esketamine_nasal" in items[0]["modalities"]


def test_429_waits_for_retry_after(trap_crawl: TrapCrawl) -> None:
    hits = [h.at for h in trap_crawl.sites["flaky"].hits if h.path == "/pricing/"]
    assert len(hits) == 2 and hits[1] - hits[0] >= 0.95


def test_redirect_loop_stopped(trap_crawl: TrapCrawl) -> None:
    loops = [p for p in trap_crawl.sites["loop"].paths() if p.startswith("/about/")]
    assert 2 <= len(loops) <= 7
    assert trap_crawl.items_of("loop")


def test_oversized_page_dropped(trap_crawl: TrapCrawl) -> None:
    assert "/pricing/" in trap_crawl.sites["big"].paths()
    run = run_row(trap_crawl.settings, trap_crawl.run_id)
    assert run.stats.get("kdir/pages/errors", 0) >= 2  # the 8 MB page and the slow page
    assert trap_crawl.items_of("big")  # the rest of the site still counts


def test_slow_page_times_out(trap_crawl: TrapCrawl) -> None:
    assert "/contact/" in trap_crawl.sites["slow"].paths()
    assert trap_crawl.seconds < 40
    assert trap_crawl.items_of("slow")


def test_windows_1252_decoded(trap_crawl: TrapCrawl) -> None:
    items = trap_crawl.items_of("cp1252")
    assert items
    assert "Cl\u00ednica Pe\u00f1asco Ketamine" in items[0]["name"]


def test_malformed_html_tolerated(trap_crawl: TrapCrawl) -> None:
    items = trap_crawl.items_of("malformed")
    assert items and items[0]["phones"] == ["+15125550118"]
    assert {"/services/", "/team/"} <= set(trap_crawl.sites["malformed"].paths())
