"""Search hits -> result cards for the page and items for the API. Badges are words, never bare icons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from indexer.search.base import SearchHit
from indexer.search.documents import DOC_KEYS
from kdir.common.filters import FLAGS
from kdir.common.vocabulary import LABELS
from web.security import safe_url, strip_highlight

KM_PER_MILE = 1.609344

#: Document flag -> (badge words, explanation shown in the guide): the registry's yes/no filters, and the
#: Spravato REMS claim (a badge, not a filter).
BADGES: dict[str, tuple[str, str]] = {
    **{f.field: (f.label, f.help) for f in FLAGS},
    "rems_claimed": ("Spravato REMS (claimed)",
                     "The provider says it is certified under the Spravato REMS programme. The public locator is "
                     "incomplete, so we show this as a claim with its source and date."),
}


@dataclass
class Card:
    id: int
    url: str
    name: str  # plain text
    name_hl: str  # with highlight sentinels (escaped by the template's highlight filter)
    kind: str
    city: str
    region: str
    postal_code: str
    distance_mi: float | None
    badges: list[str]
    modalities: list[str]
    rating_value: float | None
    rating_count: int
    rating_sources: int
    last_verified: str | None
    practitioners_hl: str
    lat: float | None
    lon: float | None
    website: str | None
    stale: bool
    notes: list[str] = field(default_factory=list)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def date_only(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def card(hit: SearchHit) -> Card:
    d = hit.document
    badges = [BADGES[key][0] for key in BADGES if d.get(key) is True]
    if d.get("stale") is True:
        badges.append("May be out of date")
    pract = hit.highlights.get("practitioners")
    if pract is None:
        pract = "; ".join(str(x) for x in (d.get("practitioners") or [])[:4] if isinstance(x, str))
    return Card(
        id=int(hit.id), url=f"/providers/{int(hit.id)}", name=strip_highlight(d.get("name")) or "(no name)",
        name_hl=hit.highlights.get("name") or _str(d.get("name")), kind=_str(d.get("kind")) or "clinic",
        city=_str(d.get("city")), region=_str(d.get("region")), postal_code=_str(d.get("postal_code")),
        distance_mi=round(hit.distance_km / KM_PER_MILE, 1) if hit.distance_km is not None else None,
        badges=badges,
        modalities=[LABELS.get(m, m) for m in d.get("modalities") or [] if isinstance(m, str)],
        rating_value=_float(d.get("rating_value")), rating_count=int(_float(d.get("rating_count")) or 0),
        rating_sources=int(_float(d.get("rating_sources")) or 0), last_verified=date_only(d.get("last_verified_at")),
        practitioners_hl=pract, lat=_float(d.get("lat")), lon=_float(d.get("lon")),
        website=safe_url(d.get("website")), stale=d.get("stale") is True,
        notes=["Includes at-home ketamine"] if "at_home" in (d.get("modalities") or []) else [])


#: The search document's keys an API summary carries (all but the moderation status).
API_FIELDS = tuple(key for key in DOC_KEYS if key != "status")


def api_item(hit: SearchHit) -> dict[str, Any]:
    """A search hit as the API's ProviderSummary: known keys only, with distance and the page URL."""
    d = hit.document
    item: dict[str, Any] = {key: d.get(key) for key in API_FIELDS}
    item["id"] = int(hit.id)
    item["name"] = strip_highlight(d.get("name"))
    for key in ("phones", "modalities", "conditions", "services", "practitioners", "npis"):
        item[key] = [str(x) for x in (d.get(key) or [])]
    for key in ("stale", "rems_claimed", *(f.field for f in FLAGS)):
        item[key] = d.get(key) is True
    item["rating_count"] = int(_float(d.get("rating_count")) or 0)
    item["rating_sources"] = int(_float(d.get("rating_sources")) or 0)
    for key in ("lat", "lon", "rating_value", "rating_bayes"):
        item[key] = _float(d.get(key))
    for key in ("kind", "street", "city", "region", "postal_code", "website", "last_verified_at", "updated_at"):
        value = d.get(key)
        item[key] = str(value) if value is not None else None
    item["kind"] = item["kind"] or "clinic"
    item["distance_km"] = round(hit.distance_km, 3) if hit.distance_km is not None else None
    item["url"] = f"/providers/{int(hit.id)}"
    return item
