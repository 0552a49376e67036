"""Read model for provider pages and the API's detail endpoint: one published provider with its evidence.

Only ``status == "published"`` providers are public; a merged provider resolves to the provider it was merged
into (the caller redirects). Hidden reviews and duplicate review copies never leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indexer.db.models import Affiliation, Credential, FieldEvidence, Provider, RatingSummary, Review, Source
from kdir.common.fields import FIELD_LABELS
from kdir.common.npi import registry_page
from kdir.common.vocabulary import LABELS, OUTCOME_LABELS

MAX_REVIEWS = 50


@dataclass
class Evidence:
    value: Any
    source: str
    source_kind: str
    tier: int
    url: str | None
    first_seen: datetime | None
    last_seen: datetime | None
    selected: bool


@dataclass
class CredentialView:
    credential: str | None
    npi: str | None
    outcome: str
    outcome_label: str
    reason: str | None
    checked_at: datetime | None
    registry_url: str | None
    registry_name: str | None
    taxonomies: list[str]
    license_states: list[str]
    source_url: str | None
    registry_npi: str | None = None  # the registry record the outcome rests on
    registry_taxonomy: str | None = None  # its primary taxonomy
    registry_states: list[str] = field(default_factory=list)
    registry_active: bool | None = None
    registry_updated: datetime | None = None


@dataclass
class PersonView:
    id: int
    name: str
    role: str | None
    public: bool  # has its own published page
    credentials: list[CredentialView]


@dataclass
class RatingView:
    source: str
    value: float
    count: int
    url: str | None


@dataclass
class ReviewView:
    author: str | None
    rating: float | None
    best: float
    date: str | None
    text: str | None
    source: str
    url: str | None


@dataclass
class ProviderPage:
    provider: Provider
    evidence: dict[str, list[Evidence]]
    practitioners: list[PersonView]  # for a clinic: its team
    clinics: list[tuple[int, str]]  # for a practitioner: where they work (published only)
    own_credentials: list[CredentialView]
    ratings: list[RatingView]
    reviews: list[ReviewView]
    signals: list[dict[str, Any]]
    notices: list[str] = field(default_factory=list)

    @property
    def rating_sources(self) -> int:
        return len(self.ratings)


@dataclass
class Lookup:
    """The outcome of a lookup: a page, a redirect target, or nothing (404)."""

    page: ProviderPage | None = None
    redirect_to: int | None = None


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " "))




def _credential_view(c: Credential) -> CredentialView:
    taxonomies = [str(t.get("desc") or t.get("code") or "") for t in (c.registry_taxonomies or [])
                  if isinstance(t, dict)]
    return CredentialView(credential=c.credential, npi=c.npi, outcome=c.outcome,
                          outcome_label=OUTCOME_LABELS.get(c.outcome, c.outcome), reason=c.reason,
                          checked_at=c.checked_at, registry_url=registry_page(c.registry_npi),
                          registry_name=c.registry_name, taxonomies=[t for t in taxonomies if t],
                          license_states=[str(s) for s in (c.license_states or [])], source_url=c.source_url,
                          registry_npi=c.registry_npi,
                          registry_taxonomy=c.registry_taxonomy_desc or c.registry_taxonomy_code,
                          registry_states=[str(s) for s in (c.registry_states or []) if isinstance(s, str)],
                          registry_active=None if c.registry_status is None else c.registry_status == "A",
                          registry_updated=c.registry_updated)


def public_provider(session: Session, provider_id: int) -> Provider | None | int:
    """The published provider, the id to redirect to (merged), or None."""
    seen: set[int] = set()
    current = session.get(Provider, provider_id)
    while current is not None and current.status == "merged" and current.merged_into_id and \
            current.id not in seen:
        seen.add(current.id)
        current = session.get(Provider, current.merged_into_id)
    if current is None or current.status != "published" or current.merged_into_id is not None:
        return None
    return current if current.id == provider_id else current.id


def load_page(session: Session, provider_id: int) -> Lookup:
    found = public_provider(session, provider_id)
    if found is None:
        return Lookup()
    if isinstance(found, int):
        return Lookup(redirect_to=found)
    p = session.scalar(select(Provider).where(Provider.id == found.id).options(
        selectinload(Provider.credentials), selectinload(Provider.rating_summaries).selectinload(RatingSummary.source)))
    assert p is not None
    evidence: dict[str, list[Evidence]] = {}
    rows = session.execute(
        select(FieldEvidence, Source).join(Source, Source.id == FieldEvidence.source_id)
        .where(FieldEvidence.provider_id == p.id)
        .order_by(FieldEvidence.field, FieldEvidence.selected.desc(), FieldEvidence.tier.desc(),
                  FieldEvidence.last_seen.desc()))
    for ev, src in rows:
        evidence.setdefault(ev.field, []).append(Evidence(
            value=ev.value, source=src.name, source_kind=src.kind, tier=ev.tier, url=ev.url,
            first_seen=ev.first_seen, last_seen=ev.last_seen, selected=ev.selected))
    order = {name: i for i, name in enumerate(FIELD_LABELS)}
    evidence = dict(sorted(evidence.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    practitioners: list[PersonView] = []
    clinics: list[tuple[int, str]] = []
    if p.kind == "clinic":
        team = session.execute(
            select(Affiliation, Provider).join(Provider, Provider.id == Affiliation.practitioner_id)
            .where(Affiliation.clinic_id == p.id, Provider.status == "published")
            .options(selectinload(Provider.credentials)).order_by(Provider.name))
        for aff, person in team:
            practitioners.append(PersonView(id=person.id, name=person.name, role=aff.role,
                                            public=person.status == "published",
                                            credentials=[_credential_view(c) for c in person.credentials]))
    else:
        clinics = [(c.id, c.name) for c in session.scalars(
            select(Provider).join(Affiliation, Affiliation.clinic_id == Provider.id)
            .where(Affiliation.practitioner_id == p.id, Provider.status == "published").order_by(Provider.name))]
    ratings = [RatingView(source=r.source.name, value=r.value, count=r.count, url=r.url)
               for r in sorted(p.rating_summaries, key=lambda r: -r.count)]
    reviews = [ReviewView(author=r.author, rating=r.rating, best=r.best or 5.0, date=r.date, text=r.text,
                          source=src.name, url=r.url)
               for r, src in session.execute(
                   select(Review, Source).join(Source, Source.id == Review.source_id)
                   .where(Review.provider_id == p.id, Review.hidden.is_(False), Review.duplicate_of_id.is_(None))
                   .order_by(Review.first_seen.desc(), Review.id.desc()).limit(MAX_REVIEWS))]
    qual = p.qualification if isinstance(p.qualification, dict) else {}
    signals = [s for s in qual.get("signals", []) if isinstance(s, dict) and s.get("code")]
    notices: list[str] = []
    if p.stale:
        notices.append("stale")
    if "at_home" in (p.modalities or []):
        notices.append("at_home")
    return Lookup(page=ProviderPage(provider=p, evidence=evidence, practitioners=practitioners, clinics=clinics,
                                    own_credentials=[_credential_view(c) for c in p.credentials],
                                    ratings=ratings, reviews=reviews, signals=signals, notices=notices))


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def provider_json(page: ProviderPage) -> dict[str, Any]:
    """The API's detail representation (documented in the OpenAPI ``ProviderDetail`` schema)."""
    p = page.provider
    return {
        "id": p.id, "kind": p.kind, "name": p.name, "stale": bool(p.stale),
        "website": p.website, "phones": [str(x) for x in (p.phones or [])], "email": p.email,
        "address": {"street": p.street, "city": p.city, "region": p.region, "postal_code": p.postal_code,
                    "country": p.country},
        "location": {"lat": p.lat, "lon": p.lon} if p.lat is not None and p.lon is not None else None,
        "npi": p.npi,
        "modalities": list(p.modalities or []), "conditions": list(p.conditions or []),
        "services": list(p.services or []), "telehealth": p.telehealth,
        "licensed_states": [str(x) for x in (p.licensed_states or []) if isinstance(x, str)],
        "verified": bool((p.qualification or {}).get("verified")) if isinstance(p.qualification, dict) else False,
        "signals": [{"code": str(s.get("code")), "label": str(s.get("label") or label(str(s.get("code")))),
                     "verified": bool(s.get("verified"))} for s in page.signals],
        "practitioners": [{"id": person.id if person.public else None, "name": person.name, "role": person.role,
                           "credentials": [_credential_json(c) for c in person.credentials]}
                          for person in page.practitioners],
        "credentials": [_credential_json(c) for c in page.own_credentials],
        "clinics": [{"id": cid, "name": name} for cid, name in page.clinics],
        "rating": {"value": p.rating_value, "count": p.rating_count or 0, "bayes": p.rating_bayes,
                   "sources": [{"source": r.source, "value": r.value, "count": r.count, "url": r.url}
                               for r in page.ratings]},
        "evidence": {name: [{"value": e.value, "source": e.source, "url": e.url, "tier": e.tier,
                             "last_seen": iso(e.last_seen), "selected": e.selected} for e in items]
                     for name, items in page.evidence.items()},
        "last_verified_at": iso(p.last_verified_at), "updated_at": iso(p.updated_at),
        "url": f"/providers/{p.id}",
    }


def _credential_json(c: CredentialView) -> dict[str, Any]:
    registry = None if c.registry_npi is None else {
        "npi": c.registry_npi, "name": c.registry_name, "taxonomy": c.registry_taxonomy, "states": c.registry_states,
        "active": c.registry_active, "last_updated": iso(c.registry_updated), "url": c.registry_url}
    return {"credential": c.credential, "npi": c.npi, "verification": c.outcome,
            "checked_at": iso(c.checked_at), "registry_url": c.registry_url, "license_states": c.license_states,
            "registry": registry}
