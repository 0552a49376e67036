"""Pure functions on the typed words, shared by both backends."""

from __future__ import annotations

import pytest

from indexer.search.query_text import QueryWords, plural_forms, query_words


@pytest.mark.parametrize(("word", "forms"), [
    ("clinics", {"clinic"}),
    ("clinic", {"clinics"}),
    ("therapy", {"therapies"}),
    ("therapies", {"therapy"}),
    ("infusions", {"infusion"}),
    ("centers", {"center"}),
    ("wellness", set()),  # "-ss" is not a plural
    ("iv", set()),
    ("78701", set()),
])
def test_plural_forms(word: str, forms: set[str]) -> None:
    found = set(plural_forms(word))
    assert forms <= found
    assert word not in found
    if not forms:
        assert not found & {word[:-1], word[:-2]}


@pytest.mark.parametrize(("typed", "expected"), [
    ("Dr. Reyes", QueryWords(("reyes",))),
    ("Doctor Alan Reyes", QueryWords(("alan", "reyes"))),
    ("Alan Reyes MD", QueryWords(("alan", "reyes", "md"), ("alan", "reyes"))),
    ("Dr. Kate Brennan, PMHNP-BC", QueryWords(("kate", "brennan", "pmhnp", "bc"), ("kate", "brennan"))),
    ("LCSW", QueryWords(("lcsw",))),  # alone, a credential is what is searched
    ("Dr.", QueryWords(("dr",))),  # nothing else to search
    ("", QueryWords(())),
])
def test_query_words(typed: str, expected: QueryWords) -> None:
    assert query_words(typed) == expected
