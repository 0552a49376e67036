"""Claimed credential codes and the NUCC taxonomy codes consistent with each (DOMAIN.md section 3).

No maintained package ships the NUCC code set on PyPI, so the prefixes that matter here are kept in ``_FITS``."""

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


#: category -> NUCC code prefixes that fit it. APRN ("np") covers nurse practitioners (363L), clinical nurse
#: specialists (364S) and nurse midwives (367A advanced practice midwife, 176B midwife).
_FITS: dict[str, tuple[str, ...]] = {
    "physician": ("20",), "np": ("363L", "364S", "367A", "176B"), "psych_np": ("363L", "364SP"),
    "crna": ("367500000X",), "pa": ("363A",), "social_worker": ("1041C", "1041S"), "counselor": ("101Y",),
    "mft": ("106H",), "psychologist": ("103T",),
}


def code_fits(cat: str, code: str) -> bool:
    """Does one NUCC taxonomy code fit the claimed category?"""
    return (code or "").upper().startswith(_FITS.get(cat, ()))


def taxonomy_consistent(cat: str | None, taxonomy_codes: list[str]) -> bool:
    """Does any registry taxonomy fit the claimed category? (No claimed category: anything fits.)"""
    return cat is None or any(code_fits(cat, code) for code in taxonomy_codes)


def claims_licence(code: str | None) -> bool:
    """A printed code that names a state licence ("LMHC", "LCSW", "LPC"...): only a registry taxonomy that shows
    a licence number can verify it."""
    norm = (code or "").upper().replace(".", "")
    return norm.startswith("L") and norm in CODES


def is_psychiatry(code: str) -> bool:
    return code.startswith("2084P08") or code == "2084P0800X"


def is_anesthesiology(code: str) -> bool:
    return code.startswith("207L")


def is_psych_np(code: str) -> bool:
    return code == "363LP0808X"


def is_therapist(code: str) -> bool:
    return code.startswith(("1041C", "101Y", "106H", "103T")) or code == "363LP0808X"
