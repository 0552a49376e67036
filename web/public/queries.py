"""Read model for provider pages and the API's detail endpoint: one published provider with its evidence.

Only ``status == "published"`` providers are public; a merged provider resolves to the provider it was merged
into (the caller redirects). Hidden reviews and duplicate review copies never leave this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indexer.db.models import Affiliation, FieldEvidence, Provider, RatingSummary, Review, Source
from indexer.qualification import LABELS as QUALIFICATION_LABELS
from indexer.reviews import SELF_PUBLISHED_KINDS
from kdir.common.fields import FIELD_LABELS
from kdir.common.vocabulary import LABELS
from web.public.credential_views import CredentialView, PersonView, credential_view
from web.public.words import (
    Phone,
    label,
    link_text,
    phones_of,
    price_text,
    public_url,
    safe_email,
    source_label,
    value_text,
)

MAX_REVIEWS = 50


@dataclass
class Evidence:
    value: Any
    source: str  # the source in words: "the clinic's website", "NPI Registry", a directory's own title
    source_kind: str
    tier: int
    url: str | None
    first_seen: datetime | None
    last_seen: datetime | None
    selected: bool
    link_text: str | None = None  # what the link opens: "the clinic's page about treatments"
    source_name: str = ""  # Source.name as stored (the API's "source")
    value_text: str = ""  # the value in words (labels for codes, formatted phones)
    agrees: bool = False  # not shown, but says the same as what is shown


@dataclass
class RatingView:
    source: str
    value: float
    count: int
    url: str | None
    self_published: bool = False  # the clinic's own website: shown apart, never in the combined figure
    source_name: str = ""  # Source.name as stored (the API's "source")
    link_text: str | None = None  # what its link opens

    @property
    def heading(self) -> str:
        """The source at the start of a line: "An online directory", "KetamineFinder Sample"."""
        return self.source[:1].upper() + self.source[1:]


@dataclass
class ReviewView:
    author: str | None
    rating: float | None
    best: float
    date: str | None
    text: str | None
    source: str
    url: str | None
    self_published: bool = False


@dataclass
class SignalView:
    code: str
    label: str
    verified: bool
    evidence: list[str]  # "the clinic's website, seen 2026-11-01"
    links: list[tuple[str, str]]  # (url, what it opens)


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
    phones: list[Phone] = field(default_factory=list)
    email: str | None = None
    price: str | None = None
    address: str | None = None
    location: tuple[float, float] | None = None
    signal_views: list[SignalView] = field(default_factory=list)
    licensed_states: list[str] = field(default_factory=list)

    @property
    def own(self) -> PersonView:
        """The provider's own credentials as one person (one status, the rest in words)."""
        p = self.provider
        return PersonView(id=p.id, name=p.name, role=None, public=True, credentials=self.own_credentials)

    @property
    def rating_sources(self) -> int:
        """Sources counted in the combined figure (the clinic's own website is not one of them)."""
        return sum(1 for r in self.ratings if not r.self_published)

    @property
    def independent_ratings(self) -> list[RatingView]:
        return [r for r in self.ratings if not r.self_published]

    @property
    def own_ratings(self) -> list[RatingView]:
        return [r for r in self.ratings if r.self_published]


@dataclass
class Lookup:
    """The outcome of a lookup: a page, a redirect target, or nothing (404)."""

    page: ProviderPage | None = None
    redirect_to: int | None = None


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
        words = source_label(src.name, src.kind, src.key)
        shown_url = public_url(ev.url, src.kind)
        evidence.setdefault(ev.field, []).append(Evidence(
            value=ev.value, source=words, source_kind=src.kind, tier=ev.tier, url=shown_url,
            first_seen=ev.first_seen, last_seen=ev.last_seen, selected=ev.selected,
            link_text=link_text(shown_url, src.kind, words, ev.field), value_text=value_text(ev.field, ev.value),
            source_name=src.name))
    for items in evidence.values():
        shown = {e.value_text for e in items if e.selected}
        for e in items:
            e.agrees = not e.selected and e.value_text in shown
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
                                            credentials=[credential_view(c) for c in person.credentials]))
    else:
        clinics = [(c.id, c.name) for c in session.scalars(
            select(Provider).join(Affiliation, Affiliation.clinic_id == Provider.id)
            .where(Affiliation.practitioner_id == p.id, Provider.status == "published").order_by(Provider.name))]
    ratings = [RatingView(source=source_label(r.source.name, r.source.kind, r.source.key), value=r.value,
                          count=r.count, url=r.url, self_published=r.source.kind in SELF_PUBLISHED_KINDS,
                          source_name=r.source.name,
                          link_text=link_text(r.url, r.source.kind, source_label(r.source.name, r.source.kind,
                                                                                r.source.key), "rating"))
               for r in sorted(p.rating_summaries, key=lambda r: -r.count)]
    reviews = [ReviewView(author=r.author, rating=r.rating, best=r.best or 5.0, date=r.date, text=r.text,
                          source=source_label(src.name, src.kind, src.key), url=r.url,
                          self_published=src.kind in SELF_PUBLISHED_KINDS)
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
    sources = {src.key: src for src in session.scalars(select(Source))}
    street = ", ".join(x for x in (p.street, p.city) if x)
    address = " ".join(x for x in (f"{street}, {p.region}" if street and p.region else street or p.region or "",
                                   p.postal_code or "") if x) or None
    location = (p.lat, p.lon) if p.lat is not None and p.lon is not None and abs(p.lat) <= 90 and \
        abs(p.lon) <= 180 else None
    return Lookup(page=ProviderPage(provider=p, evidence=evidence, practitioners=practitioners, clinics=clinics,
                                    own_credentials=[credential_view(c) for c in p.credentials],
                                    ratings=ratings, reviews=reviews, signals=signals, notices=notices,
                                    phones=phones_of(p.phones), email=safe_email(p.email), price=price_text(p.price),
                                    address=address, location=location,
                                    signal_views=[_signal_view(s, sources) for s in signals],
                                    licensed_states=sorted({s for s in p.licensed_states or []
                                                            if isinstance(s, str) and re.fullmatch(r"[A-Z]{2}", s)})))


def _signal_view(signal: dict[str, Any], sources: dict[str, Source]) -> SignalView:
    """A qualification signal with its evidence in words (the indexer stores source keys)."""
    code = str(signal.get("code"))
    said: list[str] = []
    links: list[tuple[str, str]] = []
    items = signal.get("evidence")
    for e in items if isinstance(items, list) else []:
        if not isinstance(e, dict):
            continue
        key = e.get("source") if isinstance(e.get("source"), str) else None
        src = sources.get(key or "")
        kind = src.kind if src is not None else ("registry" if key in ("registry", "nppes") else
                                                 (key or "").split(":", 1)[0] or None)
        words = source_label(src.name if src else None, kind, key)
        date = e.get("date") or e.get("seen")
        text = f"{words}, seen {date}" if isinstance(date, str) and date else words
        if text not in said:
            said.append(text)
        url = public_url(e.get("url") if isinstance(e.get("url"), str) else None, kind)
        link = link_text(url, kind, words)
        if url and link and (url, link) not in links:
            links.append((url, link))
    words_label = QUALIFICATION_LABELS.get(code) or (signal.get("label") if isinstance(signal.get("label"), str)
                                                      else None)
    if not words_label or "_" in words_label:
        words_label = LABELS.get(code) or code.replace("_", " ").capitalize()
    return SignalView(code=code, label=words_label, verified=bool(signal.get("verified")), evidence=said, links=links)


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
                   "sources": [{"source": r.source_name, "value": r.value, "count": r.count, "url": r.url}
                               for r in page.ratings]},
        "evidence": {name: [{"value": e.value, "source": e.source_name, "url": e.url, "tier": e.tier,
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
