"""Extraction: pure functions from fetched clinic pages to facts, and from a site's pages to ProviderItems.

Entry points: :func:`extract_page` (one page -> :class:`PageFacts`) and :func:`combine_site` (a site's
PageFacts -> one :class:`~kdir.common.record.ProviderItem` per location). No database, no network.
"""

from crawler.extract.facts import Evidence, Link, LocatedAddress, NameCandidate, PageFacts, StructuredEntity
from crawler.extract.page import extract_page, warm_up
from crawler.extract.site import combine_site

__all__ = [
    "Evidence", "Link", "LocatedAddress", "NameCandidate", "PageFacts", "StructuredEntity", "combine_site",
    "extract_page", "warm_up",
]
