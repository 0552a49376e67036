"""Meilisearch without a server: what we send (pure request builders, and the requests a fake Meilisearch on
loopback receives from the real client) and how every client failure is mapped.

The behaviour against a live server is covered by test_contract.py when KDIR_MEILI_URL is set."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import pytest

from indexer.search.base import FACET_FIELDS, HL_END, HL_START, SearchQuery, SearchUnavailable
from indexer.search.meili import (
    MAX_TOTAL_HITS,
    SETTINGS,
    MeiliBackend,
    batches,
    filter_expression,
    from_meili,
    search_params,
    settings_drift,
    sort_expression,
    to_meili,
    whole_word_highlights,
)
from indexer.search.query_text import synonym_table
from kdir.common.filters import where
from tests.indexer.search.conftest import make_doc
from tests.indexer.search.meili_stub import DEFAULT_SETTINGS, error, meili_stub


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_document_round_trip_adds_geo_topics_and_rank() -> None:
    doc = make_doc(3, "A\x02B", lat=30.0, lon=-97.0, modalities=["iv_infusion"], services=["telehealth"],
                   rating_bayes=4.25)
    out = to_meili(doc)
    assert out["_geo"] == {"lat": 30.0, "lng": -97.0}
    assert out["topics"] == ["IV infusion", "Telehealth", "ketamine clinic"]  # documents.search_topics
    assert out["name"] == "A B"
    assert out["rank_rating"] == 4.25
    back = from_meili(out | {"_formatted": {}, "_rankingScore": 0.5})
    assert back == doc | {"name": "A B"}
    unrated = to_meili(make_doc(4, "No place"))
    assert "_geo" not in unrated
    assert unrated["rank_rating"] == -1.0  # a custom ranking rule needs the field in every document: unrated last


def test_settings_payload() -> None:
    rules = SETTINGS["rankingRules"]
    assert rules[0] == "sort"  # an explicit sort orders all hits, not just relevance ties
    assert rules[1:6] == ["words", "typo", "proximity", "attribute", "exactness"]
    assert rules[-2:] == ["rank_rating:desc", "id:asc"]  # relevance ties: best rated, then id (as FTS5)
    assert SETTINGS["typoTolerance"] == {"enabled": True, "disableOnAttributes": ["postal_code", "npis"],
                                         "disableOnNumbers": True,
                                         "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 9}}
    assert SETTINGS["pagination"] == {"maxTotalHits": MAX_TOTAL_HITS}
    assert MAX_TOTAL_HITS == 500 * 50  # what the site can show: 500 pages of 50
    assert {"_geo", "id", "stale"} <= set(SETTINGS["filterableAttributes"])
    assert set(SETTINGS["sortableAttributes"]) == {"_geo", "rank_rating", "rank_price", "id"}
    assert SETTINGS["searchableAttributes"][:3] == ["name", "practitioners", "npis"]


def test_settings_drift_compares_only_what_we_set() -> None:
    fresh = {k: v for k, v in SETTINGS.items() if k != "faceting"}  # maxValuesPerFacet 100 is the default
    assert settings_drift(DEFAULT_SETTINGS) == fresh  # a fresh index: everything else
    assert settings_drift({}) == SETTINGS
    synced: dict[str, Any] = json.loads(json.dumps(DEFAULT_SETTINGS))
    for key, value in SETTINGS.items():
        synced[key] = synced[key] | value if isinstance(value, dict) else value
    assert settings_drift(synced) == {}
    # the server may report sets in another order, filterable attributes as patterns, "attribute" split in two
    synced["filterableAttributes"] = [{"attributePatterns": list(reversed(SETTINGS["filterableAttributes"])),
                                       "features": {"facetSearch": True}}]
    synced["sortableAttributes"] = list(reversed(SETTINGS["sortableAttributes"]))
    synced["rankingRules"] = [r for rule in SETTINGS["rankingRules"]
                              for r in (["attributeRank", "wordPosition"] if rule == "attribute" else [rule])]
    assert settings_drift(synced) == {}
    synced["typoTolerance"] = synced["typoTolerance"] | {"disableOnNumbers": False}
    synced["pagination"] = {"maxTotalHits": 100_000}
    assert settings_drift(synced) == {"typoTolerance": SETTINGS["typoTolerance"],
                                      "pagination": SETTINGS["pagination"]}


def test_filter_expression() -> None:
    q = SearchQuery(filters=where(kind="clinic", modality=["iv_infusion", "at_home"], verified=True, telehealth=True),
                    min_rating=4.0, lat=30.5, lon=-97.25, radius_km=25)
    # values of one filter: ANY OF (an inner array); filters: AND
    assert filter_expression(q) == ["stale = false", 'kind = "clinic"',
                                    ['modalities = "iv_infusion"', 'modalities = "at_home"'], "verified = true",
                                    'services = "telehealth"', "rating_value >= 4.0",
                                    "_geoRadius(30.5, -97.25, 25000.0)"]
    # a filter's own facet counts leave it out (disjunctive facets)
    assert filter_expression(q, without="modality") == ["stale = false", 'kind = "clinic"', "verified = true",
                                                        'services = "telehealth"', "rating_value >= 4.0",
                                                        "_geoRadius(30.5, -97.25, 25000.0)"]
    assert filter_expression(SearchQuery(filters=where(telehealth_state="TX"))) == [
        "stale = false", 'telehealth_states = "TX"']
    assert filter_expression(SearchQuery(include_stale=True)) == []
    assert filter_expression(SearchQuery(filters=where(condition=["ptsd"], service=["telehealth"], psychiatrist=True,
                                                       therapist=True, insurance=True))) == [
        "stale = false", 'conditions = "ptsd"', ['services = "telehealth"', 'services = "accepts_insurance"'],
        "psychiatrist = true", "therapist = true"]
    with pytest.raises(ValueError):
        filter_expression(SearchQuery(filters={"condition": ('x" OR stale = true',)}))  # validated, never interpolated raw
    with pytest.raises(ValueError):
        filter_expression(SearchQuery(filters={"kind": ('clinic" OR kind = "x',)}))


def test_sort_expression() -> None:
    distance = ["_geoPoint(1.0, 2.0):asc", "rank_rating:desc", "id:asc"]
    assert sort_expression(SearchQuery(sort="distance", lat=1.0, lon=2.0), True) == distance
    assert sort_expression(SearchQuery(sort="distance"), True) == []  # no point: relevance
    assert sort_expression(SearchQuery(), True) == []  # relevance: the ranking rules decide
    assert sort_expression(SearchQuery(), False) == ["rank_rating:desc", "id:asc"]  # browsing: best rated first
    assert sort_expression(SearchQuery(lat=1.0, lon=2.0), False) == distance
    assert sort_expression(SearchQuery(sort="rating"), True) == ["rank_rating:desc", "id:asc"]
    assert sort_expression(SearchQuery(sort="price"), True) == ["rank_price:asc", "rank_rating:desc", "id:asc"]


def test_facet_queries_one_per_selected_filter() -> None:
    from indexer.search.meili import facet_queries

    q = SearchQuery(filters=where(modality=["iv_infusion", "esketamine_nasal"], condition=["ptsd"]))
    queries = facet_queries(q, "ketamine", "providers")
    assert [x["facets"] for x in queries] == [["modalities"], ["conditions"]]
    assert queries[0]["filter"] == ["stale = false", 'conditions = "ptsd"']
    assert queries[1]["filter"] == ["stale = false", ['modalities = "iv_infusion"', 'modalities = "esketamine_nasal"']]
    assert all(x["q"] == "ketamine" and x["indexUid"] == "providers" for x in queries)
    assert facet_queries(SearchQuery(), "x", "providers") == []


def test_search_params() -> None:
    params = search_params(SearchQuery(text="x", page=3, per_page=50, sort="rating", filters=where(telehealth=True)), ["x"])
    assert params == {
        "hitsPerPage": 50, "page": 3, "matchingStrategy": "all", "showRankingScore": True,
        "attributesToHighlight": ["name", "practitioners"], "highlightPreTag": HL_START,
        "highlightPostTag": HL_END, "filter": ["stale = false", 'services = "telehealth"'],
        "sort": ["rank_rating:desc", "id:asc"],
        "facets": list(FACET_FIELDS)}
    last = search_params(SearchQuery(page=500, per_page=50, facets=False), [])
    assert last["page"] * last["hitsPerPage"] <= MAX_TOTAL_HITS  # the site's last page is within maxTotalHits
    assert "facets" not in last


def test_whole_word_highlights() -> None:
    assert whole_word_highlights(f"Austin {HL_START}Ketam{HL_END}ine Clinic") == \
        f"Austin {HL_START}Ketamine{HL_END} Clinic"
    assert whole_word_highlights(f"{HL_START}Whitf{HL_END}ield, PMHNP-BC") == f"{HL_START}Whitfield{HL_END}, PMHNP-BC"
    assert whole_word_highlights(f"{HL_START}Ketamine{HL_END} & {HL_START}Ket{HL_END}o") == \
        f"{HL_START}Ketamine{HL_END} & {HL_START}Keto{HL_END}"
    assert whole_word_highlights("no highlight") == "no highlight"


def big_docs(n: int, practitioners: int) -> list[dict[str, Any]]:
    return [to_meili(make_doc(i, f"Clinic {i}", practitioners=[f"Practitioner Number {j}, MD"
                                                                for j in range(practitioners)]))
            for i in range(1, n + 1)]


def test_batches_bound_by_count_and_bytes() -> None:
    docs = big_docs(40, 300)  # ~10 KB each
    out = list(batches(docs, max_docs=1000, max_bytes=50_000))
    assert [d for b in out for d in b] == docs  # nothing lost, order kept
    assert len(out) > 1
    assert all(len(json.dumps(b).encode()) <= 50_000 for b in out)  # the exact request body the client sends
    assert len(json.dumps(out[0] + [out[1][0]]).encode()) > 50_000  # batches are filled, not split early
    assert [len(b) for b in batches(docs, max_docs=15, max_bytes=10**9)] == [15, 15, 10]
    huge = big_docs(1, 5000)[0]  # larger than the bound on its own: sent alone
    assert [len(b) for b in batches([docs[0], huge, docs[1]], max_docs=1000, max_bytes=50_000)] == [1, 1, 1]
    assert list(batches([], 10, 10)) == []


# -- against a fake Meilisearch on loopback (the real client, our backend unchanged) ---------------------------
def test_settings_synced_on_an_existing_index_without_them() -> None:
    with meili_stub() as (url, stub):
        stub.add_index("providers")  # created implicitly by a document add: default settings only
        backend = MeiliBackend(url, index="providers")
        assert backend.upsert([make_doc(1, "A")]) == 1
        patches = stub.sent("PATCH", "/indexes/providers/settings")
        assert [p.body for p in patches] == [{k: v for k, v in SETTINGS.items() if k != "faceting"}]
        assert stub.indexes["providers"]["settings"]["filterableAttributes"] == SETTINGS["filterableAttributes"]
        backend.upsert([make_doc(2, "B")])  # once per backend
        MeiliBackend(url, index="providers").upsert([make_doc(3, "C")])  # in sync: compared, nothing sent
        assert len(stub.sent("PATCH", "/indexes/providers/settings")) == 1
        assert len(stub.sent("GET", "/indexes/providers/settings")) == 2


def test_only_drifted_settings_are_sent() -> None:
    with meili_stub() as (url, stub):
        stub.add_index("providers")
        stub.indexes["providers"]["settings"].update(json.loads(json.dumps(SETTINGS)))
        stub.indexes["providers"]["settings"]["pagination"] = {"maxTotalHits": 100_000}  # an older SETTINGS
        MeiliBackend(url, index="providers").delete([5])
        assert [p.body for p in stub.sent("PATCH", "/indexes/providers/settings")] == [
            {"pagination": {"maxTotalHits": MAX_TOTAL_HITS}}]


def test_missing_index_is_created_with_settings_before_documents() -> None:
    with meili_stub() as (url, stub):
        MeiliBackend(url, index="providers").upsert([make_doc(1, "A")])
        order = [(r.method, r.path) for r in stub.requests if not r.path.startswith("/tasks")]
        assert order[:4] == [("GET", "/indexes/providers/settings"), ("POST", "/indexes"),
                             ("GET", "/indexes/providers/settings"), ("PATCH", "/indexes/providers/settings")]
        assert order[4] == ("POST", "/indexes/providers/documents")


def test_a_settings_update_still_processing_is_awaited_not_repeated() -> None:
    with meili_stub() as (url, stub):
        stub.add_index("providers")
        settings = stub.indexes["providers"]["settings"]
        stub.processing("settingsUpdate", "providers", lambda: settings.update(json.loads(json.dumps(SETTINGS))))
        MeiliBackend(url, index="providers").upsert([make_doc(1, "A")])
        assert stub.sent("PATCH", "/indexes/providers/settings") == []  # the earlier update finished: in sync
        assert stub.sent("GET", r"/tasks/0")


def test_a_failed_settings_task_is_retried_by_the_next_write() -> None:
    with meili_stub() as (url, stub):
        stub.add_index("providers")
        stub.task_errors["settingsUpdate"] = error("internal", "boom", "internal")
        with pytest.raises(SearchUnavailable):
            MeiliBackend(url, index="providers").upsert([make_doc(1, "A")])
        MeiliBackend(url, index="providers").upsert([make_doc(1, "A")])
        assert settings_drift(stub.indexes["providers"]["settings"]) == {}


@pytest.mark.parametrize(("status", "body", "expected"), [
    (403, error("invalid_api_key", "The provided API key is invalid.", "auth"), "HTTP 403 invalid_api_key"),
    (413, error("payload_too_large", "The provided payload reached the size limit."), "HTTP 413 payload_too_large"),
    (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "HTTP 502"),
    (503, error("internal", "unavailable", "internal"), "HTTP 503 internal"),
])
def test_api_errors_on_writes_become_search_unavailable(status: int, body: Any, expected: str) -> None:
    with meili_stub() as (url, stub):
        stub.add_index("providers", json.loads(json.dumps(DEFAULT_SETTINGS)) | SETTINGS)
        backend = MeiliBackend(url, index="providers")
        stub.fail("POST", "/indexes/providers/documents", status, body)
        with pytest.raises(SearchUnavailable, match=expected):
            backend.upsert([make_doc(1, "A")])
        stub.fail("POST", "/indexes/providers/documents/delete", status, body)
        with pytest.raises(SearchUnavailable, match=expected):
            backend.delete([1])
        stub.fail("GET", "/indexes", status, body)
        with pytest.raises(SearchUnavailable, match=expected):
            backend.rebuild([make_doc(1, "A")])
        stub.fail("GET", "/indexes/other/settings", status, body)
        with pytest.raises(SearchUnavailable, match=expected):
            MeiliBackend(url, index="other").upsert([make_doc(1, "A")])  # on opening for writing
        stub.fail("POST", "/indexes/providers/search", status, body)
        with pytest.raises(SearchUnavailable, match=expected):
            backend.search(SearchQuery(text="a"))
        stub.fail("GET", r"/tasks/\d+", status, body)
        with pytest.raises(SearchUnavailable, match=expected):
            backend.upsert([make_doc(1, "A")])  # while waiting for the task


def test_documents_are_sent_in_byte_bounded_batches() -> None:
    with meili_stub() as (url, stub):
        backend = MeiliBackend(url, index="providers", batch_bytes=60_000)
        docs = [make_doc(i, f"Clinic {i}", practitioners=[f"Practitioner Number {j}, MD" for j in range(300)])
                for i in range(1, 31)]
        assert backend.upsert(docs) == 30
        posts = stub.sent("POST", "/indexes/providers/documents")
        assert len(posts) > 1 and all(p.size <= 60_000 for p in posts)
        assert sorted(d["id"] for p in posts for d in p.body) == list(range(1, 31))
        assert posts[0].query == {"primaryKey": ["id"]}


def test_rebuild_swaps_and_leaves_no_index_behind() -> None:
    with meili_stub() as (url, stub):
        stub.add_index("providers_rebuild_1000")  # a stray copy from an old failed run (1970: long ago)
        stub.add_index("other_rebuild_1000")  # not ours
        backend = MeiliBackend(url, index="providers")
        assert backend.rebuild([make_doc(1, "A"), make_doc(2, "B")]) == 2
        assert sorted(stub.indexes) == ["other_rebuild_1000", "providers"]
        assert sorted(stub.indexes["providers"]["docs"]) == [1, 2]
        assert settings_drift(stub.indexes["providers"]["settings"]) == {}
        swap = stub.sent("POST", "/swap-indexes")[0].body
        assert swap[0]["indexes"][0] == "providers" and swap[0]["indexes"][1].startswith("providers_rebuild_")


def test_rebuild_keeps_a_recent_index_of_another_process() -> None:
    import time

    with meili_stub() as (url, stub):
        running = f"providers_rebuild_{int(time.time() * 1000)}"
        stub.add_index(running)
        MeiliBackend(url, index="providers").rebuild([make_doc(1, "A")])
        assert running in stub.indexes
        assert MeiliBackend(url, index="providers").remove_stray_indexes(older_than_s=0) == [running]
        assert sorted(stub.indexes) == ["providers"]


def test_failed_rebuild_steps_remove_the_temporary_index() -> None:
    with meili_stub() as (url, stub):
        backend = MeiliBackend(url, index="providers")
        stub.task_errors["settingsUpdate"] = error("internal", "settings failed", "internal")
        with pytest.raises(SearchUnavailable, match="settings failed"):
            backend.rebuild([make_doc(1, "A")])
        assert stub.indexes == {}
        stub.fail("POST", r"/indexes/providers_rebuild_\d+/documents", 413,
                  error("payload_too_large", "too large"))
        with pytest.raises(SearchUnavailable, match="413"):
            backend.rebuild([make_doc(1, "A")])
        assert stub.indexes == {}
        stub.task_errors["indexSwap"] = error("internal", "swap failed", "internal")
        with pytest.raises(SearchUnavailable, match="swap failed"):
            backend.rebuild([make_doc(1, "A")])
        assert list(stub.indexes) == ["providers"]  # the live one (created for the swap), empty, no copy


def test_failed_delete_after_the_swap_is_logged_and_removed_next_time(caplog: pytest.LogCaptureFixture) -> None:
    with meili_stub() as (url, stub):
        backend = MeiliBackend(url, index="providers", stray_after_s=0)
        stub.fail("DELETE", r"/indexes/providers_rebuild_\d+", 502, "<html>Bad Gateway</html>")
        with caplog.at_level(logging.WARNING, logger="indexer.search.meili"):
            assert backend.rebuild([make_doc(1, "A")]) == 1  # the new index is live: the rebuild succeeded
        assert "could not delete Meilisearch index providers_rebuild_" in caplog.text
        assert len(stub.indexes) == 2
        backend.rebuild([make_doc(2, "B")])
        assert list(stub.indexes) == ["providers"]
        assert list(stub.indexes["providers"]["docs"]) == [2]


def test_unreachable_server_raises_search_unavailable() -> None:
    backend = MeiliBackend(closed_port_url(), index="kdir_test", timeout_s=2)
    assert backend.health() is False
    for call in (lambda: backend.upsert([make_doc(1, "X")]), lambda: backend.delete([1]),
                 lambda: backend.rebuild([make_doc(1, "X")]), lambda: backend.search(SearchQuery(text="x")),
                 lambda: backend.get(1), backend.count):
        with pytest.raises(SearchUnavailable):
            call()


def test_synonyms_setting_is_the_one_table() -> None:
    assert SETTINGS["synonyms"] == {k: list(v) for k, v in synonym_table().items()}
    assert "psychiatry" in SETTINGS["synonyms"]["psychiatrists"]  # a plural gets its singular's synonyms
    current = {"synonyms": {k: list(reversed(v)) for k, v in synonym_table().items()}}
    assert "synonyms" not in settings_drift(current, {"synonyms": SETTINGS["synonyms"]})  # order is no drift
    stale = {"synonyms": {**current["synonyms"], "old": ["gone"]}}
    assert settings_drift(stale, {"synonyms": SETTINGS["synonyms"]}) == {"synonyms": SETTINGS["synonyms"]}


def test_query_words_sent_and_credentials_relaxed_on_zero_hits() -> None:
    """Honorifics never reach Meilisearch; a typed credential that finds nothing is dropped in a second
    request (the stub answers every search with zero hits)."""
    with meili_stub() as (url, stub):
        backend = MeiliBackend(url, index="providers")
        backend.upsert([make_doc(1, "A")])
        backend.search(SearchQuery(text="Dr. Reyes"))
        backend.search(SearchQuery(text="Dr. Alan Reyes, MD"))
        sent = [r.body["q"] for r in stub.sent("POST", "/indexes/providers/search")]
        assert sent == ["reyes", "alan reyes md", "alan reyes"]
