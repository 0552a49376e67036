"""A per-site page budget spent on the most promising links: a price two "Learn more" hops below the services
page is found, while an archive of news links from the home page waits (a real crawl on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.navigation import link_priority, worth_following
from crawler.runner import run_spider, run_status
from tests.crawler.conftest import FAST, crawl_settings, observations
from tests.crawler.trapweb import KETAMINE_BLURB, Reply, TrapSite

NEWS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]


def _page(title: str, body: str, links: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    nav = " ".join(f'<a href="{href}">{text}</a>' for href, text in links)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Deep Ketamine</title></head>'
            f"<body><main>{body}</main><div>{nav}</div></body></html>")


def _site() -> TrapSite:
    home = ("<h1>Deep Ketamine</h1>" + KETAMINE_BLURB + "<p>200 Oak St, Bend, OR 97701. Call (541) 555-0177.</p>")
    return TrapSite("127.0.0.181", {
        "/robots.txt": Reply(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/": _page("Home", home, [("/services/", "Services")] + [(f"/news/{n}/", f"News {n}") for n in NEWS]),
        "/services/": _page("Services", KETAMINE_BLURB, [("/s/k/", "Learn more"), ("/private/x/", "Learn more")]),
        "/s/k/": _page("IV ketamine", "<p>Our IV ketamine infusions take forty minutes.</p>",
                       [("/s/k/plan/", "Learn more")]),
        "/s/k/plan/": _page("Plan", "<p>Each ketamine infusion is $475 per infusion.</p>"),
        "/private/x/": _page("Private", "<p>secret</p>"),
        **{f"/news/{n}/": _page(f"News {n}", "<p>Clinic news.</p>") for n in NEWS},
    })


def test_link_priority_orders_by_promise() -> None:
    learn_more = link_priority("other", "Learn more", "services", 2)
    archive = link_priority("other", "News alpha", "home", 1)
    blog_deep = link_priority("other", "Older posts", "other", 3)
    assert link_priority("pricing", "", "home", 1) < learn_more < archive < blog_deep


def test_unpromising_chains_are_not_followed() -> None:
    assert worth_following("other", "promising", 5) and worth_following("pricing", "other", 5)
    assert worth_following("other", "other", 1) and not worth_following("other", "other", 2)


@pytest.mark.timeout(180)
def test_deep_learn_more_pages_fit_the_budget(tmp_path: Path) -> None:
    site = _site().start()
    settings = crawl_settings(tmp_path)
    try:
        run_id = run_spider("clinic_site", {"urls": site.url}, settings=settings,
                            extra_settings={**FAST, "KDIR_SITE_PAGE_CAP": 6}, timeout=120)
        assert run_status(settings, run_id)["status"] == "ok"
    finally:
        site.stop()
    paths = [p.split("?")[0] for p in site.paths()]
    assert "/s/k/plan/" in paths and "/s/k/" in paths, " ".join(paths)  # two hops of "Learn more" below the services page
    assert "/private/x/" not in paths  # robots.txt still rules
    assert sum(p.startswith("/news/") for p in paths) <= 2  # the budget went to promising links first
    [item] = observations(settings, "clinic_site")
    assert item["price"]["min"] == 475.0
