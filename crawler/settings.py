"""Scrapy settings of the kdir crawler: polite by default, trap-resistant, resumable.

Only constants live here (no import-time side effects). Environment-dependent choices -- the development HTTP
cache (``KDIR_HTTPCACHE=1``) and the distributed frontier (``KDIR_REDIS_URL`` or ``-s REDIS_URL=...``) -- are
made when a crawl starts, by the add-on :class:`crawler.middlewares.KdirAddon`, so ``-s`` overrides still win.
Tests switch politeness off with ``-s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0``.
"""

from kdir.common.project import USER_AGENT as _UA

BOT_NAME = "kdir"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# -- identity and etiquette -----------------------------------------------------------------------------------
USER_AGENT = _UA
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # +-50 %
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
#: Upper bound on a robots.txt Crawl-delay we honour (a site asking for an hour is crawled at this pace).
KDIR_MAX_CRAWL_DELAY = 60.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# -- size, time and depth caps --------------------------------------------------------------------------------
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024  # an 8 MB page is dropped
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
DEPTH_LIMIT = 10  # scheduler-level guard; a clinic site's own depth is KDIR_SITE_DEPTH
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 10

# -- retries with backoff (crawler.middlewares.BackoffRetryMiddleware replaces Scrapy's) ------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
KDIR_RETRY_BASE_DELAY = 1.0  # seconds; doubled per attempt
KDIR_RETRY_MAX_DELAY = 60.0  # also caps a server's Retry-After

# -- per-site crawl (clinic websites) -------------------------------------------------------------------------
KDIR_SITE_PAGE_CAP = 40  # pages fetched per clinic website
KDIR_SITE_DEPTH = 6  # link hops from the home page (a safety bound: the page budget, in link order, rules)
KDIR_PATTERN_CAP = 5  # pages per URL pattern (digits masked): stops endless calendars
KDIR_MAX_URL_LENGTH = 300
KDIR_MAX_QUERY_PARAMS = 4
KDIR_MAX_PATH_SEGMENTS = 8
KDIR_SITEMAP_MAX_URLS = 500
KDIR_MAX_ACTIVE_SITES = 16  # sites crawled at once per process (bounds memory; 2 requests each keep 32 busy)

# -- components -----------------------------------------------------------------------------------------------
ADDONS = {"crawler.middlewares.KdirAddon": 0}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.CrawlDelayMiddleware": 120,
    "crawler.middlewares.SiteClaimMiddleware": 50,
}
ITEM_PIPELINES = {
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.normalise.NormalisePipeline": 200,
    "crawler.pipelines.fieldstats.FieldStatsPipeline": 300,
    "crawler.pipelines.store.StorePipeline": 400,
}

# -- resume and cache -----------------------------------------------------------------------------------------
# JOBDIR is passed per crawl (-s JOBDIR=... / kdir crawl --resume DIR). The HTTP cache is for development:
# KDIR_HTTPCACHE=1 turns it on (see KdirAddon); these are its settings.
HTTPCACHE_ENABLED = False
HTTPCACHE_EXPIRATION_SECS = 24 * 3600
HTTPCACHE_IGNORE_HTTP_CODES = [429, 500, 502, 503, 504]
HTTPCACHE_POLICY = "crawler.middlewares.RegistryAwareCachePolicy"

# -- distributed mode (scrapy-redis), switched on by KdirAddon when a Redis URL is configured ------------------
SCHEDULER_PERSIST = True
KDIR_REDIS_KEY_TTL = 7 * 24 * 3600
KDIR_CLAIM_TTL = 30.0  # seconds without a heartbeat after which a killed process's sites may be taken over

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
