"""The one credential list (data/credentials.csv) and what the registry check reads from it."""

from __future__ import annotations

import pytest

from kdir.common import taxonomy
from kdir.common.credentials import codes, credentials, suffixes


def test_the_list_is_whole_and_its_categories_are_the_checks() -> None:
    rows = credentials()
    assert len(codes()) >= 90 and len(suffixes()) >= 8 and all(r.source and r.meaning for r in rows)
    assert len({r.code for r in rows if r.kind != "suffix"}) == len(codes())  # each code once
    fits = set(taxonomy._FITS)
    assert {r.category for r in rows if r.category} == fits  # every category has its taxonomy codes, and back
    assert all(r.category is None for r in rows if r.kind == "suffix")


@pytest.mark.parametrize(("printed", "cat"), [
    ("MD", "physician"), ("m.d.", "physician"), ("PsyD", "psychologist"), ("Psychologist", "psychologist"),
    ("PMHNP-BC", "psych_np"), ("NP-C", "np"), ("PA-C", "pa"), ("LCSW-C", "social_worker"), ("LPC-A", "counselor"),
    ("LMFT", "mft"), ("RN", None), ("PhD", None), ("LMSW", None), ("MD-XYZ", None), ("", None), (None, None),
])
def test_category_of_a_printed_credential(printed: str | None, cat: str | None) -> None:
    assert taxonomy.category(printed) == cat


def test_licence_claims() -> None:
    assert taxonomy.claims_licence("LMHC") and taxonomy.claims_licence("LPC-A") and taxonomy.claims_licence("LP")
    assert not taxonomy.claims_licence("MD") and not taxonomy.claims_licence("LMSW")  # LMSW: no category
    assert taxonomy.taxonomy_consistent(taxonomy.category("PMHNP-BC"), ["363LP0808X"])
    assert not taxonomy.taxonomy_consistent(taxonomy.category("LCSW"), ["2084P0800X"])
