"""The one normaliser: a provider record in, a clean record of the same shape out, with one set of rules.

Pure and idempotent. Every value is type-checked (scraped data is hostile); text is one line and bounded;
phones are E.164, states two-letter codes, ZIPs five digits, vocabulary codes known ones, URLs http(s). A value
that was printed but cannot be used is never lost silently: it becomes an :class:`~kdir.common.record.Issue`
naming the field, the printed value and the reason, and printed NPIs stay as printed (ten digits) even when
their check digit is wrong, so verification can report ``invalid_number`` and moderators can see the number.

Applied where items enter the system (the crawler's pipeline) and, for observations stored under older rules
(``normalised`` < :data:`RULES_VERSION`), again by the indexer when it reads them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from kdir.common.address import normalize_address, parse_zip
from kdir.common.emails import normalize_email
from kdir.common.geo import zip_info
from kdir.common.names import display_name, person_match_name
from kdir.common.npi import is_valid_npi
from kdir.common.phones import normalize_phone
from kdir.common.record import (
    KINDS,
    Address,
    Geo,
    Issue,
    Practitioner,
    Price,
    ProviderItem,
    Rating,
    Review,
)
from kdir.common.urls import clean_url
from kdir.common.us_states import state_code
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

#: Bump when a rule changes: stored observations normalised under an older version are normalised again.
RULES_VERSION = 1
MAX_TEXT = 300
MAX_LIST = 50
MAX_PHONES = 10
MAX_PRACTITIONERS = 100
MAX_REVIEWS = 200
MAX_REVIEW_TEXT = 5000
MAX_PRICE = 1_000_000
_CREDENTIAL = re.compile(r"^[A-Z][A-Z0-9/-]{0,19}$")
_CREDENTIAL_SPLIT = re.compile(r"[\s,;]+")
_NPI_NOISE = re.compile(r"[\s.-]")
_MAX_ISSUE_VALUE = 200


def normalise(item: ProviderItem) -> ProviderItem:
    """The clean record of ``item`` (a new object; ``item`` is left as it was)."""
    if item.normalised == RULES_VERSION:
        return item
    issues: list[Issue] = [x for x in item.issues if isinstance(x, Issue)]

    def bad(field: str, value: object, reason: str) -> None:
        issues.append(Issue(field, str(value)[:_MAX_ISSUE_VALUE], reason))

    kind = item.kind if item.kind in KINDS else "clinic"
    services = codes(item.services, SERVICES, "services", bad)
    telehealth = item.telehealth if isinstance(item.telehealth, bool) else None
    if item.telehealth is not None and telehealth is None:
        bad("telehealth", item.telehealth, "not yes or no")
    if telehealth and "telehealth" not in services:
        services = [c for c in SERVICES if c in {*services, "telehealth"}]
    out = replace(
        item,
        source=text(item.source, 120) or item.source,
        kind=kind,
        name=display_name(item.name),
        website=url(item.website, "website", bad),
        phones=phones(item.phones, bad),
        email=email(item.email, bad),
        address=address(item.address, bad),
        geo=geo(item.geo, bad),
        npi=printed_npi(item.npi, "npi", bad),
        modalities=codes(item.modalities, MODALITIES, "modalities", bad),
        conditions=codes(item.conditions, CONDITIONS, "conditions", bad),
        services=services,
        practitioners=practitioners(item.practitioners, bad),
        credentials=credentials(item.credentials),
        rating=rating(item.rating, bad),
        reviews=reviews(item.reviews, bad),
        price=price(item.price, bad),
        insurance=strings(item.insurance, 120),
        telehealth=telehealth,
        location_key=text(item.location_key, 500) or item.source_url,
        issues=list(dict.fromkeys(issues)),
        normalised=RULES_VERSION,
    )
    if kind == "practitioner":
        _own_person(out)
    return out


def text(value: object, limit: int = MAX_TEXT) -> str | None:
    """One line, whitespace collapsed, control characters dropped, at most ``limit`` characters; or None."""
    name = display_name(value)
    return name[:limit] if name else None


def strings(raw: object, limit: int) -> list[str]:
    """Distinct one-line strings (case-insensitively) no longer than ``limit``, in order, at most
    :data:`MAX_LIST` (a longer one is a sentence, not a name)."""
    out: dict[str, str] = {}
    for value in _list(raw):
        t = display_name(value)
        if t and len(t) <= limit and t.casefold() not in out:
            out[t.casefold()] = t
    return list(out.values())[:MAX_LIST]


def url(raw: object, field: str, bad: Any) -> str | None:
    if raw is None:
        return None
    cleaned = clean_url(raw) if isinstance(raw, str) and len(raw) <= 2000 else None
    if cleaned is None:
        bad(field, raw, "not a web address (http or https)")
    return cleaned


def phones(raw: object, bad: Any) -> list[str]:
    out: list[str] = []
    for value in _list(raw):
        phone = normalize_phone(value)
        if phone is None:
            bad("phones", value, "not a phone number")
        elif phone not in out:
            out.append(phone)
    return out[:MAX_PHONES]


def email(raw: object, bad: Any) -> str | None:
    if raw is None:
        return None
    found = normalize_email(raw)
    if found is None:
        bad("email", raw, "not an e-mail address")
    return found


def address(raw: object, bad: Any) -> Address | None:
    if not isinstance(raw, Address):
        _malformed("address", raw, bad)
        return None
    if raw.region is not None and state_code(raw.region) is None:
        bad("address", raw.region, "not a US state")
    printed_zip = raw.postal_code
    if printed_zip is not None and parse_zip(printed_zip) is None:
        bad("address", printed_zip, "not a US ZIP code")
    out = normalize_address(raw)
    if out is not None and out.postal_code:
        info = zip_info(out.postal_code)
        if info is None:
            bad("address", out.postal_code, "no such US ZIP code")
        elif out.region and info.state != out.region:
            bad("address", f"{out.postal_code} {out.region}", f"the ZIP code {out.postal_code} is in {info.state}")
    return out


def geo(raw: object, bad: Any) -> Geo | None:
    if not isinstance(raw, Geo):
        _malformed("geo", raw, bad)
        return None
    lat, lon = _number(raw.lat, -90, 90), _number(raw.lon, -180, 180)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        bad("geo", f"{raw.lat},{raw.lon}", "not a point on Earth (or 0,0)")
        return None
    return Geo(lat, lon, raw.source if raw.source in ("source", "zip_centroid") else "source")


def printed_npi(raw: object, field: str, bad: Any) -> str | None:
    """The NPI as printed, digits only. Kept when its check digit is wrong (with an issue): that is evidence."""
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    digits = _NPI_NOISE.sub("", raw) if isinstance(raw, str) else ""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        bad(field, raw, "an NPI has 10 digits")
        return None
    if not is_valid_npi(digits):
        bad(field, digits, "the NPI check digit is wrong")
    return digits


def codes(raw: object, vocabulary: tuple[str, ...], field: str, bad: Any) -> list[str]:
    """Known vocabulary codes, in vocabulary order."""
    present: set[str] = set()
    for value in _list(raw):
        if isinstance(value, str) and value in vocabulary:
            present.add(value)
        else:
            bad(field, value, "not a known code")
    return [c for c in vocabulary if c in present]


def credentials(raw: object) -> list[str]:
    """Credential codes: dots dropped, upper case, lists split ("MA LPC NCC" -> MA, LPC, NCC), known shape."""
    out: list[str] = []
    for value in _list(raw):
        if not isinstance(value, str):
            continue
        for part in _CREDENTIAL_SPLIT.split(value.replace(".", "").upper()):
            part = part.strip("()!?*")
            if part and _CREDENTIAL.match(part) and part not in out:
                out.append(part)
    return out[:10]


def practitioners(raw: object, bad: Any) -> list[Practitioner]:
    out: dict[str, Practitioner] = {}
    for p in _list(raw)[:MAX_PRACTITIONERS]:
        if not isinstance(p, Practitioner):
            bad("practitioners", p, "not a person")
            continue
        name = text(p.name, 120)
        key = person_match_name(name)
        if not name or len(key.split()) < 2:
            bad("practitioners", p.name, "not a person's full name")
            continue
        if key in out:
            continue
        out[key] = Practitioner(name, credentials(p.credentials), text(p.role, 200),
                                printed_npi(p.npi, "practitioners", bad))
    return list(out.values())


def rating(raw: object, bad: Any) -> Rating | None:
    """On a 5-point scale (a rating out of 10 or 100 is rescaled)."""
    if not isinstance(raw, Rating):
        _malformed("rating", raw, bad)
        return None
    best = _number(raw.best, 1, 100) or 5.0
    value = _number(raw.value, 0, best)
    if value is None:
        bad("rating", raw.value, f"not a rating between 0 and {best:g}")
        return None
    count = raw.count if isinstance(raw.count, int) and not isinstance(raw.count, bool) \
        and 0 <= raw.count < 10_000_000 else None
    return Rating(round(value * 5.0 / best, 3), count, 5.0)


def reviews(raw: object, bad: Any) -> list[Review]:
    out: list[Review] = []
    for r in _list(raw)[:MAX_REVIEWS]:
        if not isinstance(r, Review):
            bad("reviews", r, "not a review")
            continue
        body = r.text.strip()[:MAX_REVIEW_TEXT] if isinstance(r.text, str) else None
        value = _number(r.rating, 0, 5) if r.rating is not None else None
        if not body and value is None:
            bad("reviews", r.text or r.rating, "neither text nor a rating")
            continue
        out.append(replace(r, text=body or None, rating=value, date=text(r.date, 32), author=text(r.author, 120),
                           url=clean_url(r.url) if isinstance(r.url, str) else None))
    return out


def price(raw: object, bad: Any) -> Price | None:
    if not isinstance(raw, Price):
        _malformed("price", raw, bad)
        return None
    lo = _number(raw.min, 0, MAX_PRICE) if raw.min is not None else None
    hi = _number(raw.max, 0, MAX_PRICE) if raw.max is not None else None
    if (lo is None and hi is None) or (raw.min is not None and lo is None) or (raw.max is not None and hi is None):
        bad("price", f"{raw.min}-{raw.max}", "not a price")
        return None
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    currency = (text(raw.currency, 3) or "USD").upper()
    return Price(min=lo, max=hi, currency=currency, unit=text(raw.unit, 40))


def _own_person(item: ProviderItem) -> None:
    """A practitioner listing describes one person: the entry about that person (same NPI, same name, or the
    only one when the listing has no credentials of its own yet) becomes the listing's own name, credentials
    and NPI."""
    people = item.practitioners
    key = person_match_name(item.name)
    own = [p for p in people if item.npi and p.npi == item.npi] \
        or [p for p in people if key and person_match_name(p.name) == key] \
        or (people if len(people) == 1 and not item.credentials else [])
    if not own:
        return
    me = own[0]
    item.practitioners = [p for p in people if p is not me]
    item.name = me.name
    item.credentials = list(dict.fromkeys([*item.credentials, *me.credentials]))
    item.npi = item.npi or me.npi


def _malformed(field: str, raw: object, bad: Any) -> None:
    """Report a value of the wrong shape (unless it was simply absent)."""
    if raw is not None:
        bad(field, raw, "malformed value")


def _list(raw: object) -> list[Any]:
    return list(raw) if isinstance(raw, list | tuple) else []


def _number(value: object, lo: float, hi: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and lo <= number <= hi else None


def count_issues(issues: Iterable[Issue]) -> dict[str, int]:
    """Issues per field, for crawl statistics."""
    out: dict[str, int] = {}
    for issue in issues:
        out[issue.field] = out.get(issue.field, 0) + 1
    return out
