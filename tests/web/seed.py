"""Seeding helper for web tests: published providers created directly through the models.

Reused by other areas' browser tests (moderation): keep the signatures stable.

    ids = seed_directory(db)            # the standard data set (see STANDARD below), returns Seeded
    publish(db, backend)                # put every published provider into the search backend
    with db.session() as s:             # or build your own
        p = add_provider(s, "Name", city="Austin", region="TX", postal_code="78701", ...); s.commit()
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db import Database
from indexer.db.models import (
    Affiliation,
    Credential,
    FieldEvidence,
    Provider,
    RatingSummary,
    Review,
    Source,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

#: Hostile strings: a test fails if any of them ever executes in a browser.
XSS_NAME = '<script>alert("name")</script>Evil Clinic <img src=x onerror=alert("img")>'
XSS_WEBSITE = "javascript:alert('website')"
XSS_REVIEW = '</script><script>alert("review")</script><svg onload=alert("svg")>'
XSS_PRACTITIONER = '"><img src=x onerror=alert("pract")>'

SOURCES = {
    "registry": ("NPPES NPI Registry", "registry", 3),
    "clinic_site": ("Clinic websites", "clinic_site", 2),
    "directory:sample": ("KetamineFinder Sample", "directory", 1),
    "directory:other": ("Other Sample Directory", "directory", 1),
}


@dataclass
class PractitionerSpec:
    name: str
    credential: str
    npi: str | None = None
    outcome: str = "verified"  # models.VERIFICATION_OUTCOMES
    role: str | None = None
    taxonomy: tuple[str, str] | None = None  # (code, desc)
    license_states: Sequence[str] = ()
    reason: str | None = None


@dataclass
class ReviewSpec:
    text: str
    rating: float | None = 5.0
    author: str | None = "A patient"
    source: str = "directory:sample"
    hidden: bool = False


@dataclass
class RatingSpec:
    source: str
    value: float
    count: int
    url: str | None = None


@dataclass
class Seeded:
    """Provider ids of the standard data set by key (see STANDARD)."""

    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


def get_source(session: Session, key: str) -> Source:
    src = session.scalar(select(Source).where(Source.key == key))
    if src is None:
        name, kind, tier = SOURCES.get(key, (key, "directory", 1))
        src = Source(key=key, name=name, kind=kind, tier=tier)
        session.add(src)
        session.flush()
    return src


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _evidence(session: Session, provider: Provider, source_key: str, url: str | None, values: dict[str, Any]) -> None:
    src = get_source(session, source_key)
    for name, value in values.items():
        if value in (None, [], ()):
            continue
        session.add(FieldEvidence(provider_id=provider.id, field=name, value=value, value_hash=_hash(value),
                                  source_id=src.id, url=url, tier=src.tier, first_seen=NOW - timedelta(days=30),
                                  last_seen=NOW, selected=True))


def add_provider(session: Session, name: str, *, kind: str = "clinic", status: str = "published",
                 street: str | None = None, city: str | None = None, region: str | None = None,
                 postal_code: str | None = None, lat: float | None = None, lon: float | None = None,
                 website: str | None = None, phones: Sequence[str] = (), email: str | None = None,
                 npi: str | None = None, modalities: Sequence[str] = (), conditions: Sequence[str] = (),
                 services: Sequence[str] = (), insurance: Sequence[str] = (), telehealth: bool | None = None,
                 price: dict[str, Any] | None = None, signals: Sequence[str] = (), verified: bool = False,
                 practitioners: Sequence[PractitionerSpec] = (), reviews: Sequence[ReviewSpec] = (),
                 ratings: Sequence[RatingSpec] = (), stale: bool = False, merged_into_id: int | None = None,
                 source_url: str | None = None) -> Provider:
    """Create one provider with evidence, practitioners (+ credentials, affiliations), reviews and ratings.

    Flushes (ids are set) but does not commit."""
    total = sum(r.count for r in ratings)
    value = round(sum(r.value * r.count for r in ratings) / total, 2) if total else None
    bayes = round((10 * 4.0 + sum(r.value * r.count for r in ratings)) / (10 + total), 3) if total else None
    sig = [{"code": code, "label": code.replace("_", " ").capitalize(), "verified": verified,
            "evidence": [{"source": "registry" if verified else "clinic_site", "url": source_url or website,
                          "seen": NOW.date().isoformat()}]} for code in signals]
    p = Provider(kind=kind, status=status, name=name, match_name=name.lower(), website=website, email=email,
                 phones=list(phones), street=street, city=city, region=region, postal_code=postal_code,
                 country="US", lat=lat, lon=lon, geo_source="source" if lat is not None else None, npi=npi,
                 modalities=list(modalities), conditions=list(conditions), services=list(services),
                 insurance=list(insurance), telehealth=telehealth, price=price, rating_value=value,
                 rating_count=total, rating_bayes=bayes, qualification={"signals": sig, "verified": verified},
                 last_verified_at=NOW if verified else None, stale=stale,
                 stale_since=NOW - timedelta(days=40) if stale else None, merged_into_id=merged_into_id,
                 created_at=NOW - timedelta(days=60), updated_at=NOW, last_seen=NOW,
                 approved_at=NOW if status == "published" else None)
    session.add(p)
    session.flush()
    url = source_url or (website if website and website.startswith("http") else None)
    _evidence(session, p, "clinic_site", url, {
        "name": name, "website": website, "phones": list(phones) or None, "street": street, "city": city,
        "region": region, "postal_code": postal_code, "modalities": list(modalities) or None,
        "conditions": list(conditions) or None, "services": list(services) or None})
    if phones:
        _evidence(session, p, "directory:sample", f"https://directory.example/listing/{p.id}",
                  {"phones": list(phones)})
    for spec in practitioners:
        add_practitioner(session, p, spec)
    for r in reviews:
        src = get_source(session, r.source)
        session.add(Review(provider_id=p.id, source_id=src.id, author=r.author, rating=r.rating, best=5.0,
                           date="2026-10-01", text=r.text, text_hash=_hash([r.text, r.author]),
                           url=f"https://directory.example/reviews/{p.id}", hidden=r.hidden,
                           hidden_reason="health details" if r.hidden else None))
    for r in ratings:
        src = get_source(session, r.source)
        session.add(RatingSummary(provider_id=p.id, source_id=src.id, value=r.value, count=r.count, url=r.url))
    session.flush()
    return p


def add_practitioner(session: Session, clinic: Provider, spec: PractitionerSpec) -> Provider:
    """A published practitioner provider affiliated with ``clinic``, with one credential."""
    taxonomies = [{"code": spec.taxonomy[0], "desc": spec.taxonomy[1], "state": clinic.region, "primary": True}] \
        if spec.taxonomy else []
    prac = Provider(kind="practitioner", status="published", name=spec.name, match_name=spec.name.lower(),
                    city=clinic.city, region=clinic.region, postal_code=clinic.postal_code, lat=clinic.lat,
                    lon=clinic.lon, npi=spec.npi, qualification={"signals": [], "verified":
                                                                 spec.outcome == "verified"},
                    last_verified_at=NOW if spec.outcome == "verified" else None)
    session.add(prac)
    session.flush()
    session.add(Affiliation(clinic_id=clinic.id, practitioner_id=prac.id, role=spec.role, last_seen=NOW))
    src = get_source(session, "clinic_site")
    session.add(Credential(provider_id=prac.id, credential=spec.credential, npi=spec.npi,
                           claimed_state=clinic.region, source_id=src.id, source_url=clinic.website,
                           outcome=spec.outcome, reason=spec.reason, checked_at=NOW if spec.npi else None,
                           registry_name=spec.name.upper() if spec.outcome == "verified" else None,
                           registry_credential=spec.credential if spec.outcome == "verified" else None,
                           registry_taxonomies=taxonomies, license_states=list(spec.license_states),
                           **_registry_record(spec, clinic.region)))
    session.flush()
    return prac


def _registry_record(spec: PractitionerSpec, region: str | None) -> dict[str, Any]:
    """The registry record a verified or mismatched credential rests on, as the verifier stores it."""
    if spec.outcome not in ("verified", "mismatch") or not spec.npi:
        return {}
    return {"registry_npi": spec.npi, "registry_type": "NPI-1",
            "registry_taxonomy_code": spec.taxonomy[0] if spec.taxonomy else None,
            "registry_taxonomy_desc": spec.taxonomy[1] if spec.taxonomy else None,
            "registry_states": [region] if region else [], "registry_status": "A", "registry_updated": NOW}


PSYCHIATRY = ("2084P0800X", "Psychiatry & Neurology, Psychiatry")
SOCIAL_WORKER = ("1041C0700X", "Social Worker, Clinical")
PSYCH_NP = ("363LP0808X", "Nurse Practitioner, Psych/Mental Health")
ANESTHESIOLOGY = ("207L00000X", "Anesthesiology")


def seed_directory(db: Database) -> Seeded:
    """The standard data set (fictional), committed. Keys:

    sunrise (Austin TX, verified, psychiatrist + therapist, 2 rating sources), austin_wellness (Austin 78704),
    mile_high (Denver, insurance), rose_city (Portland, Spravato REMS claimed), blue_ridge (Asheville, KAP),
    patel (practitioner, telehealth + at-home), hostile (Boston, XSS payloads everywhere), stale (stale),
    pending (not published), merged (merged into sunrise).
    """
    out = Seeded()
    with db.session() as s:
        sunrise = add_provider(
            s, "Sunrise Ketamine Clinic", street="100 Congress Ave Ste 210", city="Austin", region="TX",
            postal_code="78701", lat=30.2650, lon=-97.7450, website="https://sunrise-ketamine.example/",
            phones=["+15125550101"], email="info@sunrise-ketamine.example",
            modalities=["iv_infusion", "im_injection"], conditions=["depression", "ptsd", "anxiety"],
            services=["integration_therapy", "medical_screening"], price={"per_session": 450, "currency": "USD"},
            signals=["medical_director", "psychiatrist", "licensed_therapist", "prescriber_verified"],
            verified=True,
            practitioners=[
                PractitionerSpec("Alan Reyes", "MD", "1234567893", role="Medical Director", taxonomy=PSYCHIATRY,
                                 license_states=["TX"]),
                PractitionerSpec("Maria Chen", "LCSW", "1679576722", role="Integration therapist",
                                 taxonomy=SOCIAL_WORKER, license_states=["TX"])],
            reviews=[ReviewSpec("Caring staff, thorough screening before my first infusion.", 5.0, "J. D."),
                     ReviewSpec("Good clinic, a bit expensive.", 4.0, "R. K.", source="directory:other"),
                     ReviewSpec("I told them about my diagnosis of ...", 5.0, "Hidden", hidden=True)],
            ratings=[RatingSpec("directory:sample", 4.8, 24, "https://directory.example/sunrise"),
                     RatingSpec("directory:other", 4.5, 10, "https://other.example/sunrise")])
        out.ids["sunrise"] = sunrise.id
        out.ids["austin_wellness"] = add_provider(
            s, "Austin Ketamine Wellness", street="2000 S Lamar Blvd", city="Austin", region="TX",
            postal_code="78704", lat=30.2460, lon=-97.7700, website="https://austin-wellness.example/",
            phones=["+15125550102"], modalities=["iv_infusion"], conditions=["depression", "chronic_pain"],
            services=["medical_screening"], ratings=[RatingSpec("directory:sample", 3.9, 8)]).id
        out.ids["mile_high"] = add_provider(
            s, "Mile High Infusion Center", street="1600 Glenarm Pl", city="Denver", region="CO",
            postal_code="80202", lat=39.7450, lon=-104.9900, website="https://milehigh-infusion.example/",
            phones=["+13035550103"], modalities=["iv_infusion"], conditions=["chronic_pain", "depression"],
            services=["accepts_insurance"], insurance=["Aetna"],
            practitioners=[PractitionerSpec("Jordan Blake", "DO", "1234567890", outcome="invalid_number",
                                            role="Anesthesiologist", reason="NPI check digit is wrong")],
            ratings=[RatingSpec("directory:sample", 4.2, 5)]).id
        out.ids["rose_city"] = add_provider(
            s, "Rose City Spravato Psychiatry", street="500 SW Broadway", city="Portland", region="OR",
            postal_code="97205", lat=45.5190, lon=-122.6800, website="https://rosecity-psych.example/",
            phones=["+15035550104"], modalities=["esketamine_nasal"],
            conditions=["treatment_resistant_depression", "depression"],
            services=["spravato_rems_certified", "accepts_insurance", "medical_screening"],
            signals=["psychiatrist", "rems_claimed", "prescriber_verified"], verified=True,
            practitioners=[PractitionerSpec("Helen Ortiz", "MD", "1245319599", role="Psychiatrist",
                                            taxonomy=PSYCHIATRY, license_states=["OR", "WA"])],
            ratings=[RatingSpec("directory:sample", 4.6, 40)]).id
        out.ids["blue_ridge"] = add_provider(
            s, "Blue Ridge KAP Collective", street="10 Patton Ave", city="Asheville", region="NC",
            postal_code="28801", lat=35.5950, lon=-82.5510, website="https://blueridge-kap.example/",
            phones=["+18285550105"], modalities=["oral_sublingual"], conditions=["ptsd", "anxiety"],
            services=["ketamine_assisted_psychotherapy", "integration_therapy"], signals=["licensed_therapist"]).id
        out.ids["patel"] = add_provider(
            s, "Sam Patel, PMHNP-BC", kind="practitioner", street="1 N Central Ave", city="Phoenix", region="AZ",
            postal_code="85004", lat=33.4484, lon=-112.0740, website="https://sampatel-kap.example/",
            phones=["+16025550106"], npi="1457397499", modalities=["oral_sublingual", "at_home"],
            conditions=["depression", "anxiety"], services=["telehealth", "ketamine_assisted_psychotherapy"],
            telehealth=True, signals=["psychiatric_np", "at_home_context"]).id
        out.ids["hostile"] = add_provider(
            s, XSS_NAME, street='<b onmouseover=alert("street")>1 Main</b>', city="Boston", region="MA",
            postal_code="02108", lat=42.3570, lon=-71.0630, website=XSS_WEBSITE, phones=["+16175550107"],
            modalities=["iv_infusion"], conditions=["depression"],
            practitioners=[PractitionerSpec(XSS_PRACTITIONER, "MD", None, outcome="unchecked")],
            reviews=[ReviewSpec(XSS_REVIEW, 1.0, '<img src=x onerror=alert("author")>')],
            ratings=[RatingSpec("directory:sample", 1.0, 1, "javascript:alert('rating')")],
            source_url="javascript:alert('evidence')").id
        out.ids["stale"] = add_provider(
            s, "Old Town Ketamine", city="Austin", region="TX", postal_code="78701", lat=30.27, lon=-97.74,
            modalities=["iv_infusion"], stale=True).id
        out.ids["pending"] = add_provider(
            s, "Hidden Pending Clinic", status="pending", city="Austin", region="TX", postal_code="78701",
            lat=30.266, lon=-97.744, modalities=["iv_infusion"]).id
        out.ids["merged"] = add_provider(
            s, "Sunrise Ketamine Clinic (duplicate)", status="merged", merged_into_id=sunrise.id, city="Austin",
            region="TX", postal_code="78701").id
        s.commit()
    return out


def add_many(db: Database, n: int, *, city: str = "Austin", region: str = "TX", postal_code: str = "78701",
             lat: float = 30.2672, lon: float = -97.7431) -> list[int]:
    """``n`` plain published clinics around one point (for pagination tests)."""
    ids: list[int] = []
    with db.session() as s:
        for i in range(n):
            p = add_provider(s, f"Filler Ketamine Clinic {i:03d}", city=city, region=region,
                             postal_code=postal_code, lat=lat + i * 0.001, lon=lon, modalities=["iv_infusion"],
                             conditions=["depression"])
            ids.append(p.id)
        s.commit()
    return ids


def publish(db: Database, backend: Any) -> int:
    """Index every published provider into ``backend`` (the search engineer's rebuild_index when present, else
    their document builder + the backend's own rebuild)."""
    try:
        from indexer.publish import rebuild_index
    except ImportError:
        from indexer.search.documents import documents_for

        with db.session() as s:
            ids = list(s.scalars(select(Provider.id).where(Provider.status == "published",
                                                           Provider.merged_into_id.is_(None))))
            return int(backend.rebuild(documents_for(s, ids, published_only=True)))
    return int(rebuild_index(db, backend))
