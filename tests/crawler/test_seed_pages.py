"""A seed pointing at a deep page (a directory's link to one location of a chain) is itself crawled."""

from __future__ import annotations

from pathlib import Path

from crawler.runner import run_spider
from kdir.sampleweb import SampleWeb
from tests.crawler.conftest import FAST, crawl_settings, observations


def test_deep_seed_page_is_fetched_and_named_from_its_own_data(tmp_path: Path) -> None:
    with SampleWeb(first_octet=75, port=0) as web:
        settings = crawl_settings(tmp_path / "var")
        site = web.sites["evergreen"]
        run_spider("clinic_site", {"urls": f"{site}/locations/boston/"}, settings=settings,
                   extra_settings={**FAST, "KDIR_MAX_CRAWL_DELAY": 0.2}, timeout=120)
        fetched = {r.path for r in web.requests_to("evergreen")}
    assert "/locations/boston/" in fetched
    names = {o["name"] for o in observations(settings, "clinic_site")}
    assert "Evergreen Ketamine Centers \u2013 Boston" in names, names
