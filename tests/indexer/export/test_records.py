"""The canonical record: what is selected, and what each field holds."""

from __future__ import annotations

import math

import pytest

from indexer.db import Database
from indexer.export.records import (
    count_published,
    iter_records,
    location_of,
    qualification_of,
    str_list,
    summarise_outcomes,
)
from tests.indexer.export.conftest import HOSTILE_NAME, Seeded

FIELDS = {"id", "kind", "name", "status", "website", "phones", "email", "address", "location", "npi", "modalities",
          "conditions", "services", "practitioners", "rating", "qualification", "sources", "updated_at", "stale",
          "licensed_states", "organisation"}


def test_only_published_providers_are_selected(db: Database, seeded: Seeded) -> None:
    records = list(iter_records(db))
    assert [r["id"] for r in records] == sorted([seeded.clinic, seeded.no_geo, seeded.practitioner])
    assert count_published(db) == 3
    assert all(r["status"] == "published" and r["stale"] is False for r in records)


def test_include_stale_adds_stale_listings_only(db: Database, seeded: Seeded) -> None:
    ids = [r["id"] for r in iter_records(db, include_stale=True)]
    assert ids == sorted([seeded.clinic, seeded.no_geo, seeded.practitioner, seeded.stale])
    assert count_published(db, include_stale=True) == 4
    assert not set(ids) & set(seeded.hidden.values())


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_batches_give_the_same_records(db: Database, seeded: Seeded, batch_size: int) -> None:
    assert list(iter_records(db, batch_size=batch_size)) == list(iter_records(db, batch_size=500))


def test_empty_directory(db: Database) -> None:
    assert list(iter_records(db)) == []
    assert count_published(db) == 0


def test_bad_batch_size_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        next(iter_records(db, batch_size=0))


def test_clinic_record(db: Database, seeded: Seeded) -> None:
    rec = next(r for r in iter_records(db) if r["id"] == seeded.clinic)
    assert set(rec) == FIELDS
    assert rec["name"] == HOSTILE_NAME
    assert rec["kind"] == "clinic"
    assert rec["phones"] == ["+15125550100", "+15125550199"]
    assert rec["address"] == {"street": '12 "Main", Suite 3\r\nBack door', "city": "Austin", "region": "TX",
                              "postal_code": "78701", "country": "US"}
    assert rec["location"] == {"lat": 30.2672, "lon": -97.7431}
    assert rec["modalities"] == ["iv_infusion", "esketamine_nasal"]  # the unknown code is dropped
    assert rec["conditions"] == ["depression", "ptsd"]
    assert rec["services"] == ["integration_therapy", "spravato_rems_certified"]
    # The pending practitioner on the team is not shown; the published one is, with its verification.
    assert rec["practitioners"] == [{"name": "Dr. Ana Ortiz", "credentials": ["MD", "DEA"], "npi": "1993999998",
                                     "npi_verified": True, "verification": "verified",
                                     "license_states": ["CA", "TX"], "registry": [
                                         {"credential": "MD", "verification": "verified", "npi": "1993999998",
                                          "name": "ANA ORTIZ", "taxonomy_code": "2084P0800X",
                                          "taxonomy": "Psychiatry & Neurology, Psychiatry",
                                          "states": ["CA", "TX"], "status": "A",
                                          "last_updated": "2025-04-01T00:00:00Z",
                                          "checked_at": "2026-05-01T12:00:00Z",
                                          "url": "https://npiregistry.cms.hhs.gov/provider-view/1993999998"}]}]
    assert rec["organisation"] == {"verification": "verified", "registry": [
        {"credential": None, "verification": "verified", "npi": "1234567893", "name": "SUNRISE KETAMINE CLINIC PLLC",
         "taxonomy_code": "261QM0801X", "taxonomy": "Clinic/Center, Mental Health", "states": ["TX"],
         "status": "A", "last_updated": None, "checked_at": "2026-05-01T12:00:00Z",
         "url": "https://npiregistry.cms.hhs.gov/provider-view/1234567893"}]}
    assert rec["rating"] == {"value": 4.6, "count": 31, "sources": [
        {"source": "clinic_site", "value": 4.8, "count": 20},
        {"source": "directory:sample", "value": 4.2, "count": 11}]}
    assert rec["qualification"] == {"signals": ["psychiatrist_on_team", {"code": "rems", "source": "@evil"}],
                                    "verified": True}
    assert rec["sources"] == [
        {"source": "clinic_site", "url": "https://clinic.example/", "first_seen": "2026-01-02T03:04:05Z",
         "last_seen": "2026-05-06T07:08:09Z"},
        {"source": "directory:sample", "url": "https://dir.example/a", "first_seen": "2026-03-04T05:06:07Z",
         "last_seen": "2026-03-04T05:06:07Z"}]
    assert rec["updated_at"] == "2026-05-06T07:08:09Z"


def test_practitioner_record_lists_itself(db: Database, seeded: Seeded) -> None:
    rec = next(r for r in iter_records(db) if r["id"] == seeded.practitioner)
    assert rec["kind"] == "practitioner"
    assert [p["name"] for p in rec["practitioners"]] == ["Dr. Ana Ortiz"]
    assert rec["rating"] == {"value": None, "count": 0, "sources": []}


def test_record_without_location_or_extras(db: Database, seeded: Seeded) -> None:
    rec = next(r for r in iter_records(db) if r["id"] == seeded.no_geo)
    assert rec["location"] is None
    assert rec["practitioners"] == [] and rec["sources"] == []
    assert rec["qualification"] == {"signals": [], "verified": False}
    assert rec["address"]["street"] is None and rec["address"]["city"] == "Dallas"


def test_stale_practitioner_leaves_the_team(db: Database, seeded: Seeded) -> None:
    """A practitioner that went stale leaves the team unless stale listings are asked for."""
    from indexer.db.models import Provider

    with db.session() as s:
        s.get(Provider, seeded.practitioner).stale = True  # type: ignore[union-attr]
        s.commit()
    clinic = next(r for r in iter_records(db) if r["id"] == seeded.clinic)
    assert clinic["practitioners"] == []
    clinic = next(r for r in iter_records(db, include_stale=True) if r["id"] == seeded.clinic)
    assert [p["name"] for p in clinic["practitioners"]] == ["Dr. Ana Ortiz"]


@pytest.mark.parametrize(("outcomes", "expected"), [
    ([], "unchecked"),
    (["unchecked"], "unchecked"),
    (["verified", "unchecked"], "verified"),
    (["verified", "mismatch"], "mismatch"),
    (["not_found", "ambiguous"], "not_found"),
    (["garbage"], "unknown"),
])
def test_summarise_outcomes(outcomes: list[str], expected: str) -> None:
    assert summarise_outcomes(outcomes) == expected


def test_hostile_json_values_are_dropped() -> None:
    assert str_list(["a", 1, None, {"x": 1}, "a", " ", "b"]) == ["a", "b"]
    assert str_list("not a list") == []
    assert location_of(math.nan, 1.0) is None
    assert location_of(91.0, 1.0) is None
    assert location_of(1.0, 181.0) is None
    assert location_of(True, 1.0) is None
    assert location_of("30", "-97") is None
    assert location_of(-90, 180) == {"lat": -90.0, "lon": 180.0}
    assert qualification_of(["x"]) == {"signals": [], "verified": False}
    assert qualification_of({"signals": "x", "verified": "yes"}) == {"signals": [], "verified": False}
    assert qualification_of({"signals": [{"a": [1], "b": math.inf, "c": 1}]})["signals"] == [{"c": 1}]
