"""US addresses: USPS abbreviations, unit designators ("Suite 210" = "Ste 210" = "#210"), two-letter states,
ZIP+4 -> ZIP. One-line addresses ("12 Main St, Austin, TX 78701") are split with ``usaddress``."""

from __future__ import annotations

import re
from functools import lru_cache

from kdir.common.names import display_name
from kdir.common.record import Address
from kdir.common.us_states import state_code

# USPS Publication 28 street suffixes and secondary unit designators (the common ones).
SUFFIXES = {
    "street": "St", "st": "St", "str": "St", "avenue": "Ave", "ave": "Ave", "av": "Ave", "boulevard": "Blvd",
    "blvd": "Blvd", "road": "Rd", "rd": "Rd", "drive": "Dr", "dr": "Dr", "lane": "Ln", "ln": "Ln",
    "court": "Ct", "ct": "Ct", "place": "Pl", "pl": "Pl", "parkway": "Pkwy", "pkwy": "Pkwy", "highway": "Hwy",
    "hwy": "Hwy", "circle": "Cir", "cir": "Cir", "terrace": "Ter", "ter": "Ter", "square": "Sq", "sq": "Sq",
    "trail": "Trl", "trl": "Trl", "way": "Way", "plaza": "Plz", "plz": "Plz", "center": "Ctr", "ctr": "Ctr",
    "expressway": "Expy", "freeway": "Fwy", "pike": "Pike", "alley": "Aly", "loop": "Loop", "crossing": "Xing",
}
DIRECTIONS = {"north": "N", "south": "S", "east": "E", "west": "W", "northeast": "NE", "northwest": "NW",
              "southeast": "SE", "southwest": "SW", "n": "N", "s": "S", "e": "E", "w": "W", "ne": "NE",
              "nw": "NW", "se": "SE", "sw": "SW"}
UNITS = {"suite": "Ste", "ste": "Ste", "#": "Ste", "unit": "Unit", "apartment": "Apt", "apt": "Apt",
         "building": "Bldg", "bldg": "Bldg", "floor": "Fl", "fl": "Fl", "room": "Rm", "rm": "Rm"}
_TOKEN = re.compile(r"#|[^\s,#]+")
_ZIP = re.compile(r"^\s*(\d{5})(?:[-\s\u2013]?(\d{4}))?\s*$")
_ONE_LINE = re.compile(r",|\b\d{5}(?:-\d{4})?\s*$")
MAX_STREET = 300


def parse_zip(raw: object) -> tuple[str, str | None] | None:
    """(ZIP5, plus-4 or None) of a 5 or 9 digit ZIP ("78701-1234", "787011234", 78701), else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"{raw:05d}"
    if not isinstance(raw, str):
        return None
    m = _ZIP.match(raw)
    return (m.group(1), m.group(2)) if m else None


def normalize_zip(raw: object) -> str | None:
    """"78701-1234" -> "78701"; anything that is not a 5 or 9 digit ZIP -> None."""
    parsed = parse_zip(raw)
    return parsed[0] if parsed else None


def _cap(word: str) -> str:
    return word if any(c.isdigit() for c in word) else word[:1].upper() + word[1:].lower() if word.isupper() or \
        word.islower() else word


@lru_cache(maxsize=131072)
def normalize_street(raw: str) -> str | None:
    """"123 north main street, suite 210" -> "123 N Main St Ste 210"."""
    text = display_name(raw)
    if not text:
        return None
    tokens = _TOKEN.findall(text.replace(".", " "))
    out: list[str] = []
    seen_unit = False
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if low in UNITS and i + 1 < len(tokens):
            out.append(UNITS[low])
            seen_unit = True
            continue
        if low.startswith("#") and len(low) > 1:
            out.extend(["Ste", tok[1:]])
            seen_unit = True
            continue
        # A suffix or direction only after the house number and before any unit.
        if not seen_unit and i > 0 and low in SUFFIXES and (i + 1 == len(tokens) or tokens[i + 1].lower() in UNITS
                                                           or tokens[i + 1].startswith("#")
                                                           or tokens[i + 1].lower() in DIRECTIONS):
            out.append(SUFFIXES[low])
            continue
        if not seen_unit and low in DIRECTIONS and (i == 1 or i == len(tokens) - 1 or
                                                     (i + 1 < len(tokens) and tokens[i + 1].lower() in UNITS)):
            out.append(DIRECTIONS[low])
            continue
        out.append(_cap(tok))
    # "Ste Ste 210" after "Suite #210"
    cleaned: list[str] = []
    for tok in out:
        if cleaned and tok == "Ste" and cleaned[-1] == "Ste":
            continue
        cleaned.append(tok)
    return " ".join(cleaned)[:MAX_STREET] or None


def street_key(street: str | None) -> str:
    """Match form of a normalised street: lowercase, single spaces."""
    return (street or "").lower()


def _split_one_line(text: str) -> dict[str, str]:
    import usaddress

    try:
        tagged, _kind = usaddress.tag(text)
    except (usaddress.RepeatedLabelError, ValueError, TypeError):
        return {}
    parts: dict[str, list[str]] = {"street": [], "city": [], "region": [], "postal_code": []}
    for label, value in tagged.items():
        if label == "PlaceName":
            parts["city"].append(value)
        elif label == "StateName":
            parts["region"].append(value)
        elif label == "ZipCode":
            parts["postal_code"].append(value)
        elif label not in ("CountryName", "Recipient"):
            parts["street"].append(value)
    return {k: " ".join(v) for k, v in parts.items() if v}


_ADDRESS_KEYS = ("street", "city", "region", "postal_code", "country")


def normalize_address(raw: Address | dict[str, object] | None) -> Address | None:
    """Normalise an address (or its dict form); None when nothing usable is left. Memoised (realistic data
    repeats addresses across sources and runs); every call returns a fresh Address."""
    values: dict[str, object]
    if isinstance(raw, Address):
        values = dict(raw.as_dict())
    elif isinstance(raw, dict):
        values = raw
    else:
        return None
    key = tuple(values.get(k) for k in _ADDRESS_KEYS)
    if all(v is None or type(v) is str for v in key):  # only these keys are read
        hit = _normalize_address_cached(key)
        return Address(*hit) if hit else None
    return _normalize_address(values)


@lru_cache(maxsize=16384)
def _normalize_address_cached(key: tuple[str | None, ...]) -> tuple[str | None, ...] | None:
    found = _normalize_address(dict(zip(_ADDRESS_KEYS, key, strict=True)))
    return tuple(found.as_dict().values()) if found else None


def _normalize_address(raw: dict[str, object]) -> Address | None:
    raw_street = raw.get("street")
    street = raw_street if isinstance(raw_street, str) else None
    city = display_name(raw.get("city"))
    region = state_code(raw.get("region"))
    postal = normalize_zip(raw.get("postal_code"))
    if street and _ONE_LINE.search(street) and not (city and region and postal):
        parts = _split_one_line(street)
        if parts.get("street"):
            street = parts["street"]
            city = city or display_name(parts.get("city"))
            region = region or state_code(parts.get("region"))
            postal = postal or normalize_zip(parts.get("postal_code"))
    raw_country = raw.get("country")
    country = (raw_country if isinstance(raw_country, str) else "US").strip().upper()[:2] or "US"
    if country in ("US", "USA"):
        country = "US"
    norm_street = normalize_street(street) if street else None
    if city:
        city = " ".join(_cap(w) for w in city.split())[:120]
    if not (norm_street or city or postal):
        return None
    return Address(norm_street, city, region, postal, country)
