"""Item pipeline, in order: validate -> normalise -> per-field stats -> store observation (+ crawl-run record)."""

from __future__ import annotations

from kdir.common.record import ProviderItem

#: Item fields whose missing/invalid counts are reported per crawl run.
TRACKED_FIELDS = ("name", "website", "phones", "email", "address", "geo", "npi", "modalities", "conditions",
                  "services", "practitioners", "rating", "reviews", "price", "insurance", "telehealth")


def invalid(crawler_stats: object, field: str, n: int = 1) -> None:
    """Count ``n`` invalid values of ``field`` (dropped by the normaliser) in the crawl stats."""
    if n:
        crawler_stats.inc_value(f"kdir/fields/{field}/invalid", n)  # type: ignore[attr-defined]


__all__ = ["ProviderItem", "TRACKED_FIELDS", "invalid"]
