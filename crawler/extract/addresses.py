"""US postal addresses: find "City, ST 12345" anchors in text lines, tag with usaddress, check ZIP vs state."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import usaddress

from kdir.common.address import parse_zip
from kdir.common.geo import city_key, zip_info
from kdir.common.record import Address
from kdir.common.us_states import CODES, STATES, state_code

_STATE_ALT = "|".join(sorted((re.escape(n) for n in STATES), key=len, reverse=True))
_CODE_ALT = "|".join(sorted(CODES))
#: "City, ST 12345" / "City, State 12345-6789" anchor (the ZIP is required: it is what makes it an address)
_ANCHOR = re.compile(
    rf"(?:,|\s)\s*(?:(?-i:{_CODE_ALT})|(?i:{_STATE_ALT})|(?-i:[A-Z][a-z]{{2,4}})\.?)\.?,?\s+(\d{{5}}(?:[-\u2013]\d{{4}})?)(?!\d)"
)
_STREET_START = re.compile(
    r"^(?:\d{1,6}[A-Za-z]?(?:[-\u2013]\d+)?\s+\S|P\.?\s?O\.?\s+Box|One\s|Two\s|Suite\s|Ste\.?\s|Unit\s|#\d)", re.I
)
_PREFIX_NOISE = re.compile(r"^(?:address|location|office|visit us|find us|our office|directions)\s*[:\-\u2013]\s*", re.I)
_SEPARATORS = re.compile(r"\s*[\u2022\u00b7|\u2013\u2014]\s*")
_NUMBER_START = re.compile(r"(?:^|[\s,:;(])(\d{1,6}[A-Za-z]?\s+(?:[A-Z]|\d+(?:st|nd|rd|th)\b))")
#: footer credits name the web agency's address, not the clinic's
_CREDIT = re.compile(r"\u00a9|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|\b(?:website|site|designed|powered|"
                     r"built|developed|marketing|web design)\s+by\b", re.I)
_UNIT_BEFORE = re.compile(r"\b(?:suite|ste|unit|apt|apartment|floor|fl|room|rm|bldg|building|no)\.?\s*$|#\s*$", re.I)
_FIVE_DIGITS = re.compile(r"\d{5}")

_STREET_PARTS = (
    "AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix", "StreetNamePreModifier",
    "StreetNamePreDirectional", "StreetNamePreType", "StreetName", "StreetNamePostType",
    "StreetNamePostDirectional", "StreetNamePostModifier", "USPSBoxType", "USPSBoxID", "BuildingName",
    "OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier", "CornerOf",
    "IntersectionSeparator", "SecondStreetName", "SecondStreetNamePostType",
)


def normalize_zip(raw: object) -> str | None:
    """The ZIP as printed on the page, ZIP+4 kept ("78701-1234"); the record's normaliser keeps five digits."""
    parsed = parse_zip(raw)
    if parsed is None:
        return None
    return parsed[0] + (f"-{parsed[1]}" if parsed[1] else "")


def parse_address(text: str) -> Address | None:
    """Tag one address string with usaddress; None unless it yields at least a street or city plus a ZIP/state.

    Results are cached (a site repeats its footer address on every page); each call returns a fresh Address."""
    if not isinstance(text, str):
        return None
    parts = _parse_cached(text[:300])
    return Address(*parts) if parts is not None else None


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> tuple[str | None, str | None, str | None, str | None, str] | None:
    addr = _parse(text)
    return None if addr is None else (addr.street, addr.city, addr.region, addr.postal_code, "US")


def _parse(text: str) -> Address | None:
    text = _PREFIX_NOISE.sub("", text.strip())[:300]
    if not text:
        return None
    try:
        tokens = usaddress.parse(text)
    except Exception:  # noqa: BLE001 - the CRF tagger can fail on odd input; bad input loses nothing
        return None
    labels = {label for _tok, label in tokens}
    has_number = "AddressNumber" in labels or "USPSBoxID" in labels
    tagged: dict[str, str] = {}
    street_tokens: list[str] = []
    for token, label in tokens:
        if label in _STREET_PARTS:
            if label == "BuildingName" and has_number:
                continue  # "the Washington Building" before "812 SW Washington St": prose, not street
            if label == "OccupancyType" and street_tokens and not street_tokens[-1].endswith(","):
                street_tokens[-1] += ","
            street_tokens.append(token)
        elif label not in tagged:
            tagged[label] = token
        elif label == "PlaceName":
            tagged[label] = f"{tagged[label]} {token}"
    if has_number:
        # drop tokens tagged as street parts that come before the house number (a prose lead-in)
        first = next(i for i, (_t, lab) in enumerate(tokens) if lab in ("AddressNumber", "USPSBoxType", "USPSBoxID"))
        lead = sum(1 for _t, lab in tokens[:first] if lab in _STREET_PARTS and lab != "BuildingName")
        street_tokens = street_tokens[lead:] if lead < len(street_tokens) else street_tokens
    street = " ".join(street_tokens).replace("# ", "#").strip(" ,") or None
    city = (tagged.get("PlaceName") or "").strip(" ,") or None
    region = state_code(tagged.get("StateName"))
    postal = normalize_zip((tagged.get("ZipCode") or "").strip(" ,"))
    if street:
        street = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", street))
    if postal and not city:
        info = zip_info(postal)
        if info and (region is None or info.state == region):
            city, region = info.city, info.state
    if not (postal or region) or not (street or city):
        return None
    # a street without a number is usually a mis-tagged sentence fragment
    no_number = street and not any(ch.isdigit() for ch in street) and "box" not in street.lower()
    if no_number and not tagged.get("StreetNamePostType"):
        street = None
        if not city:
            return None
    return Address(street=street, city=city, region=region, postal_code=postal, country="US")


def find_addresses(lines: Sequence[str]) -> list[tuple[Address, int, int]]:
    """Addresses in text lines: (address, first line index, last line index). An address is anchored on a
    "City, ST 12345" pattern; its street is taken from the same line or the one or two lines before."""
    out: list[tuple[Address, int, int]] = []
    seen: set[tuple[str | None, str | None]] = set()
    for i, line in enumerate(lines):
        line = line[:20000]
        if not _FIVE_DIGITS.search(line) or _CREDIT.search(line):
            continue
        prev_end = 0
        for n, m in enumerate(_ANCHOR.finditer(line)):
            if n >= 20 or len(out) >= 100:
                break
            own = line[max(prev_end, m.end() - 200): m.end()]
            prev_end = m.end()
            head, start = own, i
            # the street may sit on the previous lines ("123 Main St" / "Suite 4" / "Austin, TX 78701")
            if not _has_street(head) and n == 0:
                for back in (1, 2):
                    j = i - back
                    if j < 0 or len(lines[j]) > 120:
                        break
                    head = f"{lines[j]}, {head}"
                    start = j
                    if _STREET_START.match(lines[j]):
                        break
                else:
                    head, start = own, i
            # keep only the tail of a long line: the address is at its end
            if len(head) > 160:
                head = head[-160:]
            addr = _street_trim(head)
            if addr is None:
                continue
            if addr.region and addr.region not in CODES:
                continue
            if addr.street is None and not _city_agrees(addr):
                continue
            key = (addr.street and addr.street.lower(), addr.postal_code)
            if key in seen:
                continue
            seen.add(key)
            out.append((addr, start, i))
    return out


def _city_agrees(addr: Address) -> bool:
    info = zip_info(addr.postal_code)
    return bool(info and addr.city and city_key(info.city) == city_key(addr.city))


def _has_street(head: str) -> bool:
    return bool(re.search(r"(?:^|[\s,])\d{1,6}[A-Za-z]?\s+[A-Za-z0-9]", head) or re.search(r"box\s+\d", head, re.I))


def _street_trim(head: str) -> Address | None:
    """Parse from the first street number when the text has a prose lead-in, else the whole text."""
    head = _SEPARATORS.sub(", ", head)
    # the house number nearest the "City, ST ZIP" anchor wins ("(c) 2024 Acme | 100 Main St, Austin, TX")
    starts = [m.start(1) for m in _NUMBER_START.finditer(head)][-4:]
    for start in reversed(starts):
        if _UNIT_BEFORE.search(head[max(0, start - 12): start]):
            continue  # "Suite 300 Portland": a unit number, not a house number
        alt = parse_address(head[start:])
        if alt is not None and alt.street and alt.street[:1].isdigit() and _real_street(alt.street):
            return alt
    return parse_address(head)


def _real_street(street: str) -> bool:
    """A number followed by at least one word with letters ("300" alone is a suite, not a street)."""
    words = street.split()
    return len(words) >= 2 and any(c.isalpha() for c in words[1])
