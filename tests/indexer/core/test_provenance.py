from __future__ import annotations

from sqlalchemy import delete, func, select

from indexer.db import Database
from indexer.db.models import Credential, FieldEvidence, OutboxEntry, Override, Provider
from indexer.pipeline import publish_all_pending
from indexer.recompute import accept_pending_changes, recompute_provider
from tests.indexer.core.conftest import addr, crawl, item, providers

AUSTIN = addr("1100 Congress Ave Ste 210", "Austin", "TX", "78701")


def listing(url: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("name", "Sunrise Ketamine Clinic")
    kw.setdefault("phones", ["(512) 555-0100"])
    kw.setdefault("address", AUSTIN)
    return item(source_url=url, **kw)


def only(db: Database) -> Provider:
    (p,) = providers(db, "clinic")
    return p


def test_tier_then_newest_wins_and_lists_union_the_winning_tier(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "directory:a", [listing("https://dir.test/1", website="https://dir-says.test/",
                                      modalities=["at_home", "iv_infusion"], conditions=["ptsd"])])
    crawl(db, "osm", [listing("https://osm.test/1", conditions=["anxiety"])])
    index()
    p = only(db)
    assert p.website == "https://dir-says.test/" and p.modalities == ["at_home", "iv_infusion"]
    assert p.conditions == ["anxiety", "ptsd"]  # two tier-1 sources: union
    crawl(db, "clinic_site", [listing("https://sunrise.test/", website="https://sunrise.test/",
                                      modalities=["iv_infusion"])])
    index()
    p = only(db)
    assert p.website == "https://sunrise.test/"  # the clinic's own site (tier 2) beats the directory
    assert p.modalities == ["iv_infusion"]  # a lower tier cannot add to what the clinic says
    assert p.conditions == ["anxiety", "ptsd"]  # the clinic said nothing about conditions
    with db.session() as s:
        ev = s.scalars(select(FieldEvidence).where(FieldEvidence.provider_id == p.id,
                                                   FieldEvidence.field == "website")).all()
        assert sorted((e.tier, e.selected) for e in ev) == [(1, False), (2, True)]
        assert all(e.url and e.first_seen and e.last_seen and e.observation_id for e in ev)
    # Newest within the same tier wins (the directory changes its mind; its old value is gone from evidence).
    crawl(db, "directory:a", [listing("https://dir.test/1", email="new@sunrise.test")])
    crawl(db, "directory:b", [listing("https://dirb.test/1", email="old@sunrise.test")])
    with db.session() as s:  # make directory:b's observation the older one
        from indexer.db.models import Observation
        ob = s.scalars(select(Observation).where(Observation.source_url == "https://dirb.test/1")).one()
        ob.fetched_at = ob.fetched_at.replace(year=2020)
        s.commit()
    index()
    assert only(db).email == "new@sunrise.test"


def test_override_wins_and_survives_crawls(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [listing("https://sunrise.test/", phones=["(512) 555-0100"])])
    index()
    pid = only(db).id
    with db.session() as s:
        s.add(Override(provider_id=pid, field="phones", value=["+15125550111"], note="called them"))
        s.add(Override(provider_id=pid, field="city", value="Round Rock"))
        s.flush()
        assert recompute_provider(s, pid) is True
        assert recompute_provider(s, pid) is False  # nothing left to change
        assert s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.provider_id == pid)) >= 2
        s.commit()
    assert only(db).phones == ["+15125550111"] and only(db).city == "Round Rock"
    crawl(db, "clinic_site", [listing("https://sunrise.test/", phones=["(512) 555-0199"])])
    index(full=True)
    p = only(db)
    assert p.phones == ["+15125550111"] and p.city == "Round Rock" and p.street == "1100 Congress Ave Ste 210"
    with db.session() as s:
        s.execute(delete(Override))
        s.flush()
        assert recompute_provider(s, pid)
        s.commit()
    assert only(db).phones == ["+15125550199"] and only(db).city == "Austin"


def test_material_changes_of_published_providers_wait_for_review(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    doc = {"name": "Helen Park", "credentials": ["MD"], "npi": "1234567893"}
    crawl(db, "clinic_site", [listing("https://sunrise.test/", modalities=["iv_infusion"], practitioners=[doc])])
    index()
    with db.session() as s:
        assert publish_all_pending(s) == 2
        s.commit()
    crawl(db, "clinic_site", [listing("https://sunrise.test/", name="Sunrise Wellness Spa",
                                      phones=["(512) 555-0100", "(512) 555-0111"],
                                      modalities=["iv_infusion", "at_home"],
                                      practitioners=[{**doc, "credentials": ["MD", "CRNA"]}])])
    index()
    p = only(db)
    assert p.name == "Sunrise Ketamine Clinic" and p.modalities == ["iv_infusion"]  # held
    assert p.phones == ["+15125550100", "+15125550111"]  # low-risk: applied
    assert set(p.pending_changes) == {"name", "modalities"} and p.review_priority > 0
    assert p.pending_changes["name"]["new"] == "Sunrise Wellness Spa"
    assert p.pending_changes["name"]["source"] == "clinic_site"
    assert p.pending_changes["name"]["url"] == "https://sunrise.test/"
    (doc_p,) = providers(db, "practitioner")
    assert doc_p.pending_changes["credentials"]["new"] == ["CRNA:1234567893", "MD:1234567893"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Credential)
                        .where(Credential.provider_id == doc_p.id)) == 1
        assert accept_pending_changes(s, p.id, ["name"]) == ["name"]
        assert accept_pending_changes(s, doc_p.id) == ["credentials"]
        s.commit()
    p = only(db)
    assert p.name == "Sunrise Wellness Spa" and p.match_name == "sunrise wellness spa"
    assert set(p.pending_changes) == {"modalities"}
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Credential)
                        .where(Credential.provider_id == doc_p.id)) == 2
        assert not s.get(Provider, doc_p.id).pending_changes
    index(full=True)  # re-deriving everything keeps the held change held, and adds nothing new
    p = only(db)
    assert set(p.pending_changes) == {"modalities"} and p.modalities == ["iv_infusion"]
