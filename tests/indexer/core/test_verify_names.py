"""Verification as registries need it, against the bundled registry served on loopback: nicknames, initials,
accents, particle and hyphenated surnames, other names, licence-less taxonomies, namesakes, candidates,
printed numbers and organisations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.db import Database
from indexer.verify.credentials import check_claim
from indexer.verify.nppes import NppesClient
from kdir.sampleweb.server import SampleWeb


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    w = SampleWeb(first_octet=122, port=0).start()
    yield w
    w.stop()


P = "practitioner"
CASES = [
    # (printed name, kind, claimed code, printed NPI, state) -> (outcome, registry NPI)
    (("Bill Hartley, MD", P, "MD", None, "TN"), ("verified", "1205938479")),
    (("Dr. William J. Hartley", P, "MD", None, "TN"), ("verified", "1205938479")),
    (("W. Hartley MD", P, "MD", None, "TN"), ("verified", "1205938479")),
    (("Kate Moreau", P, "APRN", None, "TN"), ("verified", "1396027157")),
    (("Dr. María De La Cruz", P, "MD", None, "IL"), ("verified", "1578346201")),
    (("Anne Smith-Okafor, LCSW", P, "LCSW", None, "IL"), ("verified", "1669201836")),
    (("Peter van Dyke CRNA", P, "CRNA", None, "TN"), ("verified", "1740385517")),
    (("Rosa Iturbe", P, "LMHC", None, "IL"), ("mismatch", "1831462092")),  # the taxonomy shows no licence
    (("Grace Oyelaran", P, "APRN", None, "IL"), ("verified", "1922507763")),  # a clinical nurse specialist
    (("Daniel Frost", P, "MD", None, "TN"), ("verified", "1013672948")),
    (("Daniel Frost", P, "MD", None, "OH"), ("not_found", None)),  # namesakes in TN and KY only
    (("Daniel Frost", P, "MD", "1104758234", "TN"), ("mismatch", "1104758234")),  # the KY one's number
    (("Sarah Lindgren", P, "MD", None, "IL"), ("ambiguous", None)),
    (("Sarah E. Lindgren", P, "MD", None, "IL"), ("verified", "1295843613")),
    (("Julia Weiss, LPC", P, "LPC", "1568193027", "IL"), ("verified", "1568193027")),  # a former name
    (("Kate Moreau", P, "APRN", "1396027150", "TN"), ("invalid_number", None)),
    (("Kevin Olsen", P, "MD", "1872063411", "AZ"), ("not_found", None)),  # deactivated
    (("Sarah Lindgren", P, "MD", "1477015832", "IL"), ("mismatch", "1477015832")),  # an organisation's NPI
    (("Northshore Psychiatric Associates", "clinic", None, None, "IL"), ("verified", "1477015832")),
    (("Lakeview Ketamine Center", "clinic", None, None, "IL"), ("verified", "1477015832")),  # trading name
    (("Lakeview Ketamine Center", "clinic", None, "1477015832", "IL"), ("verified", "1477015832")),
    (("Lakeview Ketamine Center", "clinic", None, "1477015832", "TN"), ("mismatch", "1477015832")),
    (("Nowhere Ketamine Clinic", "clinic", None, None, "IL"), ("not_found", None)),
]


@pytest.mark.parametrize(("claim", "expected"), CASES, ids=[f"{c[0]}-{c[4]}-{c[3]}" for c, _ in CASES])
def test_claims_against_the_sample_registry(db: Database, web: SampleWeb, claim: tuple, expected: tuple) -> None:  # type: ignore[type-arg]
    client = NppesClient(web.nppes_url, pause_s=0.0)
    with db.session() as s:
        v = check_claim(s, client, *claim)
    got = (v.outcome, v.record.number if v.record is not None else None)
    assert got == expected, v.reason


def test_outcome_reasons_name_what_a_moderator_needs(db: Database, web: SampleWeb) -> None:
    client = NppesClient(web.nppes_url, pause_s=0.0)
    with db.session() as s:
        both = check_claim(s, client, "Sarah Lindgren", P, "MD", None, "IL")
        assert sorted(r.number for r in both.candidates) == ["1295843613", "1386920478"]
        bad = check_claim(s, client, "Kate Moreau", P, "APRN", "1396027150", "TN")
        assert "1396027150" in (bad.reason or "") and "check digit" in (bad.reason or "")
        org = check_claim(s, client, "Sarah Lindgren", P, "MD", "1477015832", "IL")
        assert "organisation" in (org.reason or "")
        licence = check_claim(s, client, "Rosa Iturbe", P, "LMHC", None, "IL")
        assert "no licence" in (licence.reason or "")
