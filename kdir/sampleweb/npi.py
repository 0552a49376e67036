"""NPI check digit (Luhn over the 9 leading digits prefixed with 80840), shared by the registry data and truth."""

from __future__ import annotations


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # rightmost digit of the payload is doubled (the check digit is not part of it)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def check_digit(first9: str) -> int:
    """The tenth digit that makes ``first9`` a valid NPI."""
    if len(first9) != 9 or not first9.isdigit():
        raise ValueError(f"NPI payload must be 9 digits, got {first9!r}")
    return (10 - (_luhn_sum("80840" + first9) % 10)) % 10


def is_valid_npi(npi: str) -> bool:
    """True when ``npi`` is 10 digits with a correct check digit (``1234567893`` is valid)."""
    return len(npi) == 10 and npi.isdigit() and check_digit(npi[:9]) == int(npi[9])


def make_npi(first9: str) -> str:
    return first9 + str(check_digit(first9))
