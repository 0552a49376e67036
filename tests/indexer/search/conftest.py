"""Backends for the search contract suite: FTS5 always, Meilisearch when KDIR_MEILI_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from indexer.search.base import SearchBackend
from kdir.common.filters import FLAGS

MEILI_URL = os.environ.get("KDIR_MEILI_URL", "").strip()


def make_doc(doc_id: int, name: str, **fields: Any) -> dict[str, Any]:
    """A complete document (every key of documents.DOC_KEYS) with neutral defaults."""
    doc: dict[str, Any] = {
        "id": doc_id, "kind": "clinic", "name": name, "status": "published", "stale": False, "street": None,
        "city": None, "region": None, "postal_code": None, "lat": None, "lon": None, "website": None,
        "phones": [], "modalities": [], "conditions": [], "services": [], **{f.field: False for f in FLAGS},
        "licensed_states": [], "telehealth_states": [], "price_min": None, "price_max": None, "price_unit": None,
        "price_currency": None, "clinicians": 0, "clinicians_verified": 0, "credentials_mismatch": 0,
        "telehealth": False, "accepts_insurance": False,
        "rems_claimed": False, "practitioners": [], "npis": [], "rating_value": None, "rating_count": 0,
        "rating_sources": 0, "rating_bayes": None, "last_verified_at": None,
        "updated_at": "2026-11-01T00:00:00+00:00",
    }
    doc.update(fields)
    return doc


def meili_key() -> str | None:
    return os.environ.get("KDIR_MEILI_KEY") or None


def meili_only(backend: SearchBackend, why: str) -> Any:
    """Skip a Meilisearch-specific contract test on the embedded backend, with the reason."""
    if backend.name != "meilisearch":
        pytest.skip(f"Meilisearch-specific: {why}")
    return backend


@pytest.fixture(params=["fts5", pytest.param("meili", marks=pytest.mark.meili)])
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[SearchBackend]:
    if request.param == "fts5":
        from indexer.search.fts5 import FTS5Backend

        fts = FTS5Backend(tmp_path / "search.sqlite3")
        yield fts
        fts.close()
        return
    if not MEILI_URL:
        pytest.skip("KDIR_MEILI_URL not set")
    from indexer.search.meili import MeiliBackend

    meili = MeiliBackend(MEILI_URL, meili_key(), index=f"kdir_test_{uuid.uuid4().hex[:10]}")
    yield meili
    try:
        for raw in meili.client.get_raw_indexes({"limit": 1000}).get("results", []):
            if str(raw.get("uid", "")).startswith(meili.index_uid):  # the index and any rebuild leftovers
                meili.client.delete_index(raw["uid"])
    finally:
        meili.close()
