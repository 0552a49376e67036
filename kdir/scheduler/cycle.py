"""One cycle of one source: crawl -> index -> publish, under a cross-process lease, retried per policy.

A failed crawl is always recorded as a failed ``CrawlRun`` with its error (the crawler records its own runs;
when it failed before it could, the cycle records one), so ``/ops`` and ``kdir runs`` show it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from crawler.runner import CrawlInterrupted, run_spider
from indexer.db import Database
from indexer.db.models import CrawlRun, Source
from indexer.locks import LockHeld, lease, lease_store
from indexer.pipeline import run_index
from indexer.publish import publish_outbox
from indexer.search import open_backend
from indexer.storage import ObservationStore
from indexer.summaries import plural, report_sentence
from kdir.common.config import Settings
from kdir.common.schedule import SourceJob

log = logging.getLogger("kdir.scheduler")
LOCK_TTL_S = 300.0  # renewed every TTL/3 while a cycle runs; a crashed holder frees the source after this
STEPS = ("crawl", "index", "publish")
INDEX_WAIT_S = 900.0  # another source's index run (or an operator's) is waited for, then the step is retried


@dataclass
class CycleResult:
    job: str
    status: str  # ok | failed | skipped
    run_id: int | None = None
    attempts: int = 0  # step attempts in all (3 when crawl, index and publish each succeed at once)
    retries: int = 0
    error: str | None = None
    published: int = 0
    duration_s: float = 0.0
    failed_step: str | None = None
    indexed: str | None = None  # the index step's report in words (indexer.summaries)

    def summary(self) -> str:
        """The cycle in words: "nightly-sites: finished in 12.3s (crawl run 5); 3 new listings, 1 merged into
        existing ones; 2 credentials verified; 4 search updates published"."""
        verdict = {"ok": "finished", "failed": "failed", "skipped": "skipped"}.get(self.status, self.status)
        head = f"{self.job}: {verdict} in {self.duration_s:.1f}s"
        if self.run_id is not None:
            head += f" (crawl run {self.run_id})"
        if self.retries:
            head += f" after {plural(self.retries, 'retry', 'retries')}"
        parts = [head]
        if self.indexed:
            parts.append(self.indexed)
        if self.status == "ok":
            parts.append(f"{plural(self.published, 'search update')} published")
        if self.error:
            parts.append(f"{self.failed_step + ' step: ' if self.failed_step else ''}{self.error}")
        return "; ".join(parts)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:1000] if text else type(exc).__name__


def crawl(settings: Settings, job: SourceJob, trigger: str) -> int:
    return int(run_spider(job.spider, dict(job.args), settings=settings, trigger=trigger,
                          extra_settings=dict(job.crawl_settings) or None))


def index(db: Any, settings: Settings) -> Any:
    return run_index(db, settings, wait_s=INDEX_WAIT_S)


def publish(db: Any, settings: Settings) -> int:
    backend = open_backend(settings)
    try:
        return int(publish_outbox(db, backend) or 0)
    finally:
        backend.close()


def _max_run_id(db: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.max(CrawlRun.id))) or 0)


def record_failed_crawl(db: Any, settings: Settings, job: SourceJob, after_id: int, error: str,
                        trigger: str) -> int:
    """Make sure the failure is a failed CrawlRun: finish a run the crawler left 'running', or create one."""
    store = ObservationStore(db.factory)
    with db.session() as s:
        run = s.scalar(select(CrawlRun).where(CrawlRun.id > after_id, CrawlRun.spider == job.spider)
                       .order_by(CrawlRun.id.desc()).limit(1))
        if run is not None and run.status == "failed":
            return run.id
        run_id = run.id if run is not None and run.status == "running" else None
    if run_id is None:
        src_kind = "registry" if job.spider == "nppes" else job.spider if job.spider in (
            "clinic_site", "directory", "osm") else "clinic_site"
        with db.session() as s:
            known = s.scalar(select(Source.kind).where(Source.key == job.name))
        run_id = store.start_run(job.name, job.spider, kind=known or src_kind, trigger=trigger, args=dict(job.args))
    store.finish_run(run_id, error=error, drift_threshold=settings.drift_threshold)
    return run_id


def run_cycle(settings: Settings, job: SourceJob, *, db: Any = None, trigger: str = "schedule",
              stop: threading.Event | None = None, on_step: Callable[[str], None] | None = None,
              lock_ttl_s: float = LOCK_TTL_S) -> CycleResult:
    """Run one cycle of ``job`` now, unless another process is running this source (then "skipped")."""
    if db is None:
        db = Database.connect(settings.database_url, migrate=False)
    store = lease_store(db.factory, settings.redis_url)
    started = time.monotonic()
    try:
        with lease(store, job.lock_name, ttl_s=lock_ttl_s):
            result = _steps(settings, job, db, trigger, stop or threading.Event(), on_step)
    except LockHeld:
        result = CycleResult(job.name, "skipped", error="another run of this source is in progress")
    result.duration_s = time.monotonic() - started
    (log.info if result.status != "failed" else log.error)("%s", result.summary())
    return result


def _steps(settings: Settings, job: SourceJob, db: Any, trigger: str, stop: threading.Event,
           on_step: Callable[[str], None] | None) -> CycleResult:
    result = CycleResult(job.name, "ok")
    for step in STEPS:
        if on_step:
            on_step(step)
        for attempt in range(1, job.retry.max_attempts + 1):
            result.attempts += 1
            result.retries += attempt > 1
            before = _max_run_id(db) if step == "crawl" else 0
            try:
                if step == "crawl":
                    result.run_id = crawl(settings, job, trigger)
                elif step == "index":
                    result.indexed = report_sentence(index(db, settings))
                else:
                    result.published = publish(db, settings)
                break
            except Exception as exc:  # noqa: BLE001 - any failure of a step is recorded and retried
                error = f"attempt {attempt}/{job.retry.max_attempts}: {one_line(exc)}"
                log.warning("%s: %s failed, %s", job.name, step, error)
                if step == "crawl":
                    result.run_id = record_failed_crawl(db, settings, job, before, error, trigger)
                if attempt == job.retry.max_attempts or isinstance(exc, CrawlInterrupted):  # stopped: no retry
                    result.status, result.error, result.failed_step = "failed", error, step
                    return result
                if stop.wait(job.retry.delay(attempt)):
                    result.status, result.error, result.failed_step = "failed", "stopped during back-off", step
                    return result
    return result
