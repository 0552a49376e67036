"""Distributed mode: two crawler processes share one Redis frontier and duplicate filter, and one run."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.runner import prepare_run, run_status, spawn_spider
from tests.crawler.conftest import FAST, crawl_settings, observations
from tests.crawler.trapweb import TrapSite, clinic_farm

pytestmark = pytest.mark.redis
SITES = 10


@pytest.fixture
def farm() -> Iterator[list[TrapSite]]:
    sites = [s.start() for s in clinic_farm(SITES, 170, pages=4, delay=0.15)]
    yield sites
    for s in sites:
        s.stop()


def test_two_processes_split_one_crawl(farm: list[TrapSite], tmp_path: Path, redis_url: str) -> None:
    import redis

    settings = crawl_settings(tmp_path / "var", KDIR_REDIS_URL=redis_url)
    args = {"urls": ",".join(s.url for s in farm)}
    crawl_id = f"test-{uuid.uuid4().hex[:10]}"
    run_id = prepare_run("clinic_site", args, settings=settings)
    extra = {**FAST, "KDIR_CRAWL_ID": crawl_id, "CONCURRENT_REQUESTS": 4, "KDIR_MAX_ACTIVE_SITES": 2}
    procs = [spawn_spider("clinic_site", args, settings=settings, extra_settings=extra, run_id=run_id)
             for _ in range(2)]
    try:
        codes = [p.wait(timeout=90) for p in procs]
    finally:
        r = redis.Redis.from_url(redis_url)
        keys = list(r.scan_iter(f"kdir:crawl:{crawl_id}:*"))
        if keys:
            r.delete(*keys)
    assert codes == [0, 0], ["\n".join(p.tail) for p in procs]
    for p in procs:  # both used the shared frontier
        assert "'scheduler/dequeued/redis'" in p.log_path.read_text()
    for site in farm:  # no page fetched twice (robots.txt is fetched once per process and host)
        pages = [p for p in site.paths() if p != "/robots.txt"]
        assert len(pages) == len(set(pages)), (site.url, pages)
        assert "/" in pages
    items = observations(settings, "clinic_site")
    status = run_status(settings, run_id)
    assert len(items) == SITES and status["items"] == SITES and status["new"] == SITES  # every item stored once
    assert status["status"] == "ok"
    crawled = [re.search(r"'kdir/sites/crawled': (\d+)", p.log_path.read_text()) for p in procs]
    counts = [int(m.group(1)) if m else 0 for m in crawled]
    assert sum(counts) == SITES and all(counts), counts  # both processes did part of the work


def test_killed_process_sites_are_taken_over(farm: list[TrapSite], tmp_path: Path, redis_url: str) -> None:
    """SIGKILL one process midway; a process started later on the same crawl finishes its sites."""
    import os
    import signal
    import time

    import redis

    settings = crawl_settings(tmp_path / "var", KDIR_REDIS_URL=redis_url)
    args = {"urls": ",".join(s.url for s in farm)}
    crawl_id = f"test-{uuid.uuid4().hex[:10]}"
    run_id = prepare_run("clinic_site", args, settings=settings)
    extra = {**FAST, "KDIR_CRAWL_ID": crawl_id, "CONCURRENT_REQUESTS": 4, "KDIR_MAX_ACTIVE_SITES": 2,
             "KDIR_CLAIM_TTL": 1.5}
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    done_key = f"kdir:crawl:{crawl_id}:sites:done"
    try:
        first = spawn_spider("clinic_site", args, settings=settings, extra_settings=extra, run_id=run_id)
        deadline = time.monotonic() + 60
        while r.scard(done_key) < 3 and time.monotonic() < deadline:
            assert first.process.poll() is None, "\n".join(first.tail)
            time.sleep(0.05)
        os.killpg(first.process.pid, signal.SIGKILL)
        first.wait(timeout=30)
        finished_first = set(r.smembers(done_key))
        assert 3 <= len(finished_first) < SITES
        assert r.hlen(f"kdir:crawl:{crawl_id}:sites:claims") > len(finished_first)  # half-done sites
        time.sleep(1.6)  # the dead process's heartbeat expires
        second = spawn_spider("clinic_site", args, settings=settings, extra_settings=extra, run_id=run_id)
        assert second.wait(timeout=90) == 0, "\n".join(second.tail)
    finally:
        keys = list(r.scan_iter(f"kdir:crawl:{crawl_id}:*"))
        if keys:
            r.delete(*keys)
    status = run_status(settings, run_id)
    assert status["status"] == "ok" and status["items"] == SITES and status["new"] == SITES
    assert len(observations(settings, "clinic_site")) == SITES
    for site in farm:
        homes = site.paths().count("/")
        if site.url.split("//")[1] in finished_first:
            assert homes == 1  # a finished site is never fetched again
        else:
            assert 1 <= homes <= 2
