"""Natural queries on the web tests' standard data set (tests/web/seed.py), through the real document builder
and publisher into the embedded backend: what a patient sees on the demo site."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.db import Database
from indexer.search.base import SearchQuery
from indexer.search.fts5 import FTS5Backend
from kdir.common.places import split_place
from tests.web.seed import Seeded, publish, seed_directory

PLACEHOLDER = "IV infusion, PTSD, Austin"  # web/templates/public/search.html, the search box's example


@pytest.fixture
def demo(sqlite_db: Database, tmp_path: Path) -> tuple[FTS5Backend, Seeded]:
    seeded = seed_directory(sqlite_db)
    backend = FTS5Backend(tmp_path / "search.sqlite3")
    publish(sqlite_db, backend)
    return backend, seeded


def found(backend: FTS5Backend, text: str) -> list[int]:
    return [h.id for h in backend.search(SearchQuery(text=text, per_page=100)).hits]


def test_the_search_box_example_returns_results(demo: tuple[FTS5Backend, Seeded]) -> None:
    """(On the demo itself: tests/web/public/test_search_demo.py.)"""
    backend, seeded = demo
    template = (Path(__file__).resolve().parents[3] / "web/templates/public/search.html").read_text()
    assert f'placeholder="e.g. {PLACEHOLDER}"' in template
    place = split_place(PLACEHOLDER)  # the web's place splitter takes "Austin" as the place
    assert place is not None and place.label == "Austin, TX" and place.text == "IV infusion, PTSD"
    assert [h.id for h in backend.search(SearchQuery(text=place.text, lat=place.lat, lon=place.lon,
                                                     radius_km=80)).hits] == [seeded.ids["sunrise"]]


def names(backend: FTS5Backend, text: str, **kwargs: object) -> set[str]:
    return {h.document["name"] for h in backend.search(SearchQuery(text=text, per_page=100, **kwargs)).hits}  # type: ignore[arg-type]


SUNRISE = "Sunrise Ketamine Clinic"


@pytest.mark.parametrize(("text", "expected"), [
    ("KAP", {"Blue Ridge KAP Collective", "Sam Patel, PMHNP-BC"}),
    ("TRD", {"Rose City Spravato Psychiatry"}),
    ("esketamine", {"Rose City Spravato Psychiatry"}),
    ("psychiatrist", {SUNRISE, "Rose City Spravato Psychiatry"}),
    ("nurse practitioner", {"Sam Patel, PMHNP-BC"}),
    ("Dr. Reyes", {SUNRISE, "Alan Reyes"}),  # the clinic he works at, and his own listing
    ("Reyse", {SUNRISE, "Alan Reyes"}),
    ("Dr Ortiz MD", {"Rose City Spravato Psychiatry", "Helen Ortiz"}),  # her clinic and her own listing
    ("Alan Reyes, DO", {SUNRISE, "Alan Reyes"}),  # the registry says MD
    ("therapists", {SUNRISE, "Blue Ridge KAP Collective", "Maria Chen"}),  # Maria Chen, LCSW: her own listing
])
def test_natural_queries_on_the_demo_data(demo: tuple[FTS5Backend, Seeded], text: str, expected: set[str]) -> None:
    assert names(demo[0], text) == expected


def test_plurals_on_the_demo_data(demo: tuple[FTS5Backend, Seeded]) -> None:
    backend = demo[0]
    assert names(backend, "infusions") == names(backend, "infusion") != set()
    assert {SUNRISE, "Mile High Infusion Center"} <= names(backend, "infusions")


def test_ketamine_near_a_zip(demo: tuple[FTS5Backend, Seeded]) -> None:
    place = split_place("ketamine near 78701")
    assert place is not None
    near = names(demo[0], place.text, lat=place.lat, lon=place.lon, radius_km=25)
    assert {SUNRISE, "Austin Ketamine Wellness"} <= near
    assert "Mile High Infusion Center" not in near and "Old Town Ketamine" not in near  # far; stale
