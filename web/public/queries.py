"""Read model for provider pages and the API's detail endpoint: one published provider with its evidence.

Only ``status == "published"`` providers are public; a merged provider resolves to the provider it was merged
into (the caller redirects). Hidden reviews and duplicate review copies never leave this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indexer.db.models import Affiliation, Credential, FieldEvidence, Provider, RatingSummary, Review, Source
from indexer.qualification import LABELS as QUALIFICATION_LABELS
from indexer.reviews import SELF_PUBLISHED_KINDS
from kdir.common.fields import FIELD_LABELS
from kdir.common.npi import registry_page
from kdir.common.phones import display_phone, normalize_phone
from kdir.common.vocabulary import LABELS, OUTCOME_LABELS, SOURCE_KIND_LABELS

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
class RegistryFact:
    label: str
    value: str


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
    #: the ONE status a patient reads: verified | mismatch | not_found | deactivated | ambiguous |
    #: invalid_number | unchecked
    status: str = "unchecked"
    status_label: str = ""
    tone: str = "neutral"  # badge colour: positive | warning | danger | neutral
    reason_text: str | None = None  # why, in words (never for a verified credential)
    registry_facts: list[RegistryFact] = field(default_factory=list)  # shown only when the record counts


@dataclass
class PersonView:
    id: int
    name: str
    role: str | None
    public: bool  # has its own published page
    credentials: list[CredentialView]

    @property
    def status(self) -> CredentialView | None:
        """The ONE status a patient reads for this person: the credential the registry says most about."""
        return min(self.credentials, key=lambda c: STATUS_ORDER.index(c.status), default=None)

    @property
    def other_credentials(self) -> list[CredentialView]:
        main = self.status
        return [c for c in self.credentials if c is not main]


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
class Phone:
    display: str  # "(602) 555-0104"
    tel: str  # "+16025550104"


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


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " "))


# ---- words for people ---------------------------------------------------------------------------------------



def source_label(name: str | None, kind: str | None, key: str | None = None) -> str:
    """A source as a patient knows it: a directory by its own title (Source.name), the others by kind
    ("the clinic's website", "OpenStreetMap", "NPI Registry"). Never a source key."""
    if kind == "directory" and name and name != key and ":" not in name and "_" not in name:
        return name
    return SOURCE_KIND_LABELS.get(kind or "", "another public source")


_SLUG_SPLIT = re.compile(r"[-_+.\s]+")
_WORDY = re.compile(r"^[a-z][a-z ]{2,40}$")
_FIELD_TOPICS = {"modalities": "treatments", "conditions": "conditions treated", "services": "services",
                 "price": "prices", "insurance": "insurance", "phones": "contact details", "email": "contact details",
                 "street": "location", "city": "location", "region": "location", "postal_code": "location",
                 "address": "location", "geo": "location", "credentials": "the team", "name": "the clinic",
                 "website": "the clinic", "telehealth": "telehealth", "npi": "the clinic", "rating": "reviews"}


def link_text(url: str | None, kind: str | None, source: str, field_name: str | None = None) -> str | None:
    """What a link to ``url`` opens, in words: "NPI Registry record", "the clinic's page about treatments",
    "the clinic's home page", "KetamineFinder's listing". None when the URL may not become a link."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host == "npiregistry.cms.hhs.gov" or host.endswith(".npiregistry.cms.hhs.gov"):
        return "NPI Registry record"
    if host.endswith("openstreetmap.org") or kind == "osm":
        return "OpenStreetMap entry"
    if kind == "registry":
        return "NPI Registry answer"
    if kind == "directory":
        return f"listing on {source}" if source != SOURCE_KIND_LABELS["directory"] else "directory listing"
    path = urlsplit(url).path.strip("/")
    if not path:
        return "the clinic's home page"
    slug = path.rsplit("/", 1)[-1].rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path.rsplit("/", 1)[-1]
    words = " ".join(w for w in _SLUG_SPLIT.split(unquote(slug).lower()) if w)
    if words in ("index", "home", ""):
        return "the clinic's home page"
    if _WORDY.match(words):
        return f"the clinic's page about {words}"
    topic = _FIELD_TOPICS.get(field_name or "", "")
    return f"the clinic's page about {topic}" if topic else "a page of the clinic's website"


def public_url(url: str | None, kind: str | None) -> str | None:
    """The page a patient can open for an evidence URL: the registry's API answer becomes the registry's own
    page for that NPI."""
    if kind == "registry" and url:
        npi = dict(parse_qsl(urlsplit(url).query)).get("number")
        page = registry_page(npi)
        if page:
            return page
    return url


def phones_of(values: Any) -> list[Phone]:
    out = []
    for raw in values or []:
        if isinstance(raw, str) and (shown := display_phone(raw)) is not None:
            out.append(Phone(display=shown, tel=normalize_phone(raw) or raw))
    return out


_EMAIL = re.compile(r"^[^@\s<>\"'`:/]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")


def safe_email(value: Any) -> str | None:
    return value if isinstance(value, str) and _EMAIL.match(value) else None


def _money(value: Any, currency: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    amount = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def price_text(price: Any) -> str | None:
    """{"min": 400, "max": 600, "currency": "USD", "unit": "session"} -> "$400 to $600 per session"."""
    if not isinstance(price, dict):
        return None
    currency = str(price.get("currency") or "USD")[:3].upper()
    lo, hi = _money(price.get("min"), currency), _money(price.get("max"), currency)
    unit = price.get("unit") if isinstance(price.get("unit"), str) else None
    if lo and hi and lo != hi:
        text = f"{lo} to {hi}"
    elif lo and hi:
        text = lo
    elif lo:
        text = f"from {lo}"
    elif hi:
        text = f"up to {hi}"
    else:
        return None
    text = text[0].upper() + text[1:]
    return f"{text} per {unit.replace('_', ' ')}" if unit else text


def value_text(field_name: str, value: Any) -> str:
    """An evidence value in words: vocabulary labels, formatted phones, an address on one line."""
    if value is None:
        return ""
    if field_name in ("modalities", "conditions", "services") and isinstance(value, list):
        return ", ".join(label(str(v)) for v in value)
    if field_name == "phones" and isinstance(value, list):
        return ", ".join(p.display for p in phones_of(value))
    if field_name == "price":
        return price_text(value) or ""
    if field_name == "telehealth" and isinstance(value, bool):
        return "yes" if value else "no"
    if field_name in ("geo", "lat", "lon"):
        if isinstance(value, dict):
            lat, lon = value.get("lat"), value.get("lon")
            return f"{lat}, {lon}" if lat is not None and lon is not None else ""
        return str(value)
    if isinstance(value, dict):
        return ", ".join(str(v) for k, v in value.items() if v not in (None, "") and k not in ("source", "kind")
                         and not (k == "country" and v == "US"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    return str(value)


_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^name differs: registry says '?(?P<x>.*?)'?$", re.S),
     "The registry lists this NPI under another name: {x}."),
    (re.compile(r"^state differs: registry lists (?P<x>.*)$"),
     "The registry lists this clinician in {x}, not in the state of this listing."),
    (re.compile(r"^(?P<c>\S+) claimed but registry taxonomy is (?P<x>.*)$", re.S),
     "The listing says {c}, but the registry lists: {x}."),
    (re.compile(r"^the NPI belongs to an organisation \((?P<x>.*)\), not a person$", re.S),
     "This NPI belongs to an organisation ({x}), not to a person."),
    (re.compile(r"^the NPI printed \((?P<x>.*)\) fails the check digit$"),
     "The number printed ({x}) cannot be an NPI: its check digit is wrong."),
    (re.compile(r"^no active registry record for NPI (?P<x>\d+).*$"),
     "The registry has no active record for NPI {x}: the number is unknown, or it was deactivated."),
    (re.compile(r"^no NPI and no state to search by$"), "No NPI was printed, and no state to search the registry by."),
    (re.compile(r"^no registry entry for this name in (?P<x>.*)$"), "The registry has no one of this name in {x}."),
    (re.compile(r"^(?P<n>\d+) registry entries match this name in (?P<x>.*)$"),
     "{n} registry entries match this name in {x}, so we cannot tell which one it is."),
    (re.compile(r"^the NPI is deactivated.*$"), "The registry shows this NPI as deactivated."),
)


def reason_text(reason: str | None) -> str | None:
    """The verifier's reason as a sentence; unknown reasons are kept, capitalised and ended with a full stop."""
    if not reason:
        return None
    reason = reason.strip()
    for pattern, template in _REASONS:
        m = pattern.match(reason)
        if m:
            return template.format(**m.groupdict())
    text = reason[0].upper() + reason[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


STATUS = {  # status -> (words, badge tone)
    "verified": (OUTCOME_LABELS["verified"], "positive"),
    "mismatch": (OUTCOME_LABELS["mismatch"], "warning"),
    "not_found": (OUTCOME_LABELS["not_found"], "warning"),
    "deactivated": ("NPI deactivated in the NPI registry", "danger"),
    "ambiguous": (OUTCOME_LABELS["ambiguous"], "warning"),
    "invalid_number": (OUTCOME_LABELS["invalid_number"], "danger"),
    "unchecked": (OUTCOME_LABELS["unchecked"], "neutral"),
}


#: Which credential speaks for a person with several: a registry record first, a printed number next.
STATUS_ORDER = ("verified", "deactivated", "mismatch", "invalid_number", "ambiguous", "not_found", "unchecked")


def _status(c: Credential) -> str:
    if c.registry_status not in (None, "A"):
        return "deactivated"
    if c.outcome == "not_found" and c.reason and "deactivated" in c.reason and c.registry_npi:
        return "deactivated"
    return c.outcome if c.outcome in STATUS else "unchecked"


def _credential_view(c: Credential) -> CredentialView:
    taxonomies = [str(t.get("desc") or t.get("code") or "") for t in (c.registry_taxonomies or [])
                  if isinstance(t, dict)]
    status = _status(c)
    words, tone = STATUS[status]
    registry_states = [str(s) for s in (c.registry_states or []) if isinstance(s, str)]
    taxonomy = c.registry_taxonomy_desc or next((t for t in taxonomies if t), None)
    facts: list[RegistryFact] = []
    shows_record = status in ("verified", "mismatch") and c.registry_npi is not None
    if shows_record:
        facts = [RegistryFact("NPI", c.registry_npi or "")]
        if c.registry_name:
            facts.append(RegistryFact("Name in the registry", c.registry_name))
        if taxonomy:
            facts.append(RegistryFact("Registered as", taxonomy))
        if registry_states:
            facts.append(RegistryFact("State" if len(registry_states) == 1 else "States", ", ".join(registry_states)))
    return CredentialView(credential=c.credential, npi=c.npi, outcome=c.outcome,
                          outcome_label=OUTCOME_LABELS.get(c.outcome, c.outcome), reason=c.reason,
                          checked_at=c.checked_at,
                          registry_url=registry_page(c.registry_npi) if shows_record else None,
                          registry_name=c.registry_name, taxonomies=[t for t in taxonomies if t],
                          license_states=[str(s) for s in (c.license_states or [])], source_url=c.source_url,
                          registry_npi=c.registry_npi,
                          registry_taxonomy=c.registry_taxonomy_desc or c.registry_taxonomy_code,
                          registry_states=registry_states,
                          registry_active=None if c.registry_status is None else c.registry_status == "A",
                          registry_updated=c.registry_updated, status=status, status_label=words, tone=tone,
                          reason_text=None if status == "verified" else reason_text(c.reason),
                          registry_facts=facts)


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
                                            credentials=[_credential_view(c) for c in person.credentials]))
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
                                    own_credentials=[_credential_view(c) for c in p.credentials],
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
