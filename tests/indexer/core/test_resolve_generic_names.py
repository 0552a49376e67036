"""Name-only merges (``name_area``) need a distinctive name, or a second agreeing signal: two independent
clinics of one city may both call themselves "Ketamine Wellness Center"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import MatchLink
from indexer.resolve.distinct import MIN_NAMES, NameWords
from tests.indexer.core.conftest import addr, crawl, item, providers

DENVER = addr("1600 Stout Street, Suite 1400", "Denver", "CO", "80202")


def rules(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(m.rule for m in s.scalars(select(MatchLink)))


@pytest.mark.parametrize("name", ["Ketamine Wellness Center", "The Ketamine Clinic, LLC", "Denver Ketamine Clinic"])
def test_a_generic_name_alone_never_joins_two_clinics(db: Database, index, name: str) -> None:  # type: ignore[no-untyped-def]
    # Two independent clinics of one city with the trade's words (or the city's) for a name.
    crawl(db, "clinic_site", [item(name=name, source_url="https://one.test/", address=DENVER,
                                   phones=["303-555-0102"])])
    crawl(db, "directory:a", [item(name=name, source_url="https://dir.test/k", phones=["303-555-0188"],
                                   address=addr(None, "Denver", "CO", "80202"))])
    index()
    assert len(providers(db)) == 2
    assert rules(db) == ["new", "new"]


def test_a_distinctive_name_still_joins_without_a_street(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Mile High Ketamine Wellness", source_url="https://mhk.test/",
                                   address=DENVER, phones=["303-555-0102"])])
    crawl(db, "directory:a", [item(name="Mile High Ketamine Wellness, PLLC", source_url="https://dir.test/m",
                                   address=addr(None, "Denver", "CO", "80202"), phones=[])])
    index()
    assert len(providers(db)) == 1
    assert rules(db) == ["name_area", "new"]


def test_a_generic_name_with_a_second_agreeing_signal_joins(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Ketamine Wellness Center", source_url="https://kwc.test/",
                                   website="https://kwc.test/", address=DENVER, phones=["303-555-0102"])])
    crawl(db, "directory:a", [item(name="Ketamine Wellness Center", source_url="https://dir.test/k",
                                   website="https://www.kwc.test/denver", phones=[],
                                   address=addr(None, "Denver", "CO", "80202"))])
    index()
    assert len(providers(db)) == 1


def test_how_common_a_word_is_among_the_listings() -> None:
    words = NameWords()
    for i in range(MIN_NAMES):
        words.add(f"lotus harbor {i} ketamine" if i % 4 == 0 else f"clinic number{i}")
    assert not words.distinctive("lotus harbor ketamine")  # in a quarter of the names
    assert words.distinctive("lotus quarry ketamine")
    few = NameWords()
    for i in range(4):
        few.add(f"lotus {i}")
    assert few.distinctive("lotus ketamine")  # four names say nothing about "lotus"
    assert not few.distinctive("ketamine infusion center 12")
    assert not few.distinctive("atlanta ketamine", "Atlanta", "GA")
    assert not few.distinctive("georgia ketamine", "Atlanta", "GA")
