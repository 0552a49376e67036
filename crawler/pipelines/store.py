"""Store observations (idempotent) and record the crawl run when the spider closes.

The run is the spider's own (``-a run_id=N`` attaches to one created beforehand by the runner or scheduler;
otherwise one is started here). Items whose ``source`` differs from the spider's -- a directory crawl also
crawls the clinics' own websites -- go to a secondary run of their own source, which skips the drift guard
(a partial crawl of that source by nature). Figures are added to what the run already holds, so a resumed or
distributed crawl (several processes, one run) sums up.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.pipelines.fieldstats import field_stats
from indexer.db import Database
from indexer.db.models import CrawlRun
from indexer.storage import ObservationStore
from kdir.common.config import Settings
from kdir.common.record import ProviderItem

logger = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class StorePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.runs: dict[str, int] = {}
        self.secondary: set[str] = set()
        self.store_errors = 0
        self.started = time.monotonic()
        self.db: Any = None
        self.store: Any = None
        self.drift_threshold = 0.5
        self.var_dir: Path = Path("var")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        settings = Settings.from_env()
        url = self.crawler.settings.get("KDIR_DATABASE_URL") or settings.database_url
        self.drift_threshold = self.crawler.settings.getfloat("KDIR_DRIFT_THRESHOLD", settings.drift_threshold)
        self.var_dir = settings.var_dir
        # The runner has migrated the database already (KDIR_MIGRATE=0); a bare `scrapy crawl` migrates here.
        self.db = Database.connect(url, migrate=self.crawler.settings.getbool("KDIR_MIGRATE", True))
        self.store = ObservationStore(self.db.factory)
        key = getattr(spider, "source_key", None) or spider.name  # type: ignore[union-attr]
        run_id = getattr(spider, "run_id", None)
        if run_id:
            self.runs[key] = self._attach(run_id)
        else:
            self.runs[key] = self.store.start_run(
                key, spider.name, kind=getattr(spider, "source_kind", "clinic_site"),  # type: ignore[union-attr]
                name=getattr(spider, "source_name", None), trigger=self.crawler.settings.get("KDIR_TRIGGER", "manual"),
                args=self._spider_args())
        self.main_key = key
        self.crawler.stats.set_value("kdir/run_id", self.runs[key])  # type: ignore[union-attr]
        logger.info("crawl run %s (source %s)", self.runs[key], key)

    def _attach(self, run_id: str | int) -> int:
        try:
            rid = int(run_id)
        except (TypeError, ValueError):
            raise ValueError(f"run_id must be an integer, got {run_id!r}") from None
        with self.db.session() as s:
            if s.get(CrawlRun, rid) is None:
                raise ValueError(f"no crawl run {rid} to attach to")
        return rid

    def _spider_args(self) -> dict[str, str]:
        spider = self.crawler.spider
        return {k: str(v) for k, v in getattr(spider, "spider_args", {}).items()}

    def _run_for(self, source: str) -> int:
        if source not in self.runs:
            spider = self.crawler.spider
            kind = source.split(":", 1)[0] if source.split(":", 1)[0] in ("directory", "osm") else (
                "registry" if source == "nppes" else "clinic_site")
            self.runs[source] = self.store.start_run(
                source, spider.name, kind=kind, trigger=self.crawler.settings.get("KDIR_TRIGGER", "manual"),  # type: ignore[union-attr]
                args={"parent_run": str(self.runs[self.main_key])})
            self.secondary.add(source)
        return self.runs[source]

    def process_item(self, item: ProviderItem) -> ProviderItem:
        stats = self.crawler.stats
        assert stats is not None
        try:
            result = self.store.store(self._run_for(item.source), item.to_dict())
        except Exception:
            self.store_errors += 1
            stats.inc_value("kdir/store/errors")
            kept = self._keep_failed(item)
            logger.exception("could not store item from %s (kept in %s)", item.source_url, kept)
            raise
        stats.inc_value(f"kdir/store/{result}")
        return item

    def _keep_failed(self, item: ProviderItem) -> Path | None:
        """Append an item the database refused to ``<var_dir>/failed_items/run-N.jsonl``: nothing is lost."""
        try:
            path = Path(self.var_dir) / "failed_items" / f"run-{self.runs[self.main_key]}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(item.to_dict(), ensure_ascii=False, default=str) + "\n")
            return path
        except OSError:
            return None

    # -- the run record --------------------------------------------------------------------------------------
    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None:
            return
        raw = self.crawler.stats.get_stats()  # type: ignore[union-attr]
        codes = {k.rsplit("/", 1)[1]: int(v) for k, v in raw.items()
                 if k.startswith("downloader/response_status_count/")}
        # Errors: server errors, network failures (not pages we chose to skip: robots.txt, claimed sites),
        # items not stored, spider bugs, sites whose home page failed. 404s stay in the status breakdown.
        server_errors = sum(n for code, n in codes.items() if code.isdigit() and int(code) >= 500)
        skipped = sum(int(v) for k, v in raw.items()
                      if k.startswith("downloader/exception_type_count/") and k.endswith("IgnoreRequest"))
        errors = max(0, int(raw.get("downloader/exception_count", 0)) - skipped) + server_errors \
            + self.store_errors + int(raw.get("spider_exceptions/count", 0) or 0) + int(raw.get("kdir/sites/failed", 0)) \
            + sum(int(v) for k, v in raw.items() if k.endswith("/api_errors"))  # errors answered with HTTP 200
        pages = int(raw.get("response_received_count", 0))
        error = None
        if reason != "finished":
            error = f"crawl closed: {reason}"
        elif self.store_errors:
            error = f"{self.store_errors} items could not be stored"
        elif raw.get("spider_exceptions/count"):
            error = f"{raw['spider_exceptions/count']} spider exceptions (see the crawl log)"
        elif raw.get("kdir/sites/failed") and not raw.get("kdir/sites/crawled") and not raw.get("item_scraped_count"):
            error = f"all {raw['kdir/sites/failed']} sites failed to answer"
        stats = {k: _jsonable(v) for k, v in raw.items()}
        stats["duration_seconds"] = round(time.monotonic() - self.started, 3)
        stats["close_reason"] = reason
        fstats = field_stats(raw)
        for source, run_id in self.runs.items():
            with self.db.session() as s:
                run = s.get(CrawlRun, run_id)
                prev_pages, prev_errors = (run.pages_count or 0, run.errors_count or 0) if run else (0, 0)
                prev_codes = dict(run.status_codes or {}) if run else {}
            merged = dict(prev_codes)
            for code, n in codes.items():
                merged[code] = int(merged.get(code, 0)) + n
            main = source == self.main_key
            verdict = self.store.finish_run(
                run_id, pages=prev_pages + (pages if main else 0), errors=prev_errors + (errors if main else 0),
                status_codes=merged if main else prev_codes, field_stats=fstats, stats=stats, error=error,
                drift_threshold=0.0 if source in self.secondary else self.drift_threshold)
            logger.info("crawl run %s (%s): %s%s", run_id, source, verdict.status,
                        f" -- {verdict.reason}" if verdict.reason else "")
        self.db.dispose()
        self.store = None
