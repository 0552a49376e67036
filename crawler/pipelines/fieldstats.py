"""Per-field missing counts (the normaliser counts invalid values); the store writes both into the run."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.pipelines import TRACKED_FIELDS
from kdir.common.record import ProviderItem


class FieldStatsPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldStatsPipeline:
        return cls(crawler)

    def process_item(self, item: ProviderItem) -> ProviderItem:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("kdir/fields/_items")
        for name in TRACKED_FIELDS:
            value = getattr(item, name, None)
            if value is None or value == [] or value == "":
                stats.inc_value(f"kdir/fields/{name}/missing")
        return item


def field_stats(stats: dict[str, object]) -> dict[str, dict[str, int]]:
    """``{"phones": {"missing": 1, "invalid": 0}, ...}`` from the crawl stats."""
    out: dict[str, dict[str, int]] = {}
    for name in TRACKED_FIELDS:
        missing = stats.get(f"kdir/fields/{name}/missing", 0)
        bad = stats.get(f"kdir/fields/{name}/invalid", 0)
        out[name] = {"missing": int(missing) if isinstance(missing, int) else 0,
                     "invalid": int(bad) if isinstance(bad, int) else 0}
    return out
