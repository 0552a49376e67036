"""The embedded index's schema and what one document becomes in it (kept apart from the query code, which
reads these tables, and from the backend, which writes them)."""

from __future__ import annotations

from typing import Any

from indexer.search.common import PRACTITIONER_SEPARATOR
from indexer.search.documents import clean_text, search_topics

#: bm25 column weights: name > practitioners > ids (NPI, exact) > place > topics.
WEIGHTS = (10.0, 5.0, 3.0, 1.0, 4.0)
MAX_DOC_ID = 50_000_000  # ids are bit positions: a bitset over the id range stays under ~6 MB

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, stale INTEGER NOT NULL, mask INTEGER NOT NULL,"
    " lat REAL, lon REAL, rating REAL, bayes REAL, price REAL)",
    "CREATE INDEX IF NOT EXISTS docs_by_rating ON docs (rating)",
    "CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS geo USING rtree (id, min_lat, max_lat, min_lon, max_lon)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (name, practitioners, place, topics, ids,"
    " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab (fts, row)",
    "CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, id INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS changes_by_generation ON changes (generation)",
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0)",
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('rebuilt', 0)",
)


def topics(doc: dict[str, Any]) -> str:
    return " ; ".join(search_topics(doc))


def clean_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """A defensive copy: ids must be ints, text fields free of control characters (and sentinels)."""
    out = dict(doc)
    out["id"] = int(doc["id"])
    if not 0 < out["id"] <= MAX_DOC_ID:
        raise ValueError(f"document id out of range (1..{MAX_DOC_ID}): {out['id']}")
    out["name"] = clean_text(doc.get("name"), 300) or ""
    out["practitioners"] = [p for p in (clean_text(x, 300) for x in doc.get("practitioners") or []) if p]
    for key in ("street", "city", "region", "postal_code"):
        out[key] = clean_text(doc.get(key), 300)
    return out


def fts_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    place = " ".join(x for x in (doc.get("street"), doc.get("city"), doc.get("region"), doc.get("postal_code")) if x)
    return (doc["id"], doc["name"], PRACTITIONER_SEPARATOR.join(doc["practitioners"]), place, topics(doc),
            " ".join(doc.get("npis") or []))
