"""The same website meets across ZIPs (a directory printing a wrong or neighbouring ZIP) and merges only with a
similar name at the same street (or in the same city), in the same state; a chain's branches stay apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import MatchLink
from tests.indexer.core.conftest import addr, crawl, item, providers

ATLANTA = addr("1800 Peachtree Street NW, Suite 400", "Atlanta", "GA", "30309")


def rules(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(m.rule for m in s.scalars(select(MatchLink)))


@pytest.mark.parametrize("runs", ["one", "site_first", "directory_first"])
@pytest.mark.parametrize(("street", "zip_code"), [("1800 Peachtree St NW Ste 400", "30308"),
                                                  (None, "30308"), ("1800 Peachtree St. N.W.", "30303")])
def test_the_same_website_with_a_wrong_zip(db: Database, index, runs: str, street: str | None,
                                           zip_code: str) -> None:  # type: ignore[no-untyped-def]
    site = ("clinic_site", [item(name="Piedmont Ketamine Clinic", source_url="https://piedmontketamine.com/",
                                 website="https://piedmontketamine.com/", address=ATLANTA,
                                 phones=["404-555-0121"])])
    entry = ("directory:a", [item(name="Piedmont Ketamine Clinic, LLC", source_url="https://dir.test/p",
                                  website="http://www.piedmontketamine.com/atlanta", phones=[],
                                  address=addr(street, "Atlanta", "GA", zip_code))])
    order = [entry, site] if runs == "directory_first" else [site, entry]
    for source, items in order:
        crawl(db, source, items)
        if runs != "one":
            index()
    index()
    assert len(providers(db)) == 1
    assert rules(db) == ["new", "website_name"]


@pytest.mark.parametrize(("name", "place", "website"), [
    # a chain's other branch: same domain, another street, another ZIP
    ("Piedmont Ketamine Clinic - Buckhead", addr("3400 Peachtree Rd NE", "Atlanta", "GA", "30326"),
     "https://piedmontketamine.com/buckhead"),
    # the same website named in another state (a look-alike, or the chain's branch there)
    ("Piedmont Ketamine Clinic", addr("1800 Peachtree St NW Ste 400", "Charlotte", "NC", "28202"),
     "https://piedmontketamine.com/"),
    # another name linking to the same site, in another ZIP
    ("Southern Crescent Behavioral Health", addr("1800 Peachtree St NW Ste 400", "Atlanta", "GA", "30308"),
     "https://piedmontketamine.com/"),
    # no street, another city of the state
    ("Piedmont Ketamine Clinic", addr(None, "Marietta", "GA", "30060"), "https://piedmontketamine.com/"),
])
def test_the_same_website_elsewhere_stays_apart(db: Database, index, name: str, place: dict,  # type: ignore[no-untyped-def,type-arg]
                                                website: str) -> None:
    crawl(db, "clinic_site", [item(name="Piedmont Ketamine Clinic", source_url="https://piedmontketamine.com/",
                                   website="https://piedmontketamine.com/", address=ATLANTA,
                                   phones=["404-555-0121"])])
    crawl(db, "directory:a", [item(name=name, source_url="https://dir.test/p", website=website, phones=[],
                                   address=place)])
    index()
    assert len(providers(db)) == 2


def test_a_chain_with_two_branches_in_the_city_and_a_listing_without_a_street(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [
        item(name="Piedmont Ketamine Clinic", source_url="https://piedmontketamine.com/midtown",
             website="https://piedmontketamine.com/midtown", address=ATLANTA, phones=["404-555-0121"]),
        item(name="Piedmont Ketamine Clinic", source_url="https://piedmontketamine.com/buckhead",
             website="https://piedmontketamine.com/buckhead", phones=["404-555-0122"],
             address=addr("3400 Peachtree Rd NE", "Atlanta", "GA", "30326"))])
    crawl(db, "directory:a", [item(name="Piedmont Ketamine Clinic", source_url="https://dir.test/p",
                                   website="https://piedmontketamine.com/", phones=[],
                                   address=addr(None, "Atlanta", "GA", "30308"))])
    index()
    assert len(providers(db)) == 3
