"""The synonym table: well-formed, symmetric where it says so, and covering what patients type (issue 14)."""

from __future__ import annotations

import pytest

from indexer.search.query_text import tokens
from kdir.common.synonyms import (
    CREDENTIALS,
    EQUIVALENT,
    EXPANDS,
    HONORIFICS,
    listing_terms,
    longest_phrase,
    synonyms,
)


def test_every_phrase_is_written_as_the_index_cuts_it() -> None:
    phrases = {p for group in EQUIVALENT for p in group} | set(EXPANDS) | {p for v in EXPANDS.values() for p in v}
    for phrase in phrases:
        assert " ".join(tokens(phrase, limit=None)) == phrase
    assert longest_phrase() == max(len(p.split()) for p in synonyms())


def test_equivalent_phrases_find_each_other() -> None:
    for group in EQUIVALENT:
        for phrase in group:
            assert set(group) - {phrase} <= set(synonyms()[phrase])
            assert phrase not in synonyms()[phrase]


def test_one_way_expansions_stay_one_way() -> None:
    assert "pmhnp" in synonyms()["nurse practitioner"]
    assert "fnp" not in synonyms()["pmhnp"]  # a psychiatric NP search does not widen to family NPs
    assert "iv infusion" in synonyms()["ketamine infusion"]
    assert "ketamine infusion" not in synonyms().get("iv infusion", ())


@pytest.mark.parametrize(("typed", "means"), [
    ("kap", "ketamine assisted psychotherapy"), ("trd", "treatment resistant depression"),
    ("spravato", "esketamine"), ("esketamine", "spravato"), ("ptsd", "trauma"), ("trauma", "ptsd"),
    ("iv", "intravenous"), ("im", "intramuscular"), ("np", "pmhnp"), ("nurse practitioner", "np"),
    ("therapist", "lcsw"), ("counselor", "therapist"), ("psychiatrist", "psychiatry"), ("at home", "in home"),
])
def test_what_patients_type(typed: str, means: str) -> None:
    assert means in synonyms()[typed]


def test_listing_terms() -> None:
    assert listing_terms({"kind": "clinic"}) == ["ketamine clinic"]
    assert listing_terms({"kind": "practitioner", "psychiatrist": True, "therapist": True}) == [
        "ketamine clinician", "psychiatrist", "licensed therapist"]
    assert listing_terms({"psychiatrist": "yes"}) == ["ketamine clinic"]  # only a real True counts


def test_credentials_and_honorifics() -> None:
    assert {"md", "do", "lcsw", "pmhnp", "np", "phd"} <= CREDENTIALS
    assert {"dr", "doctor"} <= HONORIFICS
    assert not CREDENTIALS & HONORIFICS
