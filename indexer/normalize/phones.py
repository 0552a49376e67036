"""Phones to E.164 with ``phonenumbers`` (US default region); invalid numbers are dropped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

MAX_PHONES = 10
# Plain US formats ("(512) 555-0100", "512.555.0100", "+1 512-555-0100"): no need for the full parser.
_US = re.compile(r"^\s*(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?([2-9]\d{2})[\s.-]?(\d{4})\s*$")


@lru_cache(maxsize=65536)
def normalize_phone(raw: str, region: str = "US") -> str | None:
    """"(512) 555-0100" -> "+15125550100"; None when it is not a valid number."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 64:
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
