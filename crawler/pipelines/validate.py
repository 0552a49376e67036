"""Drop items that cannot be a provider observation; accept ProviderItem or its dict form."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from kdir.common.record import Kind, ProviderItem


class ValidatePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def _drop(self, reason: str) -> DropItem:
        self.crawler.stats.inc_value(f"kdir/items/dropped/{reason.split(':')[0]}")  # type: ignore[union-attr]
        return DropItem(reason)

    def process_item(self, item: Any) -> ProviderItem:
        if isinstance(item, dict):
            try:
                item = ProviderItem.from_dict(item)
            except (TypeError, ValueError, KeyError) as exc:
                raise self._drop(f"malformed: {type(exc).__name__}: {exc}") from None
        if not isinstance(item, ProviderItem):
            raise self._drop(f"malformed: not a ProviderItem but {type(item).__name__}")
        if not isinstance(item.source, str) or not item.source.strip():
            raise self._drop("no source")
        url = item.source_url if isinstance(item.source_url, str) else ""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
            raise self._drop(f"bad source_url: {url[:100]!r}")
        if not isinstance(item.fetched_at, datetime):
            raise self._drop("no fetched_at")
        if item.kind not in get_args(Kind):
            raise self._drop(f"bad kind: {str(item.kind)[:40]!r}")
        if not (item.name or item.npi or item.phones or item.address or item.website):
            raise self._drop("no identity: no name, NPI, phone, address or website")
        return item
