"""End-to-end: real crawls (Scrapy subprocesses) of the bundled sample web, compared with its ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.runner import run_status, spawn_spider
from kdir.common.address import normalize_address
from kdir.common.config import Settings
from kdir.sampleweb import SampleWeb, get_truth
from kdir.sampleweb.truth import Truth
from tests.crawler.conftest import FAST, crawl_settings, observations
from tests.crawler.truthcheck import site_problems

# one worker runs this module, so its module-scoped crawl is built once (not once per worker)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sampleweb_crawl")]


@dataclass
class Crawled:
    web: SampleWeb
    truth: Truth
    settings: Settings
    runs: dict[str, int]


def _verified_states() -> str:
    """States of the practitioners the registry should confirm (a full 51-state sweep is needlessly slow)."""
    return ",".join(sorted({p.state for _lst, p in get_truth().practitioners() if p.verification == "verified"}))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The four spiders crawl the sample web at the same time (separate processes, one database)."""
    with SampleWeb(first_octet=60, port=0) as web:
        settings = crawl_settings(Path(tmp_path_factory.mktemp("sampleweb")), KDIR_NPPES_URL=web.nppes_url,
                                  KDIR_OVERPASS_URL=web.overpass_url)
        fast = {**FAST, "KDIR_MAX_CRAWL_DELAY": 0.2}
        jobs = {
            "clinic_site": {"urls": ",".join(web.sites.values())},
            "directory": {"source": "sample", "base_url": web.directory_url},
            "nppes": {"states": _verified_states()},
            "osm": {},
        }
        procs = {name: spawn_spider(name, args, settings=settings, extra_settings=fast) for name, args in jobs.items()}
        for name, proc in procs.items():
            assert proc.wait(timeout=120) == 0, (name, "\n".join(proc.tail))
        yield Crawled(web, get_truth(web), settings, {name: p.run_id for name, p in procs.items()})


def test_runs_ok(crawled: Crawled) -> None:
    for spider, run_id in crawled.runs.items():
        status = run_status(crawled.settings, run_id)
        assert status["status"] == "ok", (spider, status)
        assert status["items"] > 0, (spider, status)


def test_clinic_sites_match_truth(crawled: Crawled) -> None:
    items = observations(crawled.settings, "clinic_site")
    problems = [p for site in crawled.truth.sites.values() for p in site_problems(site, items)]
    assert not problems, "\n".join(problems)


def test_politeness_on_the_sample_web(crawled: Crawled) -> None:
    web, truth = crawled.web, crawled.truth
    for site in truth.sites.values():
        records = web.requests_to(site.name)
        assert records, site.name
        assert all(r.user_agent.startswith("kdir/") for r in records)
        for path in site.robots_disallow:
            assert not [r for r in records if r.path.startswith(path)], (site.name, path)
        for trap in site.trap_paths:
            assert len([r for r in records if r.path.startswith(trap)]) <= 5, (site.name, trap)
        pages = [r.path.split("?")[0] for r in records if r.path not in ("/robots.txt", "/sitemap.xml")]
        assert len(pages) <= 40  # KDIR_SITE_PAGE_CAP


def test_directory_matches_truth(crawled: Crawled) -> None:
    items = {o["source_url"]: o for o in observations(crawled.settings, "directory:sample")}
    assert len(items) == len(crawled.truth.directory)
    for expected in crawled.truth.directory:
        got = items[expected.url]
        assert got["name"] == expected.name
        assert got["kind"] == expected.kind
        assert got["credentials"] == list(expected.credentials)
        people = [(p["name"], p["credentials"], p["role"]) for p in got["practitioners"]]
        assert people == [(p.name, p.credentials, p.role) for p in expected.practitioners], expected.url
        assert got["phones"] == [expected.phone]
        assert got["address"] == normalize_address(expected.address).as_dict()  # one rule for both sides
        assert sorted(got["modalities"]) == sorted(expected.modalities)  # normalised into vocabulary order
        if expected.rating_value is None:
            assert got["rating"] is None
        else:
            assert got["rating"]["value"] == expected.rating_value
            assert got["rating"]["count"] == expected.rating_count
        assert got["website"] == (expected.website if expected.website else None) or \
            got["website"].rstrip("/") == (expected.website or "").rstrip("/")


def test_directory_follows_clinic_websites(crawled: Crawled) -> None:
    dir_run = crawled.runs["directory"]
    linked = {e.same_as[0] for e in crawled.truth.directory if e.same_as}
    records = {site: crawled.web.requests_to(site) for site in linked}
    assert all(records.values())
    from sqlalchemy import select

    from indexer.db import Database
    from indexer.db.models import CrawlRun

    db = Database.connect(crawled.settings.database_url)
    with db.session() as s:
        child = s.scalars(select(CrawlRun).where(CrawlRun.args["parent_run"].as_string() == str(dir_run))).all()
    db.dispose()
    assert len(child) == 1 and child[0].items_count >= len(linked) and child[0].status == "ok"


def test_nppes_items(crawled: Crawled) -> None:
    items = observations(crawled.settings, "nppes")
    assert items
    from kdir.common.npi import is_valid_npi

    for o in items:
        assert is_valid_npi(o["npi"]) and o["location_key"] == f"npi:{o['npi']}"
        assert o["kind"] in ("clinic", "practitioner")
        assert o["address"] and o["address"]["region"]
        if o["kind"] == "practitioner":  # the registry person is the listing itself, not one of its staff
            assert o["name"] and all(p["npi"] != o["npi"] for p in o["practitioners"])
    verified = [p for _lst, p in crawled.truth.practitioners() if p.verification == "verified" and p.registry_npi]
    found = {o["npi"] for o in items}
    assert verified and {p.registry_npi for p in verified} <= found
    requests = crawled.web.requests_to("nppes")
    assert all("version=2.1" in r.path for r in requests)


def test_osm_items(crawled: Crawled) -> None:
    items = {o["location_key"]: o for o in observations(crawled.settings, "osm")}
    for expected in crawled.truth.osm:
        key = f"osm:{expected.osm_id}"
        assert (key in items) == expected.keep, expected
        if expected.keep:
            assert items[key]["name"] == expected.name
            assert items[key]["geo"] is not None
            assert items[key]["phones"][0].startswith("+1")
