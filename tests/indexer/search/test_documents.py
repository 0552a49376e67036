"""Documents built from real Provider rows (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from indexer.db import Database
from indexer.db.models import Affiliation, Credential, Provider, RatingSummary, Source
from indexer.search.common import doc_mask
from indexer.search.documents import DOC_KEYS, documents_for, provider_document


def seed(db: Database) -> dict[str, int]:
    with db.session() as s:
        src = Source(key="clinic_site", name="Clinic sites", kind="clinic_site")
        src2 = Source(key="directory:x", name="Directory", kind="directory")
        clinic = Provider(
            kind="clinic", status="published", name="Austin Ketamine\x02 Clinic", city="Austin", region="TX",
            postal_code="78701", street="1 Main St", lat=30.2672, lon=-97.7431, website="https://a.test/",
            phones=["+15125550100"], npi="1234567893",
            modalities=["iv_infusion", "bogus_code", "iv_infusion"], conditions=["ptsd", "depression"],
            services=["telehealth", "spravato_rems_certified"], insurance=["Aetna"], telehealth=None,
            rating_value=4.5, rating_count=12, rating_bayes=4.2,
            qualification={"verified": True, "signals": [{"code": "psychiatrist", "verified": True}, "junk"]},
            last_verified_at=datetime(2026, 11, 1, tzinfo=UTC), licensed_states=["TX", "CA", "<b>", 7],
            price={"min": 450, "max": 2400, "currency": "USD", "unit": "infusion"})
        doctor = Provider(kind="practitioner", status="published", name="Maria Gonzalez", npi="1245319599")
        nurse = Provider(kind="practitioner", status="pending", name="Jon Whitfield")
        rejected = Provider(kind="practitioner", status="rejected", name="Not A Clinician")
        bare = Provider(kind="clinic", status="pending", name="Bare Clinic", qualification={}, phones=None)  # type: ignore[arg-type]
        s.add_all([src, src2, clinic, doctor, nurse, rejected, bare])
        s.flush()
        s.add_all([
            Affiliation(clinic_id=clinic.id, practitioner_id=doctor.id),
            Affiliation(clinic_id=clinic.id, practitioner_id=nurse.id),
            Affiliation(clinic_id=clinic.id, practitioner_id=rejected.id),
            Credential(provider_id=doctor.id, credential="MD", npi="1245319599", outcome="verified"),
            Credential(provider_id=doctor.id, credential="PhD"),
            Credential(provider_id=nurse.id, credential="RN", outcome="verified"),  # and another does not match
            Credential(provider_id=nurse.id, credential="PMHNP-BC", outcome="mismatch"),
            RatingSummary(provider_id=clinic.id, source_id=src.id, value=4.5, count=10),
            RatingSummary(provider_id=clinic.id, source_id=src2.id, value=4.0, count=2),
        ])
        s.commit()
        return {"clinic": clinic.id, "doctor": doctor.id, "nurse": nurse.id, "bare": bare.id}


def test_documents_for_builds_flat_documents(db: Database) -> None:
    ids = seed(db)
    with db.session() as s:
        docs = {d["id"]: d for d in documents_for(s, [ids["clinic"], ids["bare"], 99999])}
    assert set(docs) == {ids["clinic"], ids["bare"]}  # unknown ids are skipped
    doc = docs[ids["clinic"]]
    assert tuple(doc) == DOC_KEYS
    assert doc["name"] == "Austin Ketamine Clinic"  # control characters (and highlight sentinels) removed
    assert doc["modalities"] == ["iv_infusion"]  # unknown codes dropped, duplicates removed
    assert doc["conditions"] == ["depression", "ptsd"]  # vocabulary order
    assert doc["accepts_insurance"] is True  # insurance listed
    assert doc["telehealth"] is True  # from services
    assert doc["licensed_states"] == ["CA", "TX"]  # where its verified practitioners are licensed
    assert doc["rems_claimed"] is True
    assert doc["verified"] is True and doc["psychiatrist"] is True and doc["therapist"] is False
    assert doc["practitioners"] == ["Maria Gonzalez, MD, PhD", "Jon Whitfield, RN, PMHNP-BC"]  # rejected left out
    assert doc["npis"] == ["1234567893", "1245319599"]
    # the clinic site's own rating is self-published: not one of the combined figure's sources
    assert doc["rating_sources"] == 1 and doc["rating_count"] == 12 and doc["rating_bayes"] == 4.2
    assert doc["telehealth_states"] == ["CA", "TX"]  # telehealth offered: where its prescribers are licensed
    assert doc["services"] == ["telehealth", "accepts_insurance", "spravato_rems_certified"]
    assert (doc["price_min"], doc["price_max"], doc["price_unit"]) == (450.0, 2400.0, "infusion")
    # two clinicians on the team (the rejected one is not shown): one verified, one with a credential that does
    # not match the registry (a verified one beside it does not make that clinician verified)
    assert (doc["clinicians"], doc["clinicians_verified"], doc["credentials_mismatch"]) == (2, 1, 1)
    assert doc["last_verified_at"].startswith("2026-11-01T00:00:00")
    assert doc["updated_at"]
    bare = docs[ids["bare"]]
    assert bare["phones"] == [] and bare["licensed_states"] == [] and bare["verified"] is False and bare["practitioners"] == []
    assert bare["lat"] is None and bare["rating_value"] is None and bare["rating_sources"] == 0
    assert bare["telehealth_states"] == [] and bare["price_min"] is None and bare["clinicians"] == 0
    with db.session() as s:
        published = documents_for(s, ids.values(), published_only=True)
    assert {d["id"] for d in published} == {ids["clinic"], ids["doctor"]}


def test_provider_document_is_defensive() -> None:
    p = Provider(id=5, kind="weird", status="published", name="  Name\n\twith   spaces ", lat=float("nan"),
                 lon=500.0, phones=["x" * 100, 3, None], modalities="iv_infusion", rating_count=-3,
                 qualification=["not", "a", "dict"], npi="12345")  # type: ignore[arg-type]
    doc = provider_document(p)
    assert doc["kind"] == "clinic" and doc["name"] == "Name with spaces"
    assert doc["lat"] is None and doc["lon"] is None
    assert doc["modalities"] == [] and doc["npis"] == [] and doc["rating_count"] == 0
    assert doc["phones"] == ["x" * 40, "3"]
    assert doc_mask(doc) != 0  # the kind bit
