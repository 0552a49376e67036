"""Normalise an item in place: E.164 phones, state codes, ZIPs, vocabulary codes, bounded text; bad values go.

Every value dropped is counted as invalid for its field (``kdir/fields/<field>/invalid``); nothing else is lost.
"""

from __future__ import annotations

import math
import re
from typing import Any

from scrapy.crawler import Crawler

from crawler.navigation import clean_url
from crawler.pipelines import invalid
from kdir.common.npi import is_valid_npi
from kdir.common.phones import normalize_phone
from kdir.common.record import Address, Geo, Practitioner, Price, ProviderItem, Rating, Review
from kdir.common.us_states import CODES as STATE_CODES
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

_WS = re.compile(r"\s+")
_EMAIL = re.compile(r"^[a-z0-9._%+-]{1,64}@(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}$")
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$")
_CREDENTIAL = re.compile(r"^[A-Z][A-Z0-9.\-/()]{0,19}$")
MAX_TEXT = 300
MAX_REVIEW = 5000
MAX_LIST = 200


def text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A one-line, whitespace-collapsed string of at most ``limit`` characters, or None."""
    if not isinstance(value, str):
        return None
    value = _WS.sub(" ", value.replace("\x00", "")).strip()
    return value[:limit] or None




def state(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    code = raw.strip().upper()
    if code in STATE_CODES:
        return code
    try:
        from crawler.extract.addresses import state_code
    except ImportError:  # the extraction package is optional for the pipeline
        return None
    return state_code(raw)


def postal(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    m = _ZIP.match(raw.strip())
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)


def _number(value: Any, lo: float, hi: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and lo <= value <= hi else None


class NormalisePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        return cls(crawler)

    def process_item(self, item: ProviderItem) -> ProviderItem:
        s = self.stats
        item.source = text(item.source, 120) or item.source
        item.name = text(item.name)
        item.website = self._url(item.website, "website")
        item.phones = self._phones(item.phones)
        if item.email is not None:
            email = (text(item.email, 254) or "").lower()
            if not _EMAIL.match(email):
                invalid(s, "email")
                email = ""
            item.email = email or None
        item.address = self._address(item.address)
        if item.geo is not None:
            lat = _number(getattr(item.geo, "lat", None), -90, 90)
            lon = _number(getattr(item.geo, "lon", None), -180, 180)
            if lat is None or lon is None or (lat == 0 and lon == 0):
                invalid(s, "geo")
                item.geo = None
            else:
                item.geo = Geo(lat, lon)
        if item.npi is not None:
            npi = str(item.npi).strip().replace("-", "").replace(" ", "")
            if not is_valid_npi(npi):
                invalid(s, "npi")
                npi = ""
            item.npi = npi or None
        item.modalities = self._codes(item.modalities, MODALITIES, "modalities")
        item.conditions = self._codes(item.conditions, CONDITIONS, "conditions")
        item.services = self._codes(item.services, SERVICES, "services")
        item.practitioners = self._practitioners(item.practitioners)
        item.rating = self._rating(item.rating)
        item.reviews = self._reviews(item.reviews)
        item.price = self._price(item.price)
        item.insurance = list(dict.fromkeys(t for t in (text(v, 120) for v in item.insurance or []) if t))[:MAX_LIST]
        if item.telehealth is not None and not isinstance(item.telehealth, bool):
            invalid(s, "telehealth")
            item.telehealth = None
        item.location_key = text(item.location_key, 500) or item.source_url
        return item

    # -- fields ----------------------------------------------------------------------------------------------
    def _url(self, raw: Any, field: str) -> str | None:
        if raw is None:
            return None
        url = clean_url(raw) if isinstance(raw, str) else None
        if url is None:
            invalid(self.stats, field)
        return url

    def _phones(self, raw: Any) -> list[str]:
        out: list[str] = []
        for value in raw if isinstance(raw, list) else []:
            phone = normalize_phone(value)
            if phone is None:
                invalid(self.stats, "phones")
            elif phone not in out:
                out.append(phone)
        return out[:20]

    def _address(self, addr: Any) -> Address | None:
        if not isinstance(addr, Address):
            return None
        region = None
        if addr.region is not None:
            region = state(addr.region)
            if region is None:
                invalid(self.stats, "address")
        code = None
        if addr.postal_code is not None:
            code = postal(str(addr.postal_code))
            if code is None:
                invalid(self.stats, "address")
        country = (text(addr.country, 2) or "US").upper() if addr.country else None
        out = Address(street=text(addr.street), city=text(addr.city, 120), region=region, postal_code=code,
                      country=country)
        return out if (out.street or out.city or out.region or out.postal_code) else None

    def _codes(self, raw: Any, vocab: tuple[str, ...], field: str) -> list[str]:
        values = [v for v in raw if isinstance(v, str)] if isinstance(raw, list) else []
        good = [v for v in dict.fromkeys(values) if v in vocab]
        invalid(self.stats, field, len(set(values)) - len(good))
        return good

    def _practitioners(self, raw: Any) -> list[Practitioner]:
        out: list[Practitioner] = []
        for p in raw if isinstance(raw, list) else []:
            name = text(getattr(p, "name", None), 120)
            if not name:
                invalid(self.stats, "practitioners")
                continue
            creds = []
            for c in getattr(p, "credentials", None) or []:
                c = (text(c, 20) or "").upper()
                if _CREDENTIAL.match(c) and c not in creds:
                    creds.append(c)
            npi = p.npi if is_valid_npi(p.npi) else None
            if p.npi is not None and npi is None:
                invalid(self.stats, "practitioners")
            out.append(Practitioner(name=name, credentials=creds, role=text(p.role, 120), npi=npi))
        return out[:MAX_LIST]

    def _rating(self, r: Any) -> Rating | None:
        if not isinstance(r, Rating):
            return None
        best = _number(r.best, 1, 100) or 5.0
        value = _number(r.value, 0, best)
        count = r.count if isinstance(r.count, int) and not isinstance(r.count, bool) and r.count >= 0 else None
        if value is None:
            invalid(self.stats, "rating")
            return None
        return Rating(value=value, count=count, best=best)

    def _reviews(self, raw: Any) -> list[Review]:
        out: list[Review] = []
        for r in raw if isinstance(raw, list) else []:
            if not isinstance(r, Review):
                invalid(self.stats, "reviews")
                continue
            body = r.text.strip()[:MAX_REVIEW] if isinstance(r.text, str) else None
            rating = _number(r.rating, 0, 100) if r.rating is not None else None
            if not body and rating is None:
                invalid(self.stats, "reviews")
                continue
            out.append(Review(text=body or None, rating=rating, date=text(r.date, 40), author=text(r.author, 120),
                              url=clean_url(r.url) if isinstance(r.url, str) else None,
                              self_published=r.self_published if isinstance(r.self_published, bool) else None))
        return out[:MAX_LIST]

    def _price(self, p: Any) -> Price | None:
        if not isinstance(p, Price):
            return None
        lo = _number(p.min, 0, 1e7) if p.min is not None else None
        hi = _number(p.max, 0, 1e7) if p.max is not None else None
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        if lo is None and hi is None:
            invalid(self.stats, "price")
            return None
        return Price(min=lo, max=hi, currency=(text(p.currency, 3) or "USD").upper(), unit=text(p.unit, 40))
