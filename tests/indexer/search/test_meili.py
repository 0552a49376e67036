"""Meilisearch request building (pure functions) and behaviour when the server is unreachable.

The behaviour against a live server is covered by test_contract.py when KDIR_MEILI_URL is set."""

from __future__ import annotations

import socket

import pytest

from indexer.search.base import SearchQuery, SearchUnavailable
from indexer.search.meili import SETTINGS, MeiliBackend, _filters, _sort, from_meili, to_meili
from tests.indexer.search.conftest import make_doc


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_document_round_trip_adds_geo_and_topics() -> None:
    doc = make_doc(3, "A\x02B", lat=30.0, lon=-97.0, modalities=["iv_infusion"], services=["telehealth"])
    out = to_meili(doc)
    assert out["_geo"] == {"lat": 30.0, "lng": -97.0}
    assert out["topics"] == ["IV infusion", "Telehealth"]
    assert out["name"] == "A B"
    back = from_meili(out | {"_formatted": {}, "_rankingScore": 0.5})
    assert back == doc | {"name": "A B"}
    assert "_geo" not in to_meili(make_doc(4, "No place"))


def test_filters_and_sort() -> None:
    q = SearchQuery(modalities=["iv_infusion", "at_home"], kind="clinic", verified_only=True, telehealth=True,
                    min_rating=4.0, lat=30.5, lon=-97.25, radius_km=25)
    assert _filters(q) == ["stale = false", 'kind = "clinic"', 'modalities = "iv_infusion"',
                           'modalities = "at_home"', "verified = true", "telehealth = true",
                           "rating_value >= 4.0", "_geoRadius(30.5, -97.25, 25000.0)"]
    assert _filters(SearchQuery(include_stale=True)) == []
    with pytest.raises(ValueError):
        _filters(SearchQuery(conditions=['x" OR stale = true']))  # codes are validated, never interpolated raw
    assert _sort(SearchQuery(sort="distance", lat=1.0, lon=2.0), True) == ["_geoPoint(1.0, 2.0):asc"]
    assert _sort(SearchQuery(sort="distance"), True) == []  # no point: relevance
    assert _sort(SearchQuery(), False) == ["rating_bayes:desc"]  # browsing: best rated first
    assert _sort(SearchQuery(lat=1.0, lon=2.0), False) == ["_geoPoint(1.0, 2.0):asc"]
    assert _sort(SearchQuery(sort="rating"), True) == ["rating_bayes:desc"]


def test_settings_disable_typos_on_codes() -> None:
    assert set(SETTINGS["typoTolerance"]["disableOnAttributes"]) == {"postal_code", "npis"}
    assert "_geo" in SETTINGS["filterableAttributes"] and "_geo" in SETTINGS["sortableAttributes"]


def test_unreachable_server_raises_search_unavailable() -> None:
    backend = MeiliBackend(closed_port_url(), index="kdir_test", timeout_s=2)
    assert backend.health() is False
    for call in (lambda: backend.upsert([make_doc(1, "X")]), lambda: backend.delete([1]),
                 lambda: backend.rebuild([make_doc(1, "X")]), lambda: backend.search(SearchQuery(text="x")),
                 lambda: backend.get(1), backend.count):
        with pytest.raises(SearchUnavailable):
            call()
