"""A solo practitioner's listing and their practice end as one record whatever the order they are indexed in:
in one run, or in two runs either way round (the listing indexed first stays a person until the practice comes,
then joins it as it would have in one run)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import Affiliation, MatchLink, Observation, Provider
from tests.indexer.core.conftest import addr, crawl, item, providers

ASHEVILLE = addr("56 College St, Suite 4", "Asheville", "NC", "28801")
CHICAGO = addr("1200 N Lake Shore Drive, Suite 5", "Chicago", "IL", "60610")

#: (website, directory entry): what each source prints, per case
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # The directory lists the practitioner as an individual; the website is the practice naming them.
    "listed_person": (
        item(name="Blue Ridge Ketamine Psychotherapy", source_url="https://brkp.test/", website="https://brkp.test/",
             phones=["828-555-0106"], address=ASHEVILLE,
             practitioners=[{"name": "Sam Patel", "credentials": ["PMHNP-BC"], "role": "Founder", "npi": None}]),
        item(name="Sam Patel, PMHNP-BC", kind="practitioner", credentials=["PMHNP-BC"],
             source_url="https://dir.test/patel", phones=["(828) 555-0106"],
             address=addr("56 College Street #4", "Asheville", "NC", "28801"))),
    # The directory lists the practice and links to the practitioner's own website, read as a person's.
    "own_site": (
        item(name="Dr. Maya Lind, MD", kind="practitioner", credentials=["MD"], source_url="https://mayalind.test/",
             website="https://mayalind.test/", phones=["312-555-0170"], address=CHICAGO),
        item(name="Northshore Ketamine Psychiatry", source_url="https://dir.test/northshore",
             website="https://www.mayalind.test/", phones=["(312) 555-0170"],
             address=addr("1200 N Lake Shore Dr Ste 5", "Chicago", "IL", "60610"))),
}


def _listing_providers(db: Database) -> dict[str, tuple[int, str]]:
    """source URL -> (provider, rule) of each current listing's own (not a mention's) decision."""
    with db.session() as s:
        out = {}
        for url, pid, rule in s.execute(select(Observation.source_url, MatchLink.provider_id, MatchLink.rule)
                                        .join(MatchLink, MatchLink.observation_id == Observation.id)
                                        .where(MatchLink.mention_key.is_(None), Observation.superseded.is_(False))
                                        .order_by(MatchLink.id)):
            out[url] = (pid, rule)
        assert all(s.get(Observation, o).provider_id == p for o, p in s.execute(
            select(Observation.id, MatchLink.provider_id).join(MatchLink, MatchLink.observation_id == Observation.id)
            .where(MatchLink.mention_key.is_(None))))
        return out


def _state(db: Database) -> tuple[Any, ...]:
    clinics, people = providers(db, "clinic"), providers(db, "practitioner")
    decisions = _listing_providers(db)
    with db.session() as s:
        affiliated = {(a.clinic_id, a.practitioner_id) for a in s.scalars(select(Affiliation))}
    return (len(clinics), len(people), {p for p, _r in decisions.values()} == {c.id for c in clinics},
            sorted(r for _p, r in decisions.values()), {(c.id, p.id) for c in clinics for p in people} == affiliated)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("runs", ["one", "website_first", "directory_first"])
def test_a_solo_practice_is_one_record_in_any_order(db: Database, index, case: str, runs: str) -> None:  # type: ignore[no-untyped-def]
    site, entry = CASES[case]
    order = [("directory:a", entry), ("clinic_site", site)]
    if runs == "website_first":
        order.reverse()
    for source, payload in order:
        crawl(db, source, [payload])
        if runs != "one":
            index()
    index()
    # one practice backed by both listings, one person affiliated with it
    assert _state(db) == (1, 1, True, ["new", "solo_practice"], True)
    person, = providers(db, "practitioner")
    assert person.name in ("Sam Patel", "Maya Lind", "Dr. Maya Lind, MD"), person.name
    index(full=True)  # a full run decides the same again
    assert _state(db) == (1, 1, True, ["new", "solo_practice"], True)
    assert [p.id for p in providers(db, "practitioner")] == [person.id]


def test_a_person_listed_at_a_group_practice_indexed_later_stays_a_person(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    team = [{"name": n, "credentials": c, "role": None, "npi": None}
            for n, c in (("Sam Patel", ["PMHNP-BC"]), ("Jane Roe", ["MD"]))]
    site, entry = CASES["listed_person"]
    crawl(db, "directory:a", [entry])
    index()
    crawl(db, "clinic_site", [{**site, "practitioners": team}])
    index()
    assert len(providers(db, "clinic")) == 1 and len(providers(db, "practitioner")) == 2
    assert "solo_practice" not in {r for _p, r in _listing_providers(db).values()}


def test_a_moderators_decision_is_never_reopened(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    site, entry = CASES["own_site"]
    crawl(db, "clinic_site", [site])
    index()
    with db.session() as s:
        s.execute(MatchLink.__table__.update().values(pinned=True, rule="moderator"))
        s.commit()
    crawl(db, "directory:a", [entry])
    index()
    assert len(providers(db, "clinic")) == 1 and len(providers(db, "practitioner")) == 1
    with db.session() as s:
        assert s.scalar(select(Provider.kind).join(Observation, Observation.provider_id == Provider.id)
                        .where(Observation.source_url == "https://mayalind.test/")) == "practitioner"
