"""Helpers shared by the backends: distances, bounding boxes, facet bit layout, highlight post-processing."""

from __future__ import annotations

import math
from typing import Any

from indexer.search.base import HL_START, SearchQuery
from kdir.common.filters import BY_FIELD, BY_NAME, FILTERS, TRUE, check

EARTH_RADIUS_KM = 6371.0088
MAX_PER_PAGE = 100
MAX_PAGE = 500
PRACTITIONER_SEPARATOR = "; "

#: Facet bit layout of the compact per-document mask: (document field, value) -> bit number, from the registry
#: of filters (a flag has one bit, ``(field, "true")``).
BITS: dict[tuple[str, str], int] = {}
for _f in FILTERS:
    for _value in ((TRUE,) if _f.kind == "flag" else _f.values):
        BITS[(_f.field, _value)] = len(BITS)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle; the full longitude range near the poles or
    when the box would cross the antimeridian (rare for this directory, and still correct, just wider)."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if min_lat <= -89.9 or max_lat >= 89.9:
        return min_lat, max_lat, -180.0, 180.0
    dlon = math.degrees(math.asin(min(1.0, math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(lat)))))
    if lon - dlon < -180.0 or lon + dlon > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lon - dlon, lon + dlon


def doc_mask(doc: dict[str, Any]) -> int:
    mask = 0
    for f in FILTERS:
        value = doc.get(f.field)
        if f.kind in ("codes", "state"):
            present = value if isinstance(value, list | tuple) else ()
        elif f.kind == "choice":
            present = (value,) if isinstance(value, str) else ()
        else:
            present = (TRUE,) if value is True else ()
        for v in present:
            bit = BITS.get((f.field, v))
            if bit is not None:
                mask |= 1 << bit
    return mask


def group_masks(q: SearchQuery) -> dict[str, int]:
    """Filter name -> the bits of its selected values: a hit has at least one bit of every group (values of one
    filter: ANY OF; filters: AND). Unknown filters or values raise ValueError (nothing unchecked reaches a
    backend)."""
    out: dict[str, int] = {}
    for name, values in q.filters.items():
        mask = 0
        for value in check(name, values):
            mask |= 1 << BITS[(BY_NAME[name].field, value)]
        if mask:
            out[name] = mask
    return out


def required_mask(q: SearchQuery) -> int:
    """Every selected bit of every filter (checks the selection; see :func:`group_masks` for the semantics)."""
    mask = 0
    for bits in group_masks(q).values():
        mask |= bits
    return mask


def field_bits(field: str) -> list[tuple[str, int]]:
    """(value, bit) of one filter's document field."""
    return [(value, bit) for (f, value), bit in BITS.items() if f == field]


FIELD_BITS: dict[str, list[tuple[str, int]]] = {f.field: field_bits(f.field) for f in FILTERS}


def facet_counts(field: str, total: int, counts: dict[int, int]) -> dict[str, int]:
    """One filter's distribution from its bits' counts (zero counts left out, as Meilisearch does); a flag
    also gets its "false" count (``total`` minus the true ones)."""
    out: dict[str, int] = {}
    for value, bit in FIELD_BITS[field]:
        n = int(counts.get(bit) or 0)
        if BY_FIELD[field].kind == "flag":
            if n:
                out["true"] = n
            if total - n:
                out["false"] = total - n
        elif n:
            out[value] = n
    return out


def facets_from_bit_counts(total: int, counts: list[int]) -> dict[str, dict[str, int]]:
    """Facet distribution from per-bit counts of one set, with zero counts left out (as Meilisearch does)."""
    by_bit = dict(enumerate(counts))
    return {f.field: facet_counts(f.field, total, by_bit) for f in FILTERS}


def page_window(q: SearchQuery) -> tuple[int, int]:
    """(limit, offset) with page and per_page clamped to sane bounds."""
    per_page = max(1, min(int(q.per_page or 20), MAX_PER_PAGE))
    page = max(1, min(int(q.page or 1), MAX_PAGE))
    return per_page, (page - 1) * per_page


def validate_query(q: SearchQuery) -> None:
    """Reject impossible numeric input with ValueError (the API turns it into a 400)."""
    for name, value, bound in (("lat", q.lat, 90.0), ("lon", q.lon, 180.0)):
        if value is not None and not (-bound <= float(value) <= bound):
            raise ValueError(f"{name} out of range: {value}")
    if (q.lat is None) != (q.lon is None):
        raise ValueError("lat and lon go together")
    if q.radius_km is not None and not (0 < float(q.radius_km) <= 20000):
        raise ValueError(f"radius_km out of range: {q.radius_km}")
    if q.min_rating is not None and not (0 <= float(q.min_rating) <= 5):
        raise ValueError(f"min_rating out of range: {q.min_rating}")
    if q.sort not in ("relevance", "distance", "rating", "price"):
        raise ValueError(f"unknown sort {q.sort!r}")


def practitioner_highlight(entries: list[str]) -> str | None:
    """Only the practitioner entries that carry a highlight, joined; None when none matched."""
    hit = [e for e in entries if HL_START in e]
    return PRACTITIONER_SEPARATOR.join(hit) if hit else None
