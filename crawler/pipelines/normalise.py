"""Normalise each item with the project's one normaliser (:mod:`kdir.common.normalise`) and count, per field,
the printed values it could not use (``kdir/fields/<field>/invalid``). Those values stay in the item's
``issues``: nothing is lost, and verification and moderators see them."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.pipelines import invalid
from kdir.common.normalise import count_issues, normalise
from kdir.common.record import ProviderItem


class NormalisePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        return cls(crawler)

    def process_item(self, item: ProviderItem) -> ProviderItem:
        """The item itself, normalised in place: spiders follow their items through the pipeline by identity
        (a site is finished in the ledger when its last item has left)."""
        before = len(item.issues)
        out = normalise(item)
        for field, n in count_issues(out.issues[before:]).items():
            invalid(self.stats, field, n)
        if out is not item:
            vars(item).update(vars(out))
        return item
