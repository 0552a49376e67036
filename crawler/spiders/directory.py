"""directory: crawl a provider directory described by a YAML file in crawler/sources/.

    scrapy crawl directory -a source=sample [-a base_url=http://127.0.0.N:PORT] [-a sources_dir=DIR]

List pages -> detail pages (one item each, source ``directory:<name>``); each clinic's own website, when the
detail page links to it, is crawled as by clinic_site (items with source ``clinic_site``).

Resuming a JOBDIR after a hard kill (whose Scrapy queue and seen set are then lost or partial): listing pages are
read again (``dont_filter``: they lead to the rest), detail pages whose item was stored are not. A detail page
is a unit of the site ledger (``page:<url>``), claimed when fetched and done once its item left the pipeline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler import navigation as nav
from crawler.extract.practitioners import merge_people, practitioner_from_text
from crawler.spiders._sitecrawl import SiteCrawlSpider
from crawler.spiders._sources import LIST_FIELDS, load_source
from kdir.common.record import Address, Practitioner, ProviderItem, Rating

MEDICAL_DIRECTOR = "Medical Director"


def _float(value: str | None) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return int(digits) if digits and len(digits) < 9 else None


class DirectorySpider(SiteCrawlSpider):
    name = "directory"
    source_kind = "directory"
    custom_settings = {"DEPTH_LIMIT": 0}  # pagination depth is capped by the definition's max_pages

    def __init__(self, source: str | None = None, base_url: str | None = None, sources_dir: str | None = None,
                 run_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not source:
            raise ValueError("the directory spider needs -a source=NAME (a YAML file in crawler/sources/)")
        self.definition = load_source(source, base_url=base_url, directory=Path(sources_dir) if sources_dir else None)
        self.source_key = self.definition.key
        self.source_name = self.definition.title
        self.render_sites = self.definition.render
        self.run_id = run_id
        self.spider_args = {k: v for k, v in (("source", source), ("base_url", base_url)) if v}
        self.dir_site = nav.site_key(self.definition.base_url)
        self.listing_pages = 0
        self.listings = 0
        self._lists_seen: set[str] = set()  # listing pages requested by this process

    async def start(self) -> AsyncIterator[Request]:
        for url in self.definition.absolute_start_urls():
            if (req := self._list_request(url)) is not None:
                yield req

    def _list_request(self, url: str) -> Request | None:
        if url in self._lists_seen:
            return None
        self._lists_seen.add(url)
        return Request(url, callback=self.parse_list, dont_filter=True)

    def parse_list(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            return
        self.listing_pages += 1
        d = self.definition
        for href in d.links.extract(response):
            url = nav.clean_url(href, response.url)
            if url is None or not nav.same_site(url, self.dir_site):
                continue
            if self.listings >= d.max_listings:
                self.crawler.stats.inc_value("kdir/directory/listing_cap")
                break
            self.listings += 1
            key = f"page:{url}"
            if self.ledger.is_done(key):
                self.crawler.stats.inc_value("kdir/directory/skipped_done")
                continue
            # dont_filter: a resumed crawl must fetch unfinished pages; repeats are dropped by the ledger's claim.
            yield Request(url, callback=self.parse_detail, priority=1, dont_filter=True,
                          meta={"kdir_site": key, "kdir_seed": True})
        if d.next_page is not None and self.listing_pages < d.max_pages:
            nxt = d.next_page.extract(response)
            url = nav.clean_url(nxt[0], response.url) if nxt else None
            if url and nav.same_site(url, self.dir_site) and (req := self._list_request(url)) is not None:
                yield req

    def parse_detail(self, response: Response) -> Iterator[Any]:
        key = response.meta.get("kdir_site")
        if not isinstance(response, TextResponse):
            if key:
                self.ledger.mark_done(key)
            return
        d = self.definition
        values = {k: sel.extract(response) for k, sel in d.detail.items()}

        def one(key: str) -> str | None:
            found = values.get(key) or []
            return found[0] if found else None

        address = Address(street=one("street"), city=one("city"), region=one("region"),
                          postal_code=one("postal_code"))
        if not (address.street or address.city or address.postal_code):
            address = None
        rating = None
        value = _float(one("rating"))
        if value is not None:
            rating = Rating(value=value, count=_int(one("review_count")), best=_float(one("rating_best")) or 5.0)
        website = nav.clean_url(one("website") or "", response.url) if one("website") else None
        telehealth_text = (one("telehealth") or "").lower()
        kind = d.kind_of(one("kind"))
        name, credentials = one("name"), []
        people = _people(values.get("practitioners", []), one("medical_director"))
        if kind == "practitioner" and name and (me := practitioner_from_text(name)) is not None:
            name, credentials = me.name, me.credentials  # "Sam Patel, PMHNP-BC": the person and the credentials
        item = ProviderItem(
            source=d.key, source_url=response.url, fetched_at=datetime.now(UTC), kind=kind,  # type: ignore[arg-type]
            name=name, credentials=credentials, practitioners=people,
            website=website, phones=values.get("phones", []), email=one("email"), address=address,
            npi=one("npi"), rating=rating, location_key=nav.clean_url(response.url) or response.url,
            telehealth=True if telehealth_text in ("yes", "true", "available") else None,
            **{k: list(dict.fromkeys(values.get(k, []))) for k in LIST_FIELDS if k != "phones"})
        if key:  # done once the item has left the pipeline (see SiteCrawlSpider._item_left)
            self._pending_sites[key] = 1
            self._item_site[id(item)] = key
        yield item
        if website and d.follow_website and not nav.same_site(website, self.dir_site):
            req = self.site_request(website)
            if req is not None:
                yield req


def _people(listed: list[str], director: str | None) -> list[Practitioner]:
    """The people a listing names (strings such as "Sam Patel, PMHNP-BC"), its medical director first."""
    people = [p for p in (practitioner_from_text(x) for x in listed) if p is not None]
    head = practitioner_from_text(director, role=MEDICAL_DIRECTOR) if director else None
    return merge_people([head, *people] if head else people)
