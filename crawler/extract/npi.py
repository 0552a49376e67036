"""NPI numbers: Luhn check over "80840" + the first nine digits; find numbers printed near "NPI" labels."""

from __future__ import annotations

import re

from kdir.common.npi import is_valid_npi

LABELLED = re.compile(
    r"\bN\.?P\.?I\b\.?(?:\s*(?:#|no\.?|num(?:ber)?\.?|id))?\s*[:#=\-\u2013]?\s*"
    r"(\d{3}[\s-]\d{3}[\s-]\d{4}|\d{4}[\s-]\d{3}[\s-]\d{3}|\d{5,12})(?![\d])",
    re.I,
)




def clean_npi(raw: object) -> str | None:
    """Digits of a printed NPI if it is a valid one, else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    digits = re.sub(r"[\s-]", "", raw.strip())
    return digits if is_valid_npi(digits) else None


def find_npis(text: str) -> tuple[list[str], list[str]]:
    """(valid, invalid) numbers printed after an "NPI" label, each list in order without duplicates.

    ``invalid`` holds labelled 10-digit numbers that fail the check digit, and labelled numbers of the
    wrong length, so verification can report ``invalid_number``."""
    valid: list[str] = []
    invalid: list[str] = []
    if "npi" not in text.lower() and "n.p.i" not in text.lower():
        return valid, invalid
    for m in LABELLED.finditer(text):
        digits = re.sub(r"[\s-]", "", m.group(1))
        target = valid if is_valid_npi(digits) else invalid
        if digits not in target:
            target.append(digits)
    return valid, invalid
