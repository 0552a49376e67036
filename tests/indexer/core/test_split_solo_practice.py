"""Splitting a solo practitioner's listing out of the practice it joined (rule ``solo_practice``) leaves exactly
one record for that person -- the person the listing named, now backed by the listing itself -- correctly linked,
and a later full run keeps it so."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from indexer import curate
from indexer.audit import Actor
from indexer.db import Database
from indexer.db.models import Affiliation, MatchLink, Observation, Provider
from tests.indexer.core.conftest import addr, crawl, item, providers

ASHEVILLE = addr("56 College St, Suite 4", "Asheville", "NC", "28801")
PATEL = {"name": "Sam Patel", "credentials": ["PMHNP-BC"], "role": "Founder", "npi": None}


def _practice(named: bool) -> dict[str, Any]:
    return item(name="Patel Ketamine Psychotherapy", source_url="https://brkp.test/", website="https://brkp.test/",
                phones=["828-555-0106"], address=ASHEVILLE, practitioners=[PATEL] if named else [])


LISTING = item(name="Sam Patel, PMHNP-BC", kind="practitioner", credentials=["PMHNP-BC"],
               source_url="https://dir.test/patel", phones=["(828) 555-0106"], modalities=["oral_sublingual"],
               address=addr("56 College Street #4", "Asheville", "NC", "28801"))


def _decision(db: Database, url: str) -> tuple[int, str, bool]:
    with db.session() as s:
        link = s.scalars(select(MatchLink).join(Observation, Observation.id == MatchLink.observation_id)
                         .where(Observation.source_url == url, MatchLink.mention_key.is_(None))
                         .order_by(MatchLink.pinned.desc(), MatchLink.id.desc())).first()
        return link.provider_id, link.rule, link.pinned


@pytest.mark.parametrize("named", [True, False])
def test_splitting_a_solo_practice_merge_leaves_one_person(db: Database, index, named: bool) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [_practice(named)])
    crawl(db, "directory:a", [LISTING])
    index()
    clinic, = providers(db, "clinic")
    person, = providers(db, "practitioner")
    assert _decision(db, "https://dir.test/patel")[:2] == (clinic.id, "solo_practice")
    with db.session() as s:
        obs = s.scalar(select(Observation.id).where(Observation.source_url == "https://dir.test/patel"))
        split_off = curate.split(s, Actor("mia", 1), clinic.id, [obs], "a person, not the practice").id
        s.commit()
    for run in ({}, {"full": True}):
        index(**run)
        people = providers(db, "practitioner")
        assert [p.id for p in people] == [person.id] == [split_off], run  # one record for Sam Patel
        assert _decision(db, "https://dir.test/patel") == (person.id, "moderator", True)
        assert people[0].phones == ["+18285550106"] and people[0].modalities == ["oral_sublingual"]  # its listing
        clinic_now, = providers(db, "clinic")
        assert clinic_now.id == clinic.id and clinic_now.modalities == []  # the listing no longer backs it
        with db.session() as s:
            assert s.scalar(select(Observation.provider_id).where(Observation.id == obs)) == person.id
            affiliated = set(s.execute(select(Affiliation.clinic_id, Affiliation.practitioner_id)))
            assert affiliated == ({(clinic.id, person.id)} if named else set())
            mentions = s.scalars(select(MatchLink.provider_id).where(MatchLink.observation_id == obs,
                                                                     MatchLink.mention_key.is_not(None))).all()
            assert mentions == []  # the listing is the person, no longer a mention of them
            assert s.get(Provider, person.id).status == "pending"
