"""Search hits -> result cards for the page and items for the API. Badges are words, never bare icons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from indexer.search.base import SearchHit
from indexer.search.documents import DOC_KEYS
from kdir.common.filters import FLAGS
from kdir.common.vocabulary import LABELS
from web.public.words import money
from web.security import safe_url, strip_highlight

KM_PER_MILE = 1.609344

#: Document flag -> (badge words, explanation shown in the guide): the registry's yes/no filters, the services
#: patients look for first, and the Spravato REMS claim (a badge, not a filter).
BADGES: dict[str, tuple[str, str]] = {
    **{f.field: (f.label, f.help) for f in FLAGS},
    "accepts_insurance": ("Accepts insurance",
                          "The provider says it accepts some insurance. Spravato is often covered; IV ketamine "
                          "usually is not. Ask your insurer."),
    "telehealth": ("Telehealth", "Offers visits by video. Prescribers must be licensed in your state."),
    "rems_claimed": ("Spravato REMS (claimed)",
                     "The provider says it is certified under the Spravato REMS programme. The public locator is "
                     "incomplete, so we show this as a claim with its source and date."),
}
#: Badge colour (the design system's modifiers): trust signals confirmed by a registry are positive.
BADGE_VARIANTS = {"verified": "positive", "psychiatrist": "positive", "therapist": "positive"}
PRICE_UNITS = {"session": "session", "infusion": "infusion", "series": "series", "consultation": "consultation",
               "treatment": "treatment", "visit": "visit", "month": "month"}


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
    badge_variants: list[str] = field(default_factory=list)  # one per badge: positive | warning | neutral
    website_label: str | None = None  # the site's host name
    phone: str | None = None  # "(602) 555-0104"
    phone_href: str | None = None  # "tel:+16025550104"
    price: str | None = None  # "from $450 per infusion"
    clinicians: str | None = None  # "3 of 4 clinicians verified"
    mismatch: str | None = None  # "1 credential does not match the registry"


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


def format_phone(e164: Any) -> tuple[str, str] | None:
    """("(602) 555-0104", "tel:+16025550104") from an E.164 number; None when it is not one."""
    if not isinstance(e164, str) or not e164.startswith("+") or not e164[1:].isdigit():
        return None
    if e164.startswith("+1") and len(e164) == 12:
        n = e164[2:]
        return f"({n[:3]}) {n[3:6]}-{n[6:]}", f"tel:{e164}"
    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL), f"tel:{e164}"


def price_line(d: dict[str, Any]) -> str | None:
    """"from $450 per infusion" (US dollars only: another currency is left to the provider's page)."""
    low = _float(d.get("price_min"))
    if low is None or low <= 0 or (d.get("price_currency") or "USD") != "USD":
        return None
    amount = money(low)
    unit = PRICE_UNITS.get(str(d.get("price_unit") or "").lower())
    return f"from {amount} per {unit}" if unit else f"from {amount}"


def _count(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def clinician_status(d: dict[str, Any]) -> tuple[str | None, str | None]:
    """("3 of 4 clinicians verified", "1 credential does not match the registry"): each clinician's registry
    check summarised honestly (None when the listing names no clinician / no mismatch)."""
    total, verified, mismatch = _count(d, "clinicians"), _count(d, "clinicians_verified"), _count(d,
                                                                                                   "credentials_mismatch")
    status = None
    if total == 1:
        status = "Clinician verified in the NPI registry" if verified else "Clinician not verified yet"
    elif total > 1:
        status = f"{min(verified, total)} of {total} clinicians verified"
    problem = None
    if mismatch:
        problem = f"{mismatch} credential{'' if mismatch == 1 else 's'} " \
                  f"{'does' if mismatch == 1 else 'do'} not match the registry"
    return status, problem


def card(hit: SearchHit) -> Card:
    d = hit.document
    status, problem = clinician_status(d)
    keys = [key for key in BADGES if d.get(key) is True or (key in ("accepts_insurance", "telehealth")
                                                            and key in (d.get("services") or []))]
    if problem:  # never "Credentials verified" on a card whose page shows a mismatch
        keys = [k for k in keys if k != "verified"]
    badges = [BADGES[key][0] for key in keys]
    variants = [BADGE_VARIANTS.get(key, "neutral") for key in keys]
    if problem:
        badges.append("Registry check: does not match")
        variants.append("warning")
    if d.get("stale") is True:
        badges.append("May be out of date")
        variants.append("warning")
    website = safe_url(d.get("website"))
    phones = [p for p in (format_phone(x) for x in d.get("phones") or []) if p]
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
        website=website, stale=d.get("stale") is True,
        notes=["Includes at-home ketamine"] if "at_home" in (d.get("modalities") or []) else [],
        badge_variants=variants, website_label=(urlsplit(website).hostname or None) if website else None,
        phone=phones[0][0] if phones else None, phone_href=phones[0][1] if phones else None,
        price=price_line(d), clinicians=status, mismatch=problem)


#: The search document's keys an API summary carries (all but the moderation status), by the type each is given.
API_FIELDS = tuple(key for key in DOC_KEYS if key != "status")
_LISTS = ("phones", "modalities", "conditions", "services", "practitioners", "npis", "licensed_states",
          "telehealth_states")
_BOOLS = ("stale", "rems_claimed", "accepts_insurance", "telehealth", *(f.field for f in FLAGS))
_FLOATS = ("price_min", "price_max", "lat", "lon", "rating_value", "rating_bayes")
_CODES = ("price_unit", "price_currency")  # strings or nothing
_TEXTS = ("kind", "street", "city", "region", "postal_code", "website", "last_verified_at", "updated_at")
_COUNTS = ("clinicians", "clinicians_verified", "credentials_mismatch")
_TYPED = {"id", "name", "rating_count", "rating_sources", *_LISTS, *_BOOLS, *_FLOATS, *_CODES, *_TEXTS, *_COUNTS}
_AS_STORED = tuple(key for key in API_FIELDS if key not in _TYPED)


def api_item(hit: SearchHit) -> dict[str, Any]:
    """A search hit as the API's ProviderSummary: known keys only, each of its documented type, with distance and
    the page URL. (One pass over precomputed key groups: it runs for every result of every API call.)"""
    d = hit.document
    get = d.get
    item: dict[str, Any] = {key: get(key) for key in _AS_STORED}
    for key in _LISTS:
        values = get(key)
        item[key] = [str(x) for x in values] if values else []
    for key in _BOOLS:
        item[key] = get(key) is True
    for key in _FLOATS:
        item[key] = _float(get(key))
    for key in _CODES:
        value = get(key)
        item[key] = value if isinstance(value, str) else None
    for key in _TEXTS:
        value = get(key)
        item[key] = str(value) if value is not None else None
    for key in _COUNTS:
        item[key] = _count(d, key)
    item["id"] = int(hit.id)
    item["name"] = strip_highlight(get("name"))
    item["kind"] = item["kind"] or "clinic"
    item["rating_count"] = int(_float(get("rating_count")) or 0)
    item["rating_sources"] = int(_float(get("rating_sources")) or 0)
    item["distance_km"] = round(hit.distance_km, 3) if hit.distance_km is not None else None
    item["url"] = f"/providers/{int(hit.id)}"
    return item
