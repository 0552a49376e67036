"""The NPI check digit: Luhn over the nine leading digits prefixed with 80840 (DOMAIN.md section 3).

Shared by extraction, normalisation, verification, moderation, the web and the sample registry."""

from __future__ import annotations


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)  # the rightmost payload digit is doubled
        total += d - 9 if d > 9 else d
    return total


def check_digit(first9: str) -> int:
    """The tenth digit that makes ``first9`` a valid NPI."""
    if len(first9) != 9 or not first9.isascii() or not first9.isdigit():
        raise ValueError(f"NPI payload must be 9 digits, got {first9!r}")
    return (10 - _luhn_sum("80840" + first9) % 10) % 10


def is_valid_npi(npi: object) -> bool:
    """True for a 10-digit string with a correct check digit (``1234567893`` is valid, ``1234567890`` not)."""
    if not isinstance(npi, str) or len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    return check_digit(npi[:9]) == int(npi[9])


def make_npi(first9: str) -> str:
    return first9 + str(check_digit(first9))


REGISTRY_PAGE = "https://npiregistry.cms.hhs.gov/provider-view/{npi}"


def registry_page(npi: object) -> str | None:
    """The registry's public page for a valid NPI (the evidence a patient can open), else None."""
    return REGISTRY_PAGE.format(npi=npi) if is_valid_npi(npi) else None
