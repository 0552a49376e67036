"""One record per provider across sources: a directory's entry and the clinic's own website, indexed for real,
merge when the evidence says so and stay apart otherwise."""

from __future__ import annotations

from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import MatchLink
from tests.indexer.core.conftest import addr, crawl, item, providers

HOUSTON = addr("4400 Westheimer Road, Suite 300", "Houston", "TX", "77027")


def rules(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(m.rule for m in s.scalars(select(MatchLink)))


def test_the_website_a_directory_links_to(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Bayou Mind Ketamine Clinic", source_url="https://www.bayoumind.com/",
                                   website="https://www.bayoumind.com/", address=HOUSTON, phones=[])])
    # The directory lists the trading name, another page of the same site and a differently spelt address.
    crawl(db, "directory:a", [item(name="Neuro Renewal Partners, LLC", source_url="https://dir.test/bayou",
                                   website="http://bayoumind.com/houston", phones=[],
                                   address=addr("4400 Westheimer Rd Ste 300", "Houston", "TX", "77027"))])
    index()
    assert len(providers(db)) == 1
    assert rules(db) == ["new", "website"]


def test_a_chain_branch_on_another_street_stays_apart(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Bayou Mind Ketamine Clinic", source_url="https://bayoumind.com/",
                                   website="https://bayoumind.com/", address=HOUSTON, phones=["713-555-0100"])])
    crawl(db, "directory:a", [item(name="Bayou Mind Ketamine Clinic - Galleria", source_url="https://dir.test/2",
                                   website="https://bayoumind.com/galleria", phones=["713-555-0177"],
                                   address=addr("5085 Westheimer Rd", "Houston", "TX", "77027"))])
    index()
    assert len(providers(db)) == 2


def test_a_shared_platform_is_no_identity(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "directory:a", [
        item(name="Calm Harbor Ketamine", source_url="https://dir.test/a", website="https://facebook.com/calm",
             address=addr(None, "Houston", "TX", "77027"), phones=[]),
        item(name="Reset Infusion Lounge", source_url="https://dir.test/b", website="https://facebook.com/reset",
             address=addr(None, "Houston", "TX", "77027"), phones=[])])
    index()
    assert len(providers(db)) == 2


def test_solo_practice_under_the_persons_name(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Blue Ridge Ketamine Psychotherapy", source_url="https://brkp.test/",
                                   address=addr("56 College St, Suite 4", "Asheville", "NC", "28801"),
                                   phones=["828-555-0106"])])
    crawl(db, "directory:a", [item(name="Sam Patel, PMHNP-BC", source_url="https://dir.test/patel",
                                   address=addr("56 College Street #4", "Asheville", "NC", "28801"),
                                   phones=["(828) 555-0106"])])
    index()
    assert len(providers(db)) == 1
    assert rules(db) == ["new", "phone_zip"]


def test_a_shared_phone_at_another_street_with_another_name_stays_apart(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Blue Ridge Ketamine Psychotherapy", source_url="https://brkp.test/",
                                   address=addr("56 College St, Suite 4", "Asheville", "NC", "28801"),
                                   phones=["828-555-0106"])])
    crawl(db, "directory:a", [item(name="Mountain Spravato Center", source_url="https://dir.test/m",
                                   address=addr("10 Biltmore Ave", "Asheville", "NC", "28801"),
                                   phones=["828-555-0106"])])
    index()
    assert len(providers(db)) == 2


def test_legal_and_trading_names_and_spelling_of_the_address(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Gulf Coast Ketamine Center", source_url="https://gck.test/",
                                   address=HOUSTON, phones=[])])
    crawl(db, "directory:a", [item(name="Gulf Coast Ketamine Centers, LLC", source_url="https://dir.test/g",
                                   address=addr("4400 Westheimer Rd., Ste. 300", "Houston", "TX", "77027"),
                                   phones=[])])
    index()
    assert len(providers(db)) == 1
    assert rules(db) == ["name_address", "new"]


def test_a_look_alike_in_another_state_never_merges(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Gulf Coast Ketamine Center", source_url="https://gck.test/",
                                   website="https://gulfcoastketamine.com/", address=HOUSTON, phones=["713-555-0100"])])
    crawl(db, "directory:a", [item(name="Gulf Coast Ketamine Center", source_url="https://dir.test/fl",
                                   website="https://gulfcoastketamine.com/", phones=["713-555-0100"],
                                   address=addr("4400 Westheimer Rd Ste 300", "Tampa", "FL", "33602"))])
    index()
    assert len(providers(db)) == 2
