"""Claimed credential codes and the NUCC taxonomy codes consistent with each (DOMAIN.md section 3).

Which credential claims which kind of provider is the ``category`` column of the one credential list,
``data/credentials.csv`` (``kdir.common.credentials``), that the crawler's recogniser reads too. No maintained
package ships the NUCC code set on PyPI, so the taxonomy prefixes that fit each category are kept in ``_FITS``."""

from __future__ import annotations

from kdir.common.credentials import credentials, suffixes

#: credential code (upper case, dots removed) -> category, from the credential list; a suffixed form
#: ("PMHNP-BC", "LPC-A") claims what its licence claims (see :func:`category`)
CODES: dict[str, str] = {c.code.upper(): c.category for c in credentials() if c.category}
#: printed titles that are not codes but claim a category all the same
TITLES: dict[str, str] = {"PSYCHOLOGIST": "psychologist"}
_SUFFIXES = frozenset(s.upper() for s in suffixes())
PRESCRIBERS = frozenset({"physician", "np", "psych_np", "crna", "pa"})
THERAPISTS = frozenset({"social_worker", "counselor", "mft", "psychologist", "psych_np"})


def category(code: str | None) -> str | None:
    """The category a printed credential claims ("PMHNP-BC" -> "psych_np"), or None (RN, PhD, unknown)."""
    norm = (code or "").upper().replace(".", "").strip()
    found = CODES.get(norm) or TITLES.get(norm)
    if found is None and "-" in norm:
        base, _, suffix = norm.rpartition("-")
        if suffix.strip() in _SUFFIXES:
            found = CODES.get(base.strip())
    return found


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
    norm = (code or "").upper().replace(".", "").strip()
    return norm.startswith("L") and category(norm) is not None


def is_psychiatry(code: str) -> bool:
    return code.startswith("2084P08") or code == "2084P0800X"


def is_anesthesiology(code: str) -> bool:
    return code.startswith("207L")


def is_psych_np(code: str) -> bool:
    return code == "363LP0808X"


def is_therapist(code: str) -> bool:
    return code.startswith(("1041C", "101Y", "106H", "103T")) or code == "363LP0808X"
