"""One observation's payload (``ProviderItem.to_dict()``) turned into clean, typed values.

The payload is scraped data: every field is type-checked here; anything malformed is dropped, never trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kdir.common.address import NormAddress, normalize_address
from kdir.common.geo import GeoResult, resolve_geo
from kdir.common.names import display_name, match_name, person_match_name
from kdir.common.npi import is_valid_npi
from kdir.common.phones import normalize_phones
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

_NPI = re.compile(r"^\d{10}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$")
_CRED = re.compile(r"^[A-Z][A-Z0-9-]{0,15}$")
MAX_LIST = 50
MAX_PRACTITIONERS = 100
MAX_REVIEWS = 200


class BadObservation(ValueError):
    """The payload cannot become a provider (e.g. no usable name); the message says why."""


@dataclass(frozen=True)
class NormPractitioner:
    name: str
    key: str  # person match form
    credentials: tuple[str, ...]
    role: str | None
    npi: str | None


@dataclass(frozen=True)
class NormReview:
    text: str | None
    rating: float | None
    best: float
    date: str | None
    author: str | None
    url: str | None


@dataclass
class NormRecord:
    kind: str
    name: str
    match_name: str
    website: str | None = None
    email: str | None = None
    phones: list[str] = field(default_factory=list)
    address: NormAddress | None = None
    geo: GeoResult | None = None
    npi: str | None = None
    modalities: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    insurance: list[str] = field(default_factory=list)
    telehealth: bool | None = None
    price: dict[str, Any] | None = None
    practitioners: list[NormPractitioner] = field(default_factory=list)
    credentials: tuple[str, ...] = ()  # a practitioner listing's own credentials
    rating: tuple[float, int] | None = None  # (value on a 5-point scale, count)
    reviews: list[NormReview] = field(default_factory=list)

    @property
    def zip(self) -> str | None:
        return self.address.postal_code if self.address else None

    def field_values(self) -> dict[str, Any]:
        """The evidence this observation gives, per field (empty values left out)."""
        values: dict[str, Any] = {"name": self.name}
        for key in ("website", "email", "npi", "telehealth", "price"):
            v = getattr(self, key)
            if v is not None:
                values[key] = v
        for key in ("phones", "modalities", "conditions", "services", "insurance", "credentials"):
            v = getattr(self, key)
            if v:
                values[key] = list(v)
        if self.address:
            values["address"] = self.address.as_dict()
        if self.geo:
            values["geo"] = {"lat": self.geo.lat, "lon": self.geo.lon, "geo_source": self.geo.source}
        return values


def valid_npi(value: object) -> str | None:
    """A 10-digit NPI string with a correct check digit, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    digits = value.strip().replace(" ", "").replace("-", "")
    if not _NPI.match(digits):
        return None
    return digits if is_valid_npi(digits) else None


def printed_npi(value: object) -> str | None:
    """The NPI as printed (10 digits, check digit not tested) so a bad one can be reported as invalid."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    digits = re.sub(r"[\s-]", "", value)
    return digits if _NPI.match(digits) else None


def _vocab(raw: object, allowed: tuple[str, ...]) -> list[str]:
    if not isinstance(raw, list):
        return []
    return sorted({v for v in raw[:MAX_LIST] if isinstance(v, str) and v in allowed})


def _strings(raw: object, cap: int = 120) -> list[str]:
    if not isinstance(raw, list):
        return []
    out = {t for v in raw[:MAX_LIST] if (t := display_name(v)) and len(t) <= cap}
    return sorted(out, key=str.lower)


def _website(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    url = raw.strip()
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", url, re.I) or len(url) > 2000:
        return None
    return url


def _float(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return f if f == f and abs(f) != float("inf") else None


def _price(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    lo, hi = _float(raw.get("min")), _float(raw.get("max"))
    if lo is None and hi is None:
        return None
    if (lo is not None and not 0 <= lo <= 1_000_000) or (hi is not None and not 0 <= hi <= 1_000_000):
        return None
    cur = raw.get("currency") if isinstance(raw.get("currency"), str) else "USD"
    unit = display_name(raw.get("unit"))
    return {"min": lo, "max": hi, "currency": (cur or "USD")[:3].upper(), "unit": unit[:40] if unit else None}


def _rating(raw: object) -> tuple[float, int] | None:
    if not isinstance(raw, dict):
        return None
    value, best = _float(raw.get("value")), _float(raw.get("best")) or 5.0
    count = raw.get("count")
    if value is None or best <= 0 or not 0 <= value <= best:
        return None
    n = count if isinstance(count, int) and not isinstance(count, bool) and 0 <= count < 10_000_000 else 0
    return round(value * 5.0 / best, 3), n


def _practitioners(raw: object) -> list[NormPractitioner]:
    out: dict[str, NormPractitioner] = {}
    if not isinstance(raw, list):
        return []
    for p in raw[:MAX_PRACTITIONERS]:
        if not isinstance(p, dict):
            continue
        name = display_name(p.get("name"))
        key = person_match_name(name)
        if not name or not key or len(key.split()) < 2:
            continue
        creds = p.get("credentials") if isinstance(p.get("credentials"), list) else []
        codes = tuple(sorted({c.strip().upper().replace(".", "") for c in creds[:10] if isinstance(c, str)
                              and _CRED.match(c.strip().upper().replace(".", ""))}))
        role = display_name(p.get("role"))
        out.setdefault(key, NormPractitioner(name, key, codes, role[:200] if role else None, printed_npi(p.get("npi"))))
    return list(out.values())


def _reviews(raw: object) -> list[NormReview]:
    if not isinstance(raw, list):
        return []
    out = []
    for r in raw[:MAX_REVIEWS]:
        if not isinstance(r, dict):
            continue
        text = r.get("text") if isinstance(r.get("text"), str) else None
        text = text.strip()[:5000] if text else None
        rating = _float(r.get("rating"))
        if rating is not None and not 0 <= rating <= 5:
            rating = None
        if not text and rating is None:
            continue
        date = r.get("date") if isinstance(r.get("date"), str) else None
        url = _website(r.get("url"))
        out.append(NormReview(text, rating, 5.0, date[:32] if date else None,
                              (display_name(r.get("author")) or None), url))
    return out


def normalize_item(payload: dict[str, Any]) -> NormRecord:
    """Normalise one stored payload; raise :class:`BadObservation` when it cannot be a provider."""
    if not isinstance(payload, dict):
        raise BadObservation("payload is not an object")
    name = display_name(payload.get("name"))
    kind = payload.get("kind") if payload.get("kind") in ("clinic", "practitioner") else "clinic"
    key = (person_match_name if kind == "practitioner" else match_name)(name)
    if not name or not key:
        raise BadObservation("no usable name")
    address = normalize_address(payload.get("address"))
    region = address.region if address else None
    postal = address.postal_code if address else None
    email = payload.get("email") if isinstance(payload.get("email"), str) else None
    telehealth = payload.get("telehealth") if isinstance(payload.get("telehealth"), bool) else None
    services = _vocab(payload.get("services"), SERVICES)
    if telehealth and "telehealth" not in services:
        services = sorted({*services, "telehealth"})
    practitioners = _practitioners(payload.get("practitioners"))
    credentials: tuple[str, ...] = ()
    npi = printed_npi(payload.get("npi"))
    if kind == "practitioner" and practitioners:
        # A solo practice lists its own person: that entry describes the listing itself.
        own = [p for p in practitioners if npi and p.npi == npi] or (practitioners if len(practitioners) == 1 else [])
        if own:
            me = own[0]
            practitioners = [p for p in practitioners if p is not me]
            name, key, credentials, npi = me.name, me.key, me.credentials, npi or me.npi
    return NormRecord(
        kind=kind, name=name, match_name=key, credentials=credentials, website=_website(payload.get("website")),
        email=email.strip().lower() if email and len(email.strip()) <= 320 and _EMAIL.match(email.strip()) else None,
        phones=normalize_phones(payload.get("phones") if isinstance(payload.get("phones"), list) else None),
        address=address, geo=resolve_geo(payload.get("geo"), region, postal), npi=npi,
        modalities=_vocab(payload.get("modalities"), MODALITIES),
        conditions=_vocab(payload.get("conditions"), CONDITIONS), services=services,
        insurance=_strings(payload.get("insurance")), telehealth=telehealth, price=_price(payload.get("price")),
        practitioners=practitioners, rating=_rating(payload.get("rating")),
        reviews=_reviews(payload.get("reviews")),
    )
