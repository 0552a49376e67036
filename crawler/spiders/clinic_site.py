"""clinic_site: crawl clinic websites given as seeds; one item per clinic location.

    scrapy crawl clinic_site -a urls=https://a.example,https://b.example
    scrapy crawl clinic_site -a seeds=seeds.csv          # one URL a line, or CSV with a `url` column
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request

from crawler.spiders._seeds import seed_urls
from crawler.spiders._sitecrawl import SiteCrawlSpider


class ClinicSiteSpider(SiteCrawlSpider):
    name = "clinic_site"
    source_key = "clinic_site"
    source_kind = "clinic_site"

    def __init__(self, urls: str | None = None, seeds: str | None = None, run_id: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.seed_list = seed_urls(urls, seeds)
        if not self.seed_list:
            raise ValueError("clinic_site needs -a urls=URL[,URL...] or -a seeds=FILE")
        self.run_id = run_id
        self.spider_args = {k: v for k, v in (("urls", urls), ("seeds", seeds)) if v}

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seed_list:
            req = self.site_request(url)
            if req is not None:
                yield req
