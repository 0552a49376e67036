"""Claimed credential codes and the NUCC taxonomy codes consistent with each (DOMAIN.md section 3)."""

from __future__ import annotations

#: credential code as printed (upper case, dots removed) -> category
CODES: dict[str, str] = {
    "MD": "physician", "DO": "physician",
    "NP": "np", "FNP": "np", "FNP-BC": "np", "FNP-C": "np", "APRN": "np", "CNP": "np", "DNP": "np",
    "PMHNP": "psych_np", "PMHNP-BC": "psych_np", "PMHNP-C": "psych_np",
    "CRNA": "crna", "PA": "pa", "PA-C": "pa",
    "LCSW": "social_worker", "LICSW": "social_worker", "LCSW-C": "social_worker", "LISW": "social_worker",
    "LPC": "counselor", "LMHC": "counselor", "LCPC": "counselor", "LPCC": "counselor", "LPC-S": "counselor",
    "LMFT": "mft", "MFT": "mft", "PSYD": "psychologist", "LP": "psychologist", "PSYCHOLOGIST": "psychologist",
}
PRESCRIBERS = frozenset({"physician", "np", "psych_np", "crna", "pa"})
THERAPISTS = frozenset({"social_worker", "counselor", "mft", "psychologist", "psych_np"})


def category(code: str | None) -> str | None:
    return CODES.get((code or "").upper().replace(".", ""))


def taxonomy_consistent(cat: str | None, taxonomy_codes: list[str]) -> bool:
    """Does any registry taxonomy fit the claimed category? (No claimed category: anything fits.)"""
    if cat is None:
        return True
    for code in taxonomy_codes:
        code = (code or "").upper()
        if cat == "physician" and code.startswith("20"):
            return True
        if cat == "np" and code.startswith("363L"):
            return True
        if cat == "psych_np" and code.startswith("363L"):
            return True
        if cat == "crna" and code == "367500000X":
            return True
        if cat == "pa" and code.startswith("363A"):
            return True
        if cat == "social_worker" and code.startswith("1041C"):
            return True
        if cat == "counselor" and code.startswith("101Y"):
            return True
        if cat == "mft" and code.startswith("106H"):
            return True
        if cat == "psychologist" and code.startswith("103T"):
            return True
    return False


def is_psychiatry(code: str) -> bool:
    return code.startswith("2084P08") or code == "2084P0800X"


def is_anesthesiology(code: str) -> bool:
    return code.startswith("207L")


def is_psych_np(code: str) -> bool:
    return code == "363LP0808X"


def is_therapist(code: str) -> bool:
    return code.startswith(("1041C", "101Y", "106H", "103T")) or code == "363LP0808X"
