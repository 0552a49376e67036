"""What patients type and what the listings say: the one table of search synonyms and abbreviations.

Both search backends use it: the embedded one expands query words into OR groups
(``indexer.search.fts5_query``), Meilisearch gets it as its ``synonyms`` setting (``indexer.search.meili``).
Phrases are lower-case words separated by single spaces, as the search tokenizer cuts them
("Ketamine-assisted" -> "ketamine assisted").

Besides the vocabulary labels (``kdir.common.vocabulary.LABELS``), a listing's search text carries
:func:`listing_terms`: "ketamine" and what kind of listing it is (every listing here is a ketamine provider),
"psychiatrist" when its registry taxonomy is psychiatry, "licensed therapist" when a licensed mental-health
professional is on the team -- so "ketamine clinics", "psychiatrist" and "therapist" find them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from kdir.common.taxonomy import CODES as CREDENTIAL_CODES
from kdir.common.taxonomy import TITLES as CREDENTIAL_TITLES

#: Phrases that mean the same: each finds the others.
EQUIVALENT: tuple[tuple[str, ...], ...] = (
    ("kap", "ketamine assisted psychotherapy", "ketamine assisted therapy"),
    ("trd", "treatment resistant depression"),
    ("spravato", "esketamine"),
    ("ptsd", "trauma", "post traumatic stress"),
    ("iv", "intravenous"),
    ("im", "intramuscular"),
    ("at home", "home based", "in home"),
    ("psychiatrist", "psychiatry"),
    ("counselor", "counsellor"),
    ("ocd", "obsessive compulsive"),
    ("lcsw", "clinical social worker"),
    ("pmhnp", "psychiatric nurse practitioner"),
    ("telehealth", "telemedicine", "virtual"),
)

_NURSE_PRACTITIONERS = ("np", "pmhnp", "fnp", "aprn", "cnp")
_THERAPISTS = ("counselor", "lcsw", "lpc", "lmhc", "lcpc", "lmft", "psychologist", "social worker")

#: One way: a query phrase also finds these (not the reverse: "psychiatric nurse practitioner" is narrower).
EXPANDS: dict[str, tuple[str, ...]] = {
    "ketamine infusion": ("iv infusion",),
    "infusion therapy": ("iv infusion",),
    "nasal spray": ("spravato", "esketamine"),
    "nurse practitioner": _NURSE_PRACTITIONERS,
    "np": ("nurse practitioner", *_NURSE_PRACTITIONERS[1:]),
    "therapist": _THERAPISTS,
    "counselor": ("therapist", "lpc", "lmhc", "lcpc"),
    "counsellor": ("counselor", "therapist", "lpc", "lmhc", "lcpc"),
}

#: Words that say who someone is, not who: dropped from a query ("Dr. Reyes" searches "reyes").
HONORIFICS = frozenset({"dr", "doctor", "mr", "mrs", "ms", "miss", "prof", "professor"})

#: Credentials typed after a name ("Alan Reyes MD"): required when some listing has them, else dropped, so
#: a wrong or missing credential never empties a search for a clinician's name.
CREDENTIALS = frozenset(
    part.lower() for code in (*CREDENTIAL_CODES, *CREDENTIAL_TITLES) for part in code.split("-") if len(part) > 1
) | {"phd", "rn", "bc", "msw", "lmsw"}

#: Search words for a listing's kind and flags (see :func:`listing_terms`).
KIND_TERMS = {"clinic": "ketamine clinic", "practitioner": "ketamine clinician"}
FLAG_TERMS = {"psychiatrist": "psychiatrist", "therapist": "licensed therapist"}


def listing_terms(doc: Mapping[str, Any]) -> list[str]:
    """Words a listing is found by beyond its name, place and vocabulary labels: its kind and its flags."""
    out = [KIND_TERMS.get(str(doc.get("kind") or "clinic"), KIND_TERMS["clinic"])]
    out.extend(term for flag, term in FLAG_TERMS.items() if doc.get(flag) is True)
    return out


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """Phrase -> every phrase it also finds (its equivalents, then its one-way expansions), each once."""
    out: dict[str, dict[str, None]] = {}
    for group in EQUIVALENT:
        for phrase in group:
            out.setdefault(phrase, {}).update(dict.fromkeys(p for p in group if p != phrase))
    for phrase, also in EXPANDS.items():
        out.setdefault(phrase, {}).update(dict.fromkeys(p for p in also if p != phrase))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def longest_phrase() -> int:
    """Words in the longest synonym phrase (how far a query is scanned for one)."""
    return max(len(k.split()) for k in synonyms())
