"""One record per provider across sources: a directory's entry and the clinic's own website, indexed for real,
merge when the evidence says so and stay apart otherwise."""

from __future__ import annotations

import pytest
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


ASHEVILLE = addr("56 College St, Suite 4", "Asheville", "NC", "28801")
PRACTICE = {"name": "Blue Ridge Ketamine Psychotherapy", "source_url": "https://brkp.test/", "phones": ["828-555-0106"],
            "website": "https://brkp.test/", "address": ASHEVILLE}


def links(db: Database) -> list[tuple[str, str, str]]:
    """(rule, mention or "", kind of the provider) of every decision."""
    from indexer.db.models import Provider
    with db.session() as s:
        return sorted((m.rule, m.mention_key or "", s.get(Provider, m.provider_id).kind)
                      for m in s.scalars(select(MatchLink)))


def test_an_individual_listing_joins_the_persons_own_practice(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(**PRACTICE, practitioners=[
        {"name": "Sam Patel", "credentials": ["PMHNP-BC"], "role": "Founder", "npi": None}])])
    crawl(db, "directory:a", [item(name="Sam Patel", kind="practitioner", credentials=["PMHNP-BC"],
                                   source_url="https://dir.test/patel", phones=["(828) 555-0106"],
                                   address=addr("56 College Street #4", "Asheville", "NC", "28801"),
                                   modalities=["oral_sublingual"])])
    index()
    clinic, = providers(db, "clinic")
    person, = providers(db, "practitioner")
    assert clinic.name == "Blue Ridge Ketamine Psychotherapy" and clinic.modalities == ["oral_sublingual"]
    assert person.name == "Sam Patel"
    assert links(db) == [("name_address", "p:sam patel", "practitioner"), ("new", "", "clinic"),
                         ("new", "p:sam patel", "practitioner"), ("solo_practice", "", "clinic")]
    from indexer.db.models import Credential
    with db.session() as s:  # the directory's claim about the person is the person's, checked as the site's
        claims = sorted((c.provider_id, c.credential) for c in s.scalars(select(Credential)))
    assert claims == [(person.id, "PMHNP-BC")]
    index(full=True)  # idempotent: the same decisions
    assert len(providers(db)) == 2 and len(links(db)) == 4


def test_an_individual_listed_at_a_group_practice_stays_a_person(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    team = [{"name": n, "credentials": c, "role": None, "npi": None}
            for n, c in (("Sam Patel", ["PMHNP-BC"]), ("Jane Roe", ["MD"]), ("Ann Lee", ["LCSW"]))]
    crawl(db, "clinic_site", [item(**PRACTICE, practitioners=team)])
    crawl(db, "directory:a", [item(name="Sam Patel", kind="practitioner", credentials=["PMHNP-BC"],
                                   source_url="https://dir.test/patel", phones=["828-555-0106"], address=ASHEVILLE)])
    index()
    assert len(providers(db, "clinic")) == 1
    assert len(providers(db, "practitioner")) == 3  # Sam Patel once: found again by name at that practice
    assert ("name_address", "", "practitioner") in links(db)
    assert "solo_practice" not in {r for r, _m, _k in links(db)}


def test_a_shared_chain_phone_at_another_street_stays_apart(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Evergreen Ketamine Centers - Back Bay", source_url="https://eg.test/bb",
                                   phones=["617-555-0105"], address=addr("45 Newbury St", "Boston", "MA", "02116"))])
    crawl(db, "directory:a", [item(name="Evergreen Ketamine Centers - Copley", source_url="https://dir.test/eg",
                                   phones=["617-555-0105"], address=addr("500 Boylston St", "Boston", "MA", "02116"))])
    index()
    assert len(providers(db)) == 2


def test_a_street_with_or_without_its_suite_is_one_place(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Gulf Coast Ketamine Center", source_url="https://gck.test/",
                                   address=HOUSTON, phones=["713-555-0100"])])
    crawl(db, "directory:a", [item(name="Gulf Coast Ketamine Center", source_url="https://dir.test/g",
                                   address=addr("4400 Westheimer Rd", "Houston", "TX", "77027"),
                                   phones=["713-555-0100"])])
    index()
    assert len(providers(db)) == 1


def test_a_moderator_splits_a_solo_practice_merge(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    from indexer import curate
    from indexer.audit import Actor
    from indexer.db.models import Observation
    crawl(db, "clinic_site", [item(**PRACTICE, practitioners=[
        {"name": "Sam Patel", "credentials": ["PMHNP-BC"], "role": None, "npi": None}])])
    crawl(db, "directory:a", [item(name="Sam Patel", kind="practitioner", credentials=["PMHNP-BC"],
                                   source_url="https://dir.test/patel", phones=["828-555-0106"], address=ASHEVILLE)])
    index()
    clinic, = providers(db, "clinic")
    with db.session() as s:
        obs = s.scalar(select(Observation.id).where(Observation.source_url == "https://dir.test/patel"))
        new = curate.split(s, Actor("mia", 1), clinic.id, [obs], "a person, not the practice")
        s.commit()
        new_id = new.id
    index(full=True)
    assert new_id in {p.id for p in providers(db)} and len(providers(db, "clinic")) == 1
    with db.session() as s:
        link = s.scalar(select(MatchLink).where(MatchLink.observation_id == obs, MatchLink.mention_key.is_(None)))
        assert (link.provider_id, link.rule, link.pinned) == (new_id, "moderator", True)


def test_a_persons_npi_is_no_conflict_with_the_practices(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    from tests.indexer.core.test_registry_policy import npi
    crawl(db, "clinic_site", [item(**PRACTICE, npi=npi("155555551"), practitioners=[
        {"name": "Sam Patel", "credentials": ["PMHNP-BC"], "role": None, "npi": npi("166666661")}])])
    crawl(db, "directory:a", [item(name="Sam Patel", kind="practitioner", credentials=["PMHNP-BC"],
                                   npi=npi("166666661"), source_url="https://dir.test/patel",
                                   phones=["828-555-0106"], address=ASHEVILLE)])
    index()
    assert len(providers(db, "clinic")) == 1 and len(providers(db, "practitioner")) == 1
    assert ("solo_practice", "", "clinic") in links(db)


@pytest.mark.parametrize(("listed", "people"), [(["MD"], 1), ([], 1), (["LCSW"], 2)])
def test_the_same_persons_name_in_the_same_zip(db: Database, index, listed: list[str], people: int) -> None:  # type: ignore[no-untyped-def]
    # A solo practitioner's own website read as a person's (no credential printed) and the directory's listing.
    crawl(db, "clinic_site", [item(name="Jane Roe", kind="practitioner", source_url="https://janeroe.test/",
                                   credentials=["MD"] if people == 2 else [], address=ASHEVILLE)])
    crawl(db, "directory:a", [item(name="Jane Roe", kind="practitioner", credentials=listed,
                                   source_url="https://dir.test/roe", address=addr(None, "Asheville", "NC", "28801"))])
    index()
    assert len(providers(db, "practitioner")) == people
    assert ("name_zip" in {r for r, _m, _k in links(db)}) == (people == 1)


@pytest.mark.parametrize("directory_first", [True, False])
def test_a_directory_printing_no_zip(db: Database, index, directory_first: bool) -> None:  # type: ignore[no-untyped-def]
    site = [item(name="Bayou Mind Ketamine Clinic", source_url="https://bayoumind.test/", address=HOUSTON,
                 phones=["713-555-0140"])]
    entry = [item(name="Bayou Mind Ketamine", source_url="https://dir.test/bayou", phones=["(713) 555-0140"],
                  address=addr(None, "Houston", "TX", None))]
    for source, items in (("directory:a", entry), ("clinic_site", site))[::1 if directory_first else -1]:
        crawl(db, source, items)
        index()  # separate runs: the second listing must still find the first
    assert len(providers(db)) == 1
    assert rules(db) == ["new", "phone_zip"]


def test_the_same_name_where_one_side_prints_no_street(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Gulf Coast Ketamine Center", source_url="https://gck.test/",
                                   address=HOUSTON, phones=["713-555-0100"])])
    crawl(db, "directory:a", [item(name="Gulf Coast Ketamine Center, LLC", source_url="https://dir.test/g",
                                   address=addr(None, "Houston", "TX", "77027"), phones=[])])
    index()
    assert len(providers(db)) == 1
    assert rules(db) == ["name_area", "new"]


def test_the_same_name_without_a_street_at_a_chain_with_two_branches_stays_apart(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [
        item(name="Evergreen Ketamine Centers", source_url="https://eg.test/a", phones=["617-555-0105"],
             address=addr("45 Tremont St", "Boston", "MA", "02108")),
        item(name="Evergreen Ketamine Centers", source_url="https://eg.test/b", phones=["617-555-0106"],
             address=addr("10 Park Plaza", "Boston", "MA", "02108"))])
    crawl(db, "directory:a", [item(name="Evergreen Ketamine Centers", source_url="https://dir.test/eg",
                                   address=addr(None, "Boston", "MA", "02108"), phones=[])])
    index()
    assert len(providers(db)) == 3


@pytest.mark.parametrize(("linked", "merged"), [(True, True), (False, False)])
def test_a_practice_listed_by_a_directory_and_the_persons_own_website(db: Database, index, linked: bool,
                                                                    merged: bool) -> None:  # type: ignore[no-untyped-def]
    # The website is read as a person's (a solo practitioner's own site); the directory lists the practice.
    site = item(name="Sam Patel", kind="practitioner", credentials=["PMHNP-BC"], source_url="https://sampatel.test/",
                website="https://sampatel.test/", phones=["828-555-0106"], address=ASHEVILLE)
    entry = item(name="Blue Ridge Ketamine Psychotherapy", source_url="https://dir.test/brkp", phones=["828-555-0106"],
                 website="https://www.sampatel.test/about" if linked else None, address=ASHEVILLE)
    from indexer.storage import ObservationStore
    store = ObservationStore(db.factory)
    run = store.start_run("directory:a", "directory", kind="directory")
    store.store(run, entry)
    store.finish_run(run)
    run = store.start_run("clinic_site", "clinic_site", kind="clinic_site")
    store.store(run, site)
    store.finish_run(run)
    index()
    assert len(providers(db, "clinic")) == 1
    assert len(providers(db, "practitioner")) == 1
    assert (("solo_practice", "", "clinic") in links(db)) == merged
