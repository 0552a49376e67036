"""Kill a crawl midway (SIGTERM or SIGKILL) and resume it with the same JOBDIR: nothing lost, nothing twice."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.runner import run_spider, run_status, spawn_spider
from crawler.spiders._ledger import DONE_FILE
from tests.crawler.conftest import FAST, crawl_settings, observations
from tests.crawler.trapweb import TrapSite, clinic_farm

SITES = 24  # enough that a graceful SIGTERM cannot finish every site under load


@pytest.fixture
def farm() -> Iterator[list[TrapSite]]:
    sites = [s.start() for s in clinic_farm(SITES, 150, pages=4, delay=0.06)]
    yield sites
    for s in sites:
        s.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_kill_and_resume(farm: list[TrapSite], tmp_path: Path, sig: signal.Signals) -> None:
    settings = crawl_settings(tmp_path / "var")
    jobdir = tmp_path / "job"
    args = {"urls": ",".join(s.url for s in farm)}
    extra = {**FAST, "CONCURRENT_REQUESTS": 4}  # slow enough to be caught midway
    crawl = spawn_spider("clinic_site", args, settings=settings, jobdir=str(jobdir), extra_settings=extra)
    done = jobdir / DONE_FILE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if done.exists() and len(done.read_text().split()) >= 3:
            break
        assert crawl.process.poll() is None, "\n".join(crawl.tail)
        time.sleep(0.05)
    if sig == signal.SIGKILL:
        os.killpg(crawl.process.pid, sig)
    else:
        crawl.process.send_signal(sig)
    crawl.wait(timeout=60)
    finished_first = set(done.read_text().split())
    assert 3 <= len(finished_first) < SITES, "the crawl was not interrupted midway"
    first = run_status(settings, crawl.run_id)
    assert first["status"] in ("running", "failed")
    stored_first = len(observations(settings, "clinic_site"))
    assert stored_first >= 3

    run_id = run_spider("clinic_site", args, settings=settings, jobdir=str(jobdir), extra_settings=FAST, timeout=90)
    assert run_id == crawl.run_id  # the same run continues
    status = run_status(settings, run_id)
    assert status["status"] == "ok", status
    items = observations(settings, "clinic_site")
    assert len(items) == SITES  # nothing lost
    assert status["items"] == SITES and status["new"] == SITES  # nothing stored twice
    assert len({o["location_key"] for o in items}) == SITES
    for site in farm:
        key = site.url.split("//")[1]
        homes = site.paths().count("/")
        if key in finished_first:
            assert homes == 1, (key, site.paths())  # a finished site is never fetched again
        else:
            assert 1 <= homes <= 2


def test_database_refusing_items_loses_nothing(tmp_path: Path) -> None:
    """Storing fails (a real SQLite trigger aborts inserts): items are kept on disk, the run fails, the sites
    stay unfinished; once the database accepts writes again, resuming the JOBDIR stores them."""
    import json

    from sqlalchemy import create_engine, text

    from crawler.runner import CrawlFailed, prepare_run

    sites = [s.start() for s in clinic_farm(2, 144)]
    try:
        settings = crawl_settings(tmp_path / "var")
        jobdir = tmp_path / "job"
        args = {"urls": ",".join(s.url for s in sites)}
        run_id = prepare_run("clinic_site", args, settings=settings, jobdir=str(jobdir))  # creates the schema
        engine = create_engine(settings.database_url)
        with engine.begin() as c:
            c.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON observations "
                           "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"))
        with pytest.raises(CrawlFailed, match="2 items could not be stored"):
            run_spider("clinic_site", args, settings=settings, jobdir=str(jobdir), extra_settings=FAST, timeout=60)
        kept = (settings.var_dir / "failed_items" / f"run-{run_id}.jsonl").read_text().splitlines()
        assert sorted(json.loads(line)["name"] for line in kept) == ["Farm Clinic 144", "Farm Clinic 145"]
        assert not (jobdir / DONE_FILE).exists() or not (jobdir / DONE_FILE).read_text().strip()
        with engine.begin() as c:
            c.execute(text("DROP TRIGGER refuse"))
        engine.dispose()
        assert run_spider("clinic_site", args, settings=settings, jobdir=str(jobdir), extra_settings=FAST,
                          timeout=60) == run_id
        assert run_status(settings, run_id)["status"] == "ok"
        assert sorted(o["name"] for o in observations(settings, "clinic_site")) == ["Farm Clinic 144",
                                                                                    "Farm Clinic 145"]
    finally:
        for s in sites:
            s.stop()
