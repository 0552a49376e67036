from __future__ import annotations

from sqlalchemy import func, select

from indexer.db import Database
from indexer.db.models import Affiliation, MatchLink, Observation, Provider
from tests.indexer.core.conftest import addr, crawl, item, providers

AUSTIN = addr("1100 Congress Avenue, Suite 210", "Austin", "TX", "78701")


def clinic(name: str = "Sunrise Ketamine Clinic, PLLC", url: str = "https://sunrise.test/", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("address", AUSTIN)
    kw.setdefault("phones", ["(512) 555-0100"])
    return item(name=name, source_url=url, **kw)


def links(db: Database) -> list[tuple[int, str, str | None]]:
    with db.session() as s:
        return [(m.provider_id, m.rule, m.mention_key) for m in s.scalars(select(MatchLink).order_by(MatchLink.id))]


def test_same_clinic_across_sources_merges_by_phone_and_zip(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [clinic()])
    crawl(db, "directory:a", [clinic("Sunrise Ketamine Clinic", "https://dir.test/1", phones=["512.555.0100"],
                                     address=addr("1100 Congress Ave Ste 210", "Austin", "Texas", "78701-0001"))])
    report = index()
    assert report.observations_processed == 2 and report.providers_created == 1 and report.providers_merged == 1
    assert len(providers(db)) == 1
    assert [r for _p, r, _m in links(db)] == ["new", "phone_zip"]


def test_merge_by_npi_and_by_name_address(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [clinic(npi="1234567893", phones=[])])
    crawl(db, "directory:a", [
        clinic("Totally Renamed Wellness", "https://dir.test/npi", npi="1234567893", phones=[],
               address=addr(None, "Austin", "TX", "73301")),
        clinic("Sunrise Ketamine Clinic LLC", "https://dir.test/addr", phones=["(512) 555-0199"],
               address=addr("1100 Congress Ave. #210", "Austin", "TX", "78701"))])
    index()
    assert len(providers(db)) == 1
    assert sorted(r for _p, r, _m in links(db)) == ["name_address", "new", "npi"]


def test_distinct_clinics_stay_apart(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [
        clinic(npi="1234567893"),
        clinic("Sunrise Ketamine Clinic", "https://sunrise.test/denver", phones=["(303) 555-0100"],
               address=addr("1100 Congress Avenue, Suite 210", "Denver", "CO", "80202")),  # same name, other city
        clinic("Sunrise Ketamine Clinic", "https://sunrise.test/b", npi="1245319599", phones=["(512) 555-0100"],
               address=AUSTIN),
    ])
    crawl(db, "directory:a", [clinic("Lotus Infusion Center", "https://dir.test/x", phones=["(512) 555-0177"],
                                     address=addr("1200 Congress Ave", "Austin", "TX", "78701"))])
    index()
    # Different NPIs never merge; a namesake in another city does not; another name at the same ZIP does not.
    assert len(providers(db)) == 4


def test_incremental_and_idempotent(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [clinic(), clinic("Lotus Infusion Center", "https://lotus.test/",
                                               phones=["(512) 555-0177"])])
    first = index()
    assert first.observations_processed == 2
    again = index()
    assert again.observations_processed == 0 and again.providers_updated == 0
    crawl(db, "clinic_site", [clinic(modalities=["iv_infusion"]), clinic("Lotus Infusion Center",
                                                                         "https://lotus.test/",
                                                                         phones=["(512) 555-0177"])])
    third = index()
    assert third.observations_processed == 1 and third.providers_created == 0
    p = next(p for p in providers(db) if p.name.startswith("Sunrise"))
    assert p.modalities == ["iv_infusion"] and len(providers(db)) == 2
    full = index(full=True)
    assert full.observations_processed == 2 and full.providers_created == 0 and len(providers(db)) == 2
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Observation).where(
            Observation.indexed_hash != Observation.content_hash)) == 0


def test_practitioners_merge_across_clinics_by_npi(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    doc = {"name": "Dr. Helen Park, MD", "credentials": ["MD"], "role": "Medical Director", "npi": "1234567893"}
    crawl(db, "clinic_site", [
        clinic(practitioners=[doc, {"name": "Jordan Ellis", "credentials": ["CRNA"], "role": "CRNA"}]),
        clinic("Lotus Infusion Center", "https://lotus.test/", phones=["(512) 555-0177"],
               practitioners=[{"name": "Helen Park", "credentials": ["MD"], "npi": "1234567893"}])])
    index()
    people = providers(db, "practitioner")
    assert sorted(p.match_name for p in people) == ["helen park", "jordan ellis"]
    with db.session() as s:
        helen = next(p for p in people if p.match_name == "helen park")
        assert s.scalar(select(func.count()).select_from(Affiliation).where(
            Affiliation.practitioner_id == helen.id)) == 2
    # Seen again next run (with the NPI missing on one page): still the same person, at the same clinic.
    crawl(db, "clinic_site", [clinic(practitioners=[{**doc, "npi": None}, {"name": "Jordan Ellis",
                                                                          "credentials": ["CRNA"]}])])
    index()
    assert len(providers(db, "practitioner")) == 2
    crawl(db, "clinic_site", [clinic(practitioners=[doc])])  # Jordan Ellis left the clinic
    index()
    with db.session() as s:
        jordan = next(p for p in providers(db, "practitioner") if p.match_name == "jordan ellis")
        assert s.scalar(select(func.count()).select_from(Affiliation).where(
            Affiliation.practitioner_id == jordan.id)) == 0
        assert s.scalar(select(func.count()).select_from(Affiliation)) == 2


def test_pinned_links_rejected_and_merged_are_respected(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [clinic()])
    crawl(db, "directory:a", [clinic("Sunrise Ketamine Clinic", "https://dir.test/1")])
    index()
    (only,) = providers(db)
    with db.session() as s:  # a moderator splits the directory listing out, pinned
        dir_obs = s.scalars(select(Observation).where(Observation.source_url == "https://dir.test/1")).one()
        split = Provider(kind="clinic", name="Sunrise (directory)", match_name="sunrise directory", status="pending")
        s.add(split)
        s.flush()
        s.add(MatchLink(provider_id=split.id, observation_id=dir_obs.id, source_id=dir_obs.source_id,
                        location_key=dir_obs.location_key, rule="moderator", pinned=True))
        s.get(Provider, only.id).status = "rejected"
        s.commit()
        split_id = split.id
    crawl(db, "clinic_site", [clinic(modalities=["iv_infusion"])])
    crawl(db, "directory:a", [clinic("Sunrise Ketamine Clinic", "https://dir.test/1", modalities=["im_injection"])])
    index()
    with db.session() as s:
        assert s.get(Provider, only.id).status == "rejected"  # a later crawl never resurrects it
        assert s.get(Provider, only.id).modalities == ["iv_infusion"]
        assert s.get(Provider, split_id).modalities == ["im_injection"]  # the pinned split holds
        s.get(Provider, split_id).status, s.get(Provider, split_id).merged_into_id = "merged", only.id
        s.commit()
    crawl(db, "directory:a", [clinic("Sunrise Ketamine Clinic", "https://dir.test/1", modalities=["at_home"])])
    index()
    with db.session() as s:
        assert len(providers(db)) == 2
        last = s.scalars(select(MatchLink).order_by(MatchLink.id.desc()).limit(1)).one()
        assert last.provider_id == only.id and last.pinned  # followed merged_into_id
        assert s.get(Provider, only.id).modalities == ["iv_infusion"]  # clinic site (tier 2) beats the directory
