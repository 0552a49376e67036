"""Crawl one clinic website as a unit: home page, sitemap, navigation; then combine its pages into items.

A site's seed request goes through the scheduler (so JOBDIR and the Redis frontier distribute sites); the
site's other pages are fetched by the same callback through ``engine.download_async`` -- still through every
downloader middleware (robots.txt, Crawl-delay, retries, size caps) and the host's download slot (politeness),
but never split across processes. When the site is done, ``combine_site`` turns its pages into one item per
location.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler import navigation as nav
from crawler.extract.facts import Link
from crawler.render.clicks import CLICK_REPORT
from crawler.render.page import SCRIPT_ERRORS
from crawler.spiders._ledger import RedisSiteLedger, SiteLedger

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from kdir.common.record import ProviderItem

logger = logging.getLogger(__name__)


class SiteCrawlSpider(Spider):
    """Base of the spiders that crawl clinic websites (``clinic_site``, ``directory``)."""

    #: ``source`` of the items built from clinic websites.
    site_source = "clinic_site"
    #: read app-shell sites through the browser when the crawl has one (a source definition may say no)
    render_sites = True
    _ledger: SiteLedger | None
    _pending_sites: dict[str, int]  # site -> items not yet through the pipeline
    _item_site: dict[int, str]  # id(item) -> site
    robots_sitemaps: dict[str, list[str]]  # netloc -> Sitemap: URLs of its robots.txt (CrawlDelayMiddleware)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        from crawler.render.config import configure

        configure(settings)  # installs the browser only for the spiders that crawl websites

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteCrawlSpider:
        spider: SiteCrawlSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        spider._ledger = None
        spider.robots_sitemaps = {}
        spider._site_gate = asyncio.Semaphore(max(1, crawler.settings.getint("KDIR_MAX_ACTIVE_SITES", 16)))
        spider._pending_sites = {}
        spider._item_site = {}
        for sig in (signals.item_scraped, signals.item_dropped):
            crawler.signals.connect(spider._item_left, signal=sig)
        crawler.signals.connect(spider._item_failed, signal=signals.item_error)
        crawler.signals.connect(spider._note_render_mode, signal=signals.spider_opened)
        return spider

    def _note_render_mode(self, **_kw: Any) -> None:
        reason = self.crawler.settings.get("KDIR_RENDER_OFF_REASON")
        if reason and self.crawler.stats is not None:
            self.crawler.stats.set_value("kdir/render/off", reason)

    @property
    def can_render(self) -> bool:
        return self.render_sites and self.crawler.settings.getbool("KDIR_RENDER_ACTIVE")

    @property
    def ledger(self) -> SiteLedger:
        """Built on first use: add-ons (distributed mode) adjust the settings after the spider is created."""
        if self._ledger is None:
            s = self.crawler.settings
            if s.getbool("KDIR_DISTRIBUTED_ACTIVE"):
                from crawler.middlewares import redis_prefix

                ledger = RedisSiteLedger(s["REDIS_URL"], redis_prefix(s), s.getint("KDIR_REDIS_KEY_TTL"),
                                         s.getfloat("KDIR_CLAIM_TTL", 30.0))
                ledger.start_beating()
                self._ledger = ledger
            else:
                self._ledger = SiteLedger(s.get("JOBDIR"))
        return self._ledger

    # -- seeds -------------------------------------------------------------------------------------------
    def claim_site(self, key: str) -> bool:
        """Called by SiteClaimMiddleware before a seed is fetched: False = someone has (had) this site."""
        return self.ledger.claim(key)

    def site_request(self, url: str) -> Request | None:
        """The seed request of a clinic website, or None when the URL is unusable or the site already done."""
        clean = nav.clean_url(url)
        if clean is None:
            self.crawler.stats.inc_value("kdir/sites/bad_url")
            return None
        parts = urlsplit(clean)
        home = f"{parts.scheme}://{parts.netloc}/"
        key = nav.site_key(home)
        if self.ledger.is_done(key):
            self.crawler.stats.inc_value("kdir/sites/skipped_done")
            return None
        # dont_filter: a resumed crawl must re-seed unfinished sites; duplicates are dropped by the site claim.
        return Request(home, callback=self.parse_site, errback=self.site_failed, dont_filter=True,
                       meta={"kdir_site": key, "kdir_seed": True, "kdir_seed_url": clean})

    def site_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if failure.check(IgnoreRequest) and "already claimed" in failure.getErrorMessage():
            return  # a duplicate seed: the site is crawled by its first seed
        self.crawler.stats.inc_value("kdir/sites/failed")
        logger.warning("site seed failed: %s (%s)", getattr(request, "url", "?"), failure.getErrorMessage())

    # -- one site ------------------------------------------------------------------------------------------
    async def parse_site(self, response: Response) -> AsyncIterator[ProviderItem]:
        from crawler.extract.site import combine_site

        key = response.meta["kdir_site"]
        async with self._site_gate:
            crawl = _SiteCrawl(self, key, response)
            pages = await crawl.run()
        stats = self.crawler.stats
        stats.inc_value("kdir/sites/crawled")
        home = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}/"
        try:
            items = combine_site(pages, source=self.site_source, site_url=home, fetched_at=datetime.now(UTC))
        except Exception:
            stats.inc_value("kdir/sites/combine_errors")
            logger.exception("combine_site failed for %s", home)
            items = []
        if not items:
            stats.inc_value("kdir/sites/no_items")
            self.ledger.mark_done(key)
            return
        # The site is done once every item has left the pipeline (stored or dropped): see _item_left.
        self._pending_sites[key] = len(items)
        for item in items:
            self._item_site[id(item)] = key
        for item in items:
            yield item

    def _item_failed(self, item: Any, **_kw: Any) -> None:
        """An item the pipeline could not handle (e.g. the database was down): its site stays unfinished, so a
        resumed crawl fetches it again."""
        key = self._item_site.pop(id(item), None)
        if key is not None:
            self._pending_sites[key] = 10**9  # never reaches zero in this process

    def _item_left(self, item: Any, **_kw: Any) -> None:
        key = self._item_site.pop(id(item), None)
        if key is None:
            return
        self._pending_sites[key] -= 1
        if self._pending_sites[key] <= 0:
            del self._pending_sites[key]
            self.ledger.mark_done(key)

    def closed(self, reason: str) -> None:
        if getattr(self, "_ledger", None) is not None:
            self._ledger.close()  # type: ignore[union-attr]


class _SiteCrawl:
    """The frontier of one site: a page budget spent in order of how promising each link is (the category of
    its target, its anchor text, the page it sits on; see ``navigation.link_priority``), capped in URL patterns,
    with a generous depth bound only as a safety net."""

    def __init__(self, spider: SiteCrawlSpider, key: str, home: Response):
        s = spider.crawler.settings
        self.spider = spider
        self.stats = spider.crawler.stats
        self.engine = spider.crawler.engine
        self.home = home
        self.keys = {key, nav.site_key(home.url)}  # the home page may redirect (http -> https, www.)
        self.page_cap = s.getint("KDIR_SITE_PAGE_CAP", 40)
        self.max_depth = s.getint("KDIR_SITE_DEPTH", 6)
        self.pattern_cap = s.getint("KDIR_PATTERN_CAP", 5)
        self.concurrency = max(1, s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.sitemap_max = s.getint("KDIR_SITEMAP_MAX_URLS", 500)
        self.trap_kw = {"max_length": s.getint("KDIR_MAX_URL_LENGTH", 300),
                        "max_query_params": s.getint("KDIR_MAX_QUERY_PARAMS", 4),
                        "max_segments": s.getint("KDIR_MAX_PATH_SEGMENTS", 8)}
        self.seen: set[str] = set()
        self.patterns: dict[str, int] = {}
        self.priority_of: dict[str, int] = {}  # url -> the priority it was queued with
        self.frontier: list[tuple[int, int, int, str, str]] = []  # (priority, depth, order, url, category)
        self.order = 0
        self.fetched = 1  # the home page
        self.pages: list[Any] = []
        self.can_render = spider.can_render
        self.rendering = False  # the site is an app: every page is fetched through the browser
        self.render_meta: dict[str, Any] = {}
        self.nav_meta: dict[str, Any] = {}  # a render for a script-built menu: its entries are clicked too
        self.render_urls: set[str] = set()  # app-shell pages of a static site, rendered one by one
        self.max_render_bytes = s.getint("DOWNLOAD_MAXSIZE", 5 * 1024 * 1024)
        self.shell: Any = None  # the app shell's own facts, kept in case no rendered page can be read
        # pages whose menu is built by script: one page per template is rendered for its links
        self.nav_cap = s.getint("KDIR_NAV_RENDER_PAGES", 3)
        self.nav_signatures: set[str] = set()
        self.nav_fallback: dict[str, tuple[Response, int]] = {}  # url -> the plain page, read if the render fails
        self.nav_plain_links: dict[str, set[str]] = {}  # url -> the links its plain fetch showed

    async def run(self) -> list[Any]:
        # The seed URL is not marked seen here: when it points at a deeper page than the home page (a directory
        # linking to one location of a chain), ``offer`` below must still queue it.
        for url in (self.home.url, self.home.request.url if self.home.request else None):
            if url and (clean := nav.clean_url(url)):
                self.seen.add(clean)
        self.process(self.home, 0)
        seed_url = self.home.meta.get("kdir_seed_url")
        if seed_url:  # a seed pointing at a deeper page (a location page) is fetched as well
            self.offer(seed_url, "", 1)
        await self.read_sitemap()
        while self.frontier and self.fetched < self.page_cap:
            batch = []
            while self.frontier and len(batch) < self.concurrency and self.fetched + len(batch) < self.page_cap:
                _prio, depth, _order, url, _cat = heapq.heappop(self.frontier)
                batch.append((url, depth))
            self.fetched += len(batch)
            results = await asyncio.gather(*(self.fetch(url) for url, _ in batch))
            for (url, depth), resp in zip(batch, results, strict=True):
                plain = self.nav_fallback.pop(url, None)
                if resp is not None:
                    self.process(resp, depth)
                elif plain is not None:  # the render failed: the plain page is read as it is
                    self.process(*plain)
        if self.frontier:
            self.stats.inc_value("kdir/sites/page_cap_reached")
        if self.rendering and self.shell is not None and not any(not getattr(p, "app_shell", False)
                                                                  for p in self.pages):
            self.stats.inc_value("kdir/render/sites_unread")
            logger.warning("app site not read: no rendered page of %s showed content", self.home.url)
        # Pages arrive in network order; a fixed order makes the combined items (and their content hashes, so
        # the store's "unchanged") independent of timing.
        home = self.pages[:1]
        return home + sorted(self.pages[1:], key=lambda p: str(getattr(p, "url", "")))

    async def fetch(self, url: str) -> Response | None:
        meta: dict[str, Any] = {"kdir_site": next(iter(self.keys))}
        browser = self.rendering or url in self.render_urls
        if browser:
            meta.update(self.nav_meta if url in self.nav_fallback else self.render_meta)
        req = Request(url, callback=NO_CALLBACK, dont_filter=True, meta=meta)
        started = time.monotonic()
        try:
            return await self.engine.download_async(req)
        except Exception as exc:  # noqa: BLE001 - robots, timeouts, size caps, DNS: a page lost, not the site
            self.stats.inc_value("kdir/pages/errors")
            self.stats.inc_value(f"kdir/pages/errors/{type(exc).__name__}")
            if browser and not isinstance(exc, IgnoreRequest):
                why = "timeout" if "timeout" in type(exc).__name__.lower() else "error"
                self.stats.inc_value("kdir/render/failures")
                self.stats.inc_value(f"kdir/render/failures/{why}")
                logger.warning("render failed: %s (%s: %s)", url, type(exc).__name__, str(exc).split("\n")[0])
            else:
                logger.info("page not fetched: %s (%s: %s)", url, type(exc).__name__, exc)
            return None
        finally:
            # time per page, plain and rendered, for operators and bench/render_bench.py, bench/crawl_bench.py
            took = round(time.monotonic() - started, 3)
            self.stats.inc_value("kdir/render/seconds" if browser else "kdir/fetch/seconds", took)
            if browser and url in self.nav_fallback:
                self.stats.inc_value("kdir/render/nav_seconds", took)
            if not browser:
                self.stats.inc_value("kdir/fetch/pages")

    def app_shell(self, response: Response, facts: Any, depth: int, rendered: bool) -> bool:
        """A page that is an empty app shell. Plainly fetched: render it (True) when the crawl can; a home page
        switches the whole site to the browser, a deeper page (an app inside a static site) goes alone.
        Rendered: a render failure, recorded; its facts are kept as they are."""
        if rendered:
            errors = response.meta.get(SCRIPT_ERRORS) or []
            why = "script_error" if errors else "empty"
            self.stats.inc_value("kdir/render/failures")
            self.stats.inc_value(f"kdir/render/failures/{why}")
            logger.warning("rendered page still empty: %s (%s)", response.url, errors[0] if errors else "nothing rendered")
            return False
        if depth == 0:
            self.shell = facts
        if not self.can_render:
            self.stats.inc_value("kdir/render/unavailable")
            logger.warning("app shell at %s, not rendered: %s", response.url,
                           self.spider.crawler.settings.get("KDIR_RENDER_OFF_REASON") or "rendering is off")
            return False
        if not self.render_meta:
            from crawler.render.page import render_meta

            self.render_meta = render_meta(self.spider.crawler.settings)
        url = nav.clean_url(response.url, keep_route=True) or response.url
        if depth == 0:
            self.rendering = True
            self.stats.inc_value("kdir/render/sites")
            logger.info("app shell at %s: reading the site through the browser", response.url)
        else:
            self.render_urls.add(url)
            logger.info("app shell at %s: rendering this page", response.url)
        self.order += 1
        heapq.heappush(self.frontier, (-1, depth, self.order, url, "home" if depth == 0 else "other"))
        return True

    def script_nav(self, response: Response, signature: str, depth: int, plain_links: set[str]) -> bool:
        """A plain page whose menu is built by script (``PageFacts.script_nav``): render it (True) when the crawl
        can and no page of the same template was rendered yet (at most ``KDIR_NAV_RENDER_PAGES`` per site). The
        links of the rendered DOM are ordinary requests of the site crawl (robots.txt, Crawl-delay, the host's
        slot); the rest of the site stays plain."""
        if signature in self.nav_signatures or len(self.nav_signatures) >= self.nav_cap:
            return False
        self.nav_signatures.add(signature)
        if not self.can_render:
            self.stats.inc_value("kdir/render/nav_unavailable")
            logger.info("menu built by script at %s, not rendered: %s", response.url,
                        self.spider.crawler.settings.get("KDIR_RENDER_OFF_REASON") or "rendering is off")
            return False
        if not self.nav_meta:
            from crawler.render.page import render_meta

            self.nav_meta = render_meta(self.spider.crawler.settings, clicks=True)
        url = nav.clean_url(response.url) or response.url
        if len(self.nav_signatures) == 1:
            self.stats.inc_value("kdir/render/nav_sites")
        self.stats.inc_value("kdir/render/nav_pages")
        logger.info("menu built by script at %s (%s): rendering this page for its links", response.url,
                    signature[:120])
        self.render_urls.add(url)
        self.nav_fallback[url] = (response, depth)
        self.nav_plain_links[url] = plain_links
        self.order += 1
        heapq.heappush(self.frontier, (-1, depth, self.order, url, "home" if depth == 0 else "other"))
        return True

    def offer(self, url: str, text: str, depth: int, from_kind: str = "other") -> None:
        clean = nav.clean_url(url, keep_route=self.rendering)
        if clean is None or clean in self.seen or nav.site_key(clean) not in self.keys:
            return
        self.seen.add(clean)
        if nav.trap_reason(clean, **self.trap_kw):
            self.stats.inc_value("kdir/links/trap")
            return
        category = nav.categorize(clean, text)
        if depth > self.max_depth or not nav.worth_following(category, from_kind, depth):
            self.stats.inc_value("kdir/links/too_deep")
            return
        pattern = nav.pattern_key(clean)
        self.patterns[pattern] = self.patterns.get(pattern, 0) + 1
        if self.patterns[pattern] > self.pattern_cap:
            self.stats.inc_value("kdir/links/pattern_cap")
            return
        self.order += 1
        priority = nav.link_priority(category, text, from_kind, depth)
        self.priority_of[clean] = priority
        heapq.heappush(self.frontier, (priority, depth, self.order, clean, category))

    def process(self, response: Response, depth: int) -> None:
        from crawler.extract.page import extract_page

        if response.status != 200 or not isinstance(response, TextResponse):
            self.stats.inc_value("kdir/pages/skipped")
            return
        if nav.site_key(response.url) not in self.keys:  # redirected off the site
            self.stats.inc_value("kdir/pages/offsite_redirect")
            return
        ctype = response.headers.get(b"Content-Type", b"text/html").decode("latin-1").lower()
        if "html" not in ctype and "xml" not in ctype:
            self.stats.inc_value("kdir/pages/skipped")
            return
        rendered = "playwright" in response.flags
        if rendered:
            self.stats.inc_value("kdir/render/pages")
            if len(response.body) > self.max_render_bytes:
                self.stats.inc_value("kdir/render/failures")
                self.stats.inc_value("kdir/render/failures/too_big")
                return
        try:
            facts = extract_page(response.body, response.url, encoding=response.encoding, rendered=rendered)
        except Exception:  # noqa: BLE001 - hostile HTML must never stop the crawl
            self.stats.inc_value("kdir/pages/extract_errors")
            logger.exception("extract_page failed on %s", response.url)
            facts = None
        if rendered and response.meta.get(SCRIPT_ERRORS):
            self.stats.inc_value("kdir/render/script_errors", len(response.meta[SCRIPT_ERRORS]))
        if facts is not None and facts.app_shell and self.app_shell(response, facts, depth, rendered):
            return  # the page comes again, rendered
        if facts is not None and facts.script_nav and not rendered and not self.rendering and \
                self.script_nav(response, facts.script_nav, depth, {link.url for link in facts.links}):
            return  # the page comes again, rendered, with its menu
        if facts is not None:
            self.pages.append(facts)
        # The extractor already parsed the page and collected its links; parse again only when it could not.
        links = facts.links if facts is not None and not facts.error and facts.links else \
            nav.extract_links(response.body, response.url, encoding=response.encoding)
        if rendered and response.meta.get(CLICK_REPORT):
            links = [*links, *self.clicked_links(response, {link.url for link in links})]
        plain_links = self.nav_plain_links.pop(nav.clean_url(response.url) or response.url, None) if rendered else None
        if plain_links is not None:  # how much the browser showed that the plain page did not
            self.stats.inc_value("kdir/render/nav_links_found", len({link.url for link in links} - plain_links))
        from_kind = facts.page_kind if facts is not None and facts.page_kind else "other"
        if from_kind == "other" and self.priority_of.get(nav.clean_url(response.url) or "", 99) <= nav.PROMISING:
            from_kind = "promising"  # reached by "Learn more" from a services page: its own buttons lead on
        for link in links:
            self.offer(link.url, link.text, depth + 1, from_kind)

    def clicked_links(self, response: Response, known: set[str]) -> list[Link]:
        """The pages of the site that clicking the rendered page's menu found and its links did not show."""
        from crawler.extract.clicktargets import clicked_links

        report = response.meta[CLICK_REPORT]
        self.stats.inc_value("kdir/render/nav_click_pages")
        self.stats.inc_value("kdir/render/nav_clicks", report["clicked"])
        self.stats.inc_value("kdir/render/nav_click_seconds", report["seconds"])
        if report["cut_short"]:
            self.stats.inc_value(f"kdir/render/nav_click_cut_short/{report['cut_short']}")
        found = [Link(url, text) for url, text in clicked_links(response.url, report["found"]) if url not in known]
        if found:
            self.stats.inc_value("kdir/render/nav_click_links", len(found))
            logger.info("clicking the menu of %s found %d pages: %s", response.url, len(found),
                        ", ".join(link.url for link in found[:12]))
        return found

    async def read_sitemap(self) -> None:
        """The sitemaps named in robots.txt (same site only), else /sitemap.xml."""
        parts = urlsplit(self.home.url)
        named = [u for u in self.spider.robots_sitemaps.get(parts.netloc, [])
                 if (c := nav.clean_url(u)) and nav.site_key(c) in self.keys]
        locs: list[str] = []  # absolute
        for sitemap_url in named[:3] or [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]:
            resp = await self._get_quiet(sitemap_url)
            if resp is not None:
                locs.extend(urljoin(sitemap_url, loc) for loc in self._sitemap_locs(resp.body))
        for sub in [u for u in locs if u.endswith(".xml")][:5]:  # a sitemap index: one level down
            sub_resp = await self._get_quiet(sub)
            if sub_resp is not None:
                locs.extend(urljoin(sub, loc) for loc in self._sitemap_locs(sub_resp.body))
        for loc in locs[: self.sitemap_max]:
            if not loc.endswith(".xml"):
                self.offer(loc, "", 1, "sitemap")

    async def _get_quiet(self, url: str) -> Response | None:
        req = Request(url, callback=NO_CALLBACK, dont_filter=True, meta={"dont_retry": True})
        try:
            resp = await self.engine.download_async(req)
        except Exception:  # noqa: BLE001 - no sitemap is normal
            return None
        return resp if resp.status == 200 and resp.body else None

    def _sitemap_locs(self, body: bytes) -> list[str]:
        try:
            sitemap = Sitemap(body)
            return [str(entry["loc"]).strip() for entry in sitemap if entry.get("loc")][: self.sitemap_max]
        except Exception:  # noqa: BLE001 - malformed XML: no sitemap
            self.stats.inc_value("kdir/sitemap/invalid")
            return []
