"""What both backends do to the words a patient typed before searching: cut them like the index does, drop
honorifics, mark credentials as optional, and find singular/plural forms.

The synonym table itself is :mod:`kdir.common.synonyms`; the embedded backend expands it in
:mod:`indexer.search.fts5_query`, Meilisearch applies it as its ``synonyms`` setting.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kdir.common.synonyms import CREDENTIALS, HONORIFICS, synonyms

MAX_TERMS = 10
MAX_TERM_LEN = 40
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Case-folded, diacritics removed: what ``unicode61 remove_diacritics 2`` stores."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str, limit: int | None = MAX_TERMS) -> list[str]:
    """Distinct normalised words, at most ``limit`` of them (a query) or all (a document's text)."""
    out: dict[str, None] = {}
    for tok in _TOKEN.findall(normalise(text or "")[:1000] if limit else normalise(text or "")):
        out[tok[:MAX_TERM_LEN]] = None
        if limit and len(out) >= limit:
            break
    return list(out)


def plural_forms(word: str) -> tuple[str, ...]:
    """Other regular English number forms of ``word`` (-s, -es, -ies), to be kept only where the index has
    them: "clinics" -> clinic; "therapy" -> therapys, therapies; "infusion" -> infusions, infusiones. Words
    under 3 letters and numbers have none. (A stemmer would also merge "wellness" with "well" and "clinical"
    with "clinic"; inflect costs ~1 ms a word.)"""
    if len(word) < 3 or not word.isalpha():
        return ()
    out = [word + "s", word + "es"]
    if word.endswith("y"):
        out.append(word[:-1] + "ies")
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    return tuple(f for f in dict.fromkeys(out) if len(f) >= 2 and f != word)


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """:func:`kdir.common.synonyms.synonyms` plus each phrase with its last word's plural/singular forms
    ("therapists", "ketamine infusions") as keys for the same phrases: what both backends apply."""
    out = dict(synonyms())
    for phrase, also in synonyms().items():
        head, _, last = phrase.rpartition(" ")
        for form in plural_forms(last):
            key = f"{head} {form}" if head else form
            if key not in out:
                out[key] = tuple(dict.fromkeys((phrase, *also)))
    return out


@dataclass(frozen=True)
class QueryWords:
    """The words to search. ``relaxed``: the same without the typed credentials, to use when ``words`` finds
    nothing (None when there is nothing to relax)."""

    words: tuple[str, ...]
    relaxed: tuple[str, ...] | None = None


def query_words(text: str) -> QueryWords:
    """Honorifics ("Dr.", "Doctor") dropped unless they are all there is; credentials ("MD", "LCSW") kept,
    with a relaxed variant without them when other words remain."""
    words = tokens(text)
    kept = tuple(w for w in words if w not in HONORIFICS) or tuple(words)
    plain = tuple(w for w in kept if w not in CREDENTIALS)
    return QueryWords(kept, plain if plain and plain != kept else None)
