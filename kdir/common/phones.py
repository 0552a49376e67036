"""Phones to E.164 with ``phonenumbers`` (US default region); invalid numbers are dropped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

MAX_PHONES = 10
# Plain US formats ("(512) 555-0100", "512.555.0100", "+1 512-555-0100"): no need for the full parser.
_US = re.compile(r"^\s*(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?([2-9]\d{2})[\s.-]?(\d{4})\s*$")


def normalize_phone(raw: object, region: str = "US") -> str | None:
    """"(512) 555-0100" or "tel:+1-512-555-0100" -> "+15125550100"; None when it is not a phone number.

    The one phone normaliser of the project (extraction, the crawl pipeline and the indexer use it). Fictional
    555-01xx numbers are kept: they are structurally valid NANP numbers."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    return None if len(raw) > 64 else _normalize(raw, region)


@lru_cache(maxsize=65536)
def _normalize(raw: str, region: str) -> str | None:
    """Cached: a site prints the same numbers on every page and ``phonenumbers.parse`` costs ~0.1 ms."""
    if raw[:4].lower() == "tel:":
        raw = raw[4:]
    raw = raw.replace("%20", " ").replace("%2B", "+").replace("%2b", "+").strip()
    if not raw or sum(ch.isdigit() for ch in raw) < 10:
        return None
    m = _US.match(raw)
    if m and region == "US":
        return f"+1{m.group(1)}{m.group(2)}{m.group(3)}"
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    if num.country_code == 1 and not phonenumbers.is_valid_number(num):
        # 555-01xx fictional numbers are "possible" but not valid; keep them only if structurally NANP.
        national = str(num.national_number)
        if len(national) != 10 or national[0] in "01" or national[3] in "01":
            return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(raw: Iterable[object] | None) -> list[str]:
    """Normalised, de-duplicated, order kept."""
    out: list[str] = []
    for value in raw or ():
        phone = normalize_phone(value) if isinstance(value, str) else None
        if phone and phone not in out:
            out.append(phone)
        if len(out) >= MAX_PHONES:
            break
    return out


def display_phone(e164: object) -> str | None:
    """"+16025550104" -> "(602) 555-0104" (US numbers as people write them); other numbers in the international
    format; None when it is not a phone number."""
    phone = normalize_phone(e164) if isinstance(e164, str) else None
    if phone is None:
        return None
    if phone.startswith("+1") and len(phone) == 12:
        return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    try:
        return phonenumbers.format_number(phonenumbers.parse(phone, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return None
