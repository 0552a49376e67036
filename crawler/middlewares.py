"""Crawl-time components: the settings add-on, retry with backoff, robots Crawl-delay, site claims, cache policy."""

from __future__ import annotations

import logging
import os
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import DummyPolicy
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def redis_url_of(settings: BaseSettings) -> str | None:
    """The Redis URL that switches distributed mode on (``-s REDIS_URL`` first, then ``KDIR_REDIS_URL``)."""
    return (settings.get("REDIS_URL") or os.environ.get("KDIR_REDIS_URL", "").strip()) or None


def redis_prefix(settings: BaseSettings) -> str:
    """Key prefix shared by all processes of one distributed crawl (``-s KDIR_CRAWL_ID``, the run id)."""
    return f"kdir:crawl:{settings.get('KDIR_CRAWL_ID') or 'default'}"


class KdirAddon:
    """Applies environment-dependent settings when a crawl starts (so nothing happens at import time)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if os.environ.get("KDIR_HTTPCACHE", "").strip() == "1" and settings.getpriority("HTTPCACHE_ENABLED") < 40:
            settings.set("HTTPCACHE_ENABLED", True, priority="addon")
        if settings.getpriority("HTTPCACHE_DIR") is None or settings.getpriority("HTTPCACHE_DIR") < 40:
            var_dir = Path(os.environ.get("KDIR_VAR_DIR", "").strip() or "var")
            settings.set("HTTPCACHE_DIR", str((var_dir / "httpcache").resolve()), priority="addon")
        url = redis_url_of(settings)
        if url and settings.getbool("KDIR_DISTRIBUTED", True):
            prefix = redis_prefix(settings)
            settings.set("REDIS_URL", url, priority="addon")
            settings.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", priority="addon")
            settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
            settings.set("SCHEDULER_QUEUE_KEY", f"{prefix}:%(spider)s:requests", priority="addon")
            settings.set("SCHEDULER_DUPEFILTER_KEY", f"{prefix}:%(spider)s:dupefilter", priority="addon")
            settings.set("DUPEFILTER_KEY", f"{prefix}:dupefilter:%(timestamp)s", priority="addon")
            settings.set("SCHEDULER_PERSIST", True, priority="addon")
            settings.set("KDIR_DISTRIBUTED_ACTIVE", True, priority="addon")


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor, task

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))  # type: ignore[arg-type]


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """A Retry-After header (delta seconds or HTTP date) in seconds, or None when absent or malformed."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        from datetime import UTC, datetime

        when = parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry on 5xx/429 and network errors, waiting before each retry.

    The wait is the server's ``Retry-After`` when given, else ``KDIR_RETRY_BASE_DELAY * 2**attempt``; both are
    capped by ``KDIR_RETRY_MAX_DELAY``.
    """

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base_delay = settings.getfloat("KDIR_RETRY_BASE_DELAY", 1.0)
        self.max_delay = settings.getfloat("KDIR_RETRY_MAX_DELAY", 60.0)

    def backoff(self, request: Request, response: Response | None = None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        delay = self.base_delay * (2 ** attempt)
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                delay = asked
        return max(0.0, min(delay, self.max_delay))

    async def process_response(self, request: Request, response: Response,  # type: ignore[override]
                               spider: Spider | None = None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        new = self._retry(request, response_status_message(response.status))
        if new is None:
            return response
        delay = self.backoff(request, response)
        if delay:
            self.crawler.stats.inc_value("kdir/retry/backoff_seconds", delay)  # type: ignore[union-attr]
            await _sleep(delay)
        return new

    async def process_exception(self, request: Request, exception: Exception,  # type: ignore[override]
                                spider: Spider | None = None) -> Request | Response | None:
        new = super().process_exception(request, exception)
        if isinstance(new, Request):
            delay = self.backoff(request)
            if delay:
                await _sleep(delay)
        return new


class CrawlDelayMiddleware:
    """Honours robots.txt ``Crawl-delay``: the host's download slot never waits less than the site asks."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_delay = crawler.settings.getfloat("KDIR_MAX_CRAWL_DELAY", 60.0)
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        self.delays: dict[str, float] = {}  # netloc -> seconds
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def _robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        try:
            delay = robotparser.crawl_delay(self.user_agent)
            sitemaps = [urljoin(request.url, str(u))
                        for u in getattr(getattr(robotparser, "rp", None), "sitemaps", None) or []][:10]
        except Exception:  # noqa: BLE001 - a broken robots.txt must not stop the crawl
            delay, sitemaps = None, []
        known = getattr(self.crawler.spider, "robots_sitemaps", None)
        if sitemaps and isinstance(known, dict):  # the site crawl reads them (Sitemap: lines)
            known[urlparse_cached(request).netloc] = sitemaps
        if delay:
            netloc = urlparse_cached(request).netloc
            self.delays[netloc] = min(float(delay), self.max_delay)
            self.crawler.stats.set_value(f"kdir/crawl_delay/{netloc}", self.delays[netloc])  # type: ignore[union-attr]

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = self.delays.get(urlparse_cached(request).netloc)
        if not delay:
            return None
        downloader = self.crawler.engine.downloader  # type: ignore[union-attr]
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay
            slot.jitter = 0.0  # the site's minimum, never shortened at random
        return None


class SiteClaimMiddleware:
    """Drops a site's seed request when the site is already being crawled (resume, distributed mode, repeats).

    Seeds carry ``meta["kdir_site"]``; the spider's ``claim_site(key) -> bool`` decides (one process, one site).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteClaimMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        key = request.meta.get("kdir_site")
        if not key or not request.meta.get("kdir_seed") or request.meta.get("kdir_claimed"):
            return None  # retries and redirects of a claimed seed carry its meta: they keep the claim
        claim = getattr(self.crawler.spider, "claim_site", None)
        if claim is not None and not claim(key):
            self.crawler.stats.inc_value("kdir/sites/already_claimed")  # type: ignore[union-attr]
            raise IgnoreRequest(f"site {key} already claimed")
        request.meta["kdir_claimed"] = True
        return None


class RegistryAwareCachePolicy(DummyPolicy):
    """Caches like DummyPolicy, but never an API error answered with HTTP 200 (NPI registry ``Errors``)."""

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if not super().should_cache_response(response, request):
            return False
        head: Any = response.body[:200]
        return not (isinstance(head, bytes) and b'"Errors"' in head)
