"""FTS5 backend specifics: its own file, unavailability, cross-instance freshness, threads, query building."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from indexer.search import bitset, open_backend
from indexer.search.base import SearchQuery, SearchUnavailable
from indexer.search.fts5 import FTS5Backend
from indexer.search.fts5_query import build_vocabulary, match_expression, parse
from kdir.common.config import Settings
from tests.indexer.search.conftest import make_doc


def test_open_backend_picks_fts5_at_search_path(tmp_path: Path) -> None:
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp_path)})
    backend = open_backend(settings)
    try:
        assert backend.name == "fts5"
        backend.upsert([make_doc(1, "Solo Clinic")])
        assert (tmp_path / "search.sqlite3").exists()  # its own file, not the main database
        tables = {r[0] for r in sqlite3.connect(tmp_path / "search.sqlite3").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "providers" not in tables and "docs" in tables
    finally:
        backend.close()


def test_open_backend_picks_meili_when_configured(tmp_path: Path) -> None:
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp_path),
                                  "KDIR_MEILI_URL": "http://127.0.0.1:9"})
    backend = open_backend(settings)
    assert backend.name == "meilisearch"
    assert backend.health() is False  # nothing listens there: unhealthy, not an exception


def test_unopenable_path_raises_search_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    backend = FTS5Backend(blocker / "search.sqlite3")
    with pytest.raises(SearchUnavailable):
        backend.upsert([make_doc(1, "X")])
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(text="x"))
    assert backend.health() is False


def test_other_instance_sees_writes(tmp_path: Path) -> None:
    """A web worker's instance notices the publisher's writes (the generation counter) without restarting."""
    reader, writer = FTS5Backend(tmp_path / "s.sqlite3"), FTS5Backend(tmp_path / "s.sqlite3")
    try:
        writer.upsert([make_doc(1, "First Clinic", modalities=["iv_infusion"])])
        assert [h.id for h in reader.search(SearchQuery(text="first")).hits] == [1]
        assert reader.search(SearchQuery()).facets["modalities"] == {"iv_infusion": 1}
        writer.upsert([make_doc(2, "Second Clinic", modalities=["iv_infusion"])])
        writer.delete([1])
        assert [h.id for h in reader.search(SearchQuery(text="clinic")).hits] == [2]
        assert reader.search(SearchQuery(text="first")).total == 0
        assert reader.search(SearchQuery()).facets["modalities"] == {"iv_infusion": 1}
    finally:
        reader.close()
        writer.close()


def test_concurrent_searches_and_writes(tmp_path: Path) -> None:
    backend = FTS5Backend(tmp_path / "s.sqlite3")
    backend.upsert([make_doc(i, f"Clinic {i} Ketamine", lat=30.0 + i / 100, lon=-97.0) for i in range(1, 201)])
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(30):
                result = backend.search(SearchQuery(text="ketamine", lat=30.0, lon=-97.0, radius_km=500))
                assert result.total >= 200
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised in the main thread
            errors.append(exc)

    def writer() -> None:
        try:
            for i in range(201, 231):
                backend.upsert([make_doc(i, f"Clinic {i} Ketamine", lat=30.1, lon=-97.0)])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    backend.close()
    assert not errors, errors


def test_match_expression_quotes_everything() -> None:
    expr, words = match_expression('NEAR( "a" * {name}: x OR', prefix_all=True)
    assert words == ["near", "a", "name", "x", "or"]
    assert expr == '("near" OR "near"*) AND ("a" OR "a"*) AND ("name" OR "name"*) AND ("x" OR "x"*) AND ("or" OR "or"*)'
    assert match_expression('" * ( ) :') == (None, [])


def test_completions_and_typos_use_the_vocabulary() -> None:
    vocab = build_vocabulary([("ketamine",), ("clinic",), ("clinics",), ("denver",), ("80202",)], 1)
    groups = {g.word: g for g in parse("ketam clinc denvre dinvar 80203", vocab, prefix_all=True)}
    assert groups["ketam"].exact == ("ketam", "ketamine")
    assert groups["clinc"].exact == ("clinc", "clinic")  # one edit for a 5-letter word
    assert groups["denvre"].exact == ("denvre", "denver")  # a swap of two letters is one edit (as Meilisearch)
    assert groups["dinvar"].exact == ("dinvar",)  # two edits: too far for 6 letters
    assert groups["80203"].exact == ("80203",)  # numbers never get typo variants
    many = build_vocabulary([(f"ab{i:03d}",) for i in range(50)], 1)
    assert parse("ab", many)[0].prefix == "ab"  # too many completions: a real prefix query
    # the contract (docs/search.md): only the last word is completed, an earlier partial word is not
    assert parse("ketam clinic", vocab)[0].exact == ("ketam",)
    assert parse("clinic ketam", vocab)[1].exact == ("ketam", "ketamine")


def test_bitsets_round_trip() -> None:
    ids = [0, 1, 7, 8, 63, 64, 1000, 99999]
    bs = bitset.from_ids(ids, 100_000 // 8 + 1)
    assert bitset.ids_of(bs) == ids
    assert bitset.from_csv(",".join(map(str, reversed(ids)))) == bs
    member = bitset.Membership(bs)
    assert 1000 in member and 999 not in member and 10**9 not in member


def test_incremental_snapshot_equals_full_reload(tmp_path: Path) -> None:
    import random

    from indexer.search.bitset import Snapshot
    from indexer.search.common import BITS

    rnd = random.Random(5)
    writer, reader = FTS5Backend(tmp_path / "s.sqlite3"), FTS5Backend(tmp_path / "s.sqlite3")

    def doc(i: int) -> dict:
        return make_doc(i, f"Clinic {i}", stale=rnd.random() < 0.2, rating_bayes=rnd.choice([None, 3.5, 4.0, 4.5]),
                        modalities=rnd.sample(["iv_infusion", "at_home", "im_injection"], rnd.randint(0, 2)),
                        verified=rnd.random() < 0.5)

    writer.rebuild(doc(i) for i in range(1, 60))
    first = reader.snapshot()
    for _ in range(15):
        if rnd.random() < 0.3:
            writer.delete(rnd.sample(range(1, 90), 5))
        else:
            writer.upsert(doc(rnd.randint(1, 90)) for _ in range(4))
        incremental = reader.snapshot()
        conn = reader._checkout()
        full = Snapshot.load(conn, incremental.generation, len(BITS))
        reader._checkin(conn)
        assert incremental.every == full.every and incremental.live == full.live
        assert incremental.bits == full.bits and incremental.by_rating == full.by_rating
    assert reader.snapshot() is not first
    writer.close()
    reader.close()


def test_bad_document_ids_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    backend = FTS5Backend(tmp_path / "s.sqlite3")
    backend.upsert([make_doc(1, "Kept")])
    for bad in (0, -5, 10**12):
        with pytest.raises(ValueError):
            backend.upsert([make_doc(2, "Fine"), make_doc(bad, "Bad")])
    assert backend.count() == 1 and backend.get(2) is None  # the whole batch rolled back
    backend.close()


def test_broad_text_ranks_by_tiers_then_rating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.search import fts5_search

    monkeypatch.setattr(fts5_search, "RANK_CAP", 5)  # make 40 matches "broad"
    backend = FTS5Backend(tmp_path / "s.sqlite3")
    docs = [make_doc(i, f"Wellness {i}", services=["ketamine_assisted_psychotherapy"], rating_bayes=3.0 + i / 100)
            for i in range(1, 41)]
    docs += [make_doc(50, "Ketamine Place", rating_bayes=2.0), make_doc(51, "Ketamine Spot", rating_bayes=4.0),
             make_doc(52, "Calm Center", practitioners=["Ketamine Smith, MD"], rating_bayes=5.0)]
    backend.upsert(docs)
    result = backend.search(SearchQuery(text="ketamine", per_page=5))
    assert result.total == 43
    assert [h.id for h in result.hits] == [51, 50, 52, 40, 39]  # name tier, practitioner tier, then by rating
    monkeypatch.setattr(fts5_search, "RANK_CAP", 2000)
    assert [h.id for h in backend.search(SearchQuery(text="ketamine", per_page=2)).hits][0] in (50, 51)  # bm25
    backend.close()


def test_distance_sort_reaches_far_documents(tmp_path: Path) -> None:
    backend = FTS5Backend(tmp_path / "s.sqlite3")
    backend.upsert([make_doc(1, "Honolulu Clinic", lat=21.3069, lon=-157.8583),
                    make_doc(2, "Anchorage Clinic", lat=61.2181, lon=-149.9003), make_doc(3, "Nowhere Clinic")])
    hits = backend.search(SearchQuery(lat=40.7128, lon=-74.0060, sort="distance")).hits  # New York
    assert [h.id for h in hits] == [2, 1, 3]
    assert hits[0].distance_km is not None and hits[0].distance_km > 5000
    backend.close()


def test_thread_per_request_does_not_leak_connections(tmp_path: Path) -> None:
    from indexer.search.fts5 import POOL_IDLE_MAX

    backend = FTS5Backend(tmp_path / "s.sqlite3")
    backend.upsert([make_doc(1, "Only Clinic")])
    results: list[int] = []
    for _ in range(5):
        threads = [threading.Thread(target=lambda: results.append(backend.search(SearchQuery(text="only")).total))
                   for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert results == [1] * 60
    assert 1 <= len(backend._idle) <= POOL_IDLE_MAX
    backend.close()
    assert backend._idle == [] and backend.count() == 1  # still usable after close


def test_cached_circles_follow_writes(tmp_path: Path) -> None:
    """Circles around a searched place are cached; a write moves documents in or out of them (another
    instance's write too), a rebuild drops them."""
    austin = (30.2672, -97.7431)
    writer = FTS5Backend(tmp_path / "s.sqlite3")
    reader = FTS5Backend(tmp_path / "s.sqlite3")
    writer.upsert([make_doc(1, "Near", lat=30.27, lon=-97.74), make_doc(2, "Far", lat=32.78, lon=-96.80)])

    def near() -> list[int]:
        q = SearchQuery(lat=austin[0], lon=austin[1], radius_km=50, sort="distance", per_page=50)
        return [h.id for h in reader.search(q).hits]

    assert near() == [1]
    writer.upsert([make_doc(2, "Far, now near", lat=30.30, lon=-97.70),
                   make_doc(3, "New", lat=30.2672, lon=-97.7431)])
    assert near() == [3, 1, 2]
    writer.upsert([make_doc(1, "Moved away", lat=40.0, lon=-100.0)])
    writer.delete([3])
    assert near() == [2]
    writer.rebuild([make_doc(5, "Only", lat=30.27, lon=-97.74)])
    assert near() == [5]
    writer.close()
    reader.close()
