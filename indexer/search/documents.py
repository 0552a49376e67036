"""Flat search documents built from :class:`~indexer.db.models.Provider` rows.

Every backend indexes exactly these documents (see ``DOC_KEYS``). Strings are cleaned of control characters
(including the highlight sentinels) so scraped text can never forge a highlight or break a backend.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import in_chunks
from indexer.db.models import Affiliation, Credential, Provider, RatingSummary, Source
from indexer.reviews import SELF_PUBLISHED_KINDS
from kdir.common.synonyms import listing_terms
from kdir.common.vocabulary import CONDITIONS, LABELS, MODALITIES, SERVICES

DOC_KEYS = (
    "id", "kind", "name", "status", "stale", "street", "city", "region", "postal_code", "lat", "lon", "website",
    "phones", "modalities", "conditions", "services", "accepts_insurance", "telehealth", "licensed_states",
    "telehealth_states", "verified", "psychiatrist", "therapist", "prices_listed", "price_min", "price_max",
    "price_unit", "price_currency", "clinicians", "clinicians_verified", "credentials_mismatch", "rems_claimed",
    "practitioners", "npis", "rating_value", "rating_count", "rating_sources", "rating_bayes", "last_verified_at",
    "updated_at",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_CHUNK = 500
_HIDDEN_STATUSES = ("rejected", "merged")


def clean_text(value: Any, limit: int = 500) -> str | None:
    """A one-line, control-character-free string (None for empty or non-text values)."""
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = _SPACES.sub(" ", _CONTROL.sub(" ", str(value))).strip()
    return text[:limit] or None


def search_topics(doc: Mapping[str, Any]) -> list[str]:
    """What a listing offers and is, in searchable words (both backends index exactly these, after the name,
    practitioners and place): the labels of its vocabulary codes, then its kind and flags
    (:func:`kdir.common.synonyms.listing_terms`: "ketamine clinic", "psychiatrist", "licensed therapist")."""
    codes = [*(doc.get("modalities") or []), *(doc.get("conditions") or []), *(doc.get("services") or [])]
    return [*(LABELS.get(c, c) for c in codes), *listing_terms(doc)]


def _codes(values: Any, vocabulary: Sequence[str]) -> list[str]:
    """Only known vocabulary codes, deduplicated, in vocabulary order."""
    if not isinstance(values, list | tuple | set):
        return []
    present = {v for v in values if isinstance(v, str)}
    return [code for code in vocabulary if code in present]


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def _coord(value: Any, bound: float) -> float | None:
    value = _float(value)
    return value if value is not None and -bound <= value <= bound else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _signal_codes(qualification: Any) -> set[str]:
    if not isinstance(qualification, Mapping):
        return set()
    signals = qualification.get("signals")
    if not isinstance(signals, list):
        return set()
    return {s["code"] for s in signals if isinstance(s, Mapping) and isinstance(s.get("code"), str)}


def practitioner_label(name: str, credentials: Iterable[str]) -> str:
    """``"Jane Doe, MD, PhD"``: the name followed by the distinct credentials, in the order given."""
    creds = list(dict.fromkeys(c for c in (clean_text(x, 64) for x in credentials) if c))
    return ", ".join([clean_text(name, 200) or "", *creds]).strip(", ")


def _price(price: Any) -> tuple[float | None, float | None, str | None, str | None]:
    """(lowest, highest, unit, currency) of a provider's price facts; amounts only when positive numbers."""
    if not isinstance(price, Mapping):
        return None, None, None, None
    lo, hi = _float(price.get("min")), _float(price.get("max"))
    lo = lo if lo is not None and lo > 0 else None
    hi = hi if hi is not None and hi > 0 else None
    if lo is None:
        lo = hi
    return lo, hi, clean_text(price.get("unit"), 40), clean_text(price.get("currency"), 3)


def provider_document(provider: Provider, *, practitioners: Sequence[str] = (), npis: Sequence[str] = (),
                      rating_sources: int = 0,
                      clinicians: tuple[int, int, int] = (0, 0, 0)) -> dict[str, Any]:
    """The flat document of one provider. ``practitioners`` are ready "Name, CRED" labels, ``npis`` extra NPIs
    (of its credentials and practitioners) besides ``provider.npi``, ``rating_sources`` the RatingSummary count
    (without self-published sources; the provider's rating columns already leave them out, indexer.reviews),
    ``clinicians`` (clinicians, of them verified, credentials that
    do not match the registry)."""
    insurance = provider.insurance if isinstance(provider.insurance, list) else []
    # one filter per fact: telehealth and insurance are service codes, whichever column said so
    offered = set(provider.services) if isinstance(provider.services, list) else set()
    if provider.telehealth is True:
        offered.add("telehealth")
    if any(clean_text(i) for i in insurance):
        offered.add("accepts_insurance")
    services = _codes(list(offered), SERVICES)
    price_min, price_max, price_unit, price_currency = _price(provider.price)
    licensed = sorted({x for x in (provider.licensed_states or []) if isinstance(x, str)
                       and len(x) == 2 and x.isalpha() and x.isupper()})
    rating = (_float(provider.rating_value),
              provider.rating_count if isinstance(provider.rating_count, int) else 0,
              _float(provider.rating_bayes))
    qualification = provider.qualification if isinstance(provider.qualification, Mapping) else {}
    signals = _signal_codes(qualification)
    phones = [p for p in (clean_text(x, 40) for x in (provider.phones or [])[:10]) if p] \
        if isinstance(provider.phones, list) else []
    all_npis = [n for n in dict.fromkeys(clean_text(x, 10) for x in [provider.npi, *npis])
                if n and n.isdigit() and len(n) == 10]
    return {
        "id": int(provider.id),
        "kind": provider.kind if provider.kind in ("clinic", "practitioner") else "clinic",
        "name": clean_text(provider.name, 300) or "",
        "status": provider.status,
        "stale": bool(provider.stale),
        "street": clean_text(provider.street, 300),
        "city": clean_text(provider.city, 120),
        "region": clean_text(provider.region, 2),
        "postal_code": clean_text(provider.postal_code, 10),
        "lat": _coord(provider.lat, 90.0),
        "lon": _coord(provider.lon, 180.0),
        "website": clean_text(provider.website, 2000),
        "phones": phones,
        "modalities": _codes(provider.modalities, MODALITIES),
        "conditions": _codes(provider.conditions, CONDITIONS),
        "services": services,
        "accepts_insurance": "accepts_insurance" in services,
        "telehealth": "telehealth" in services,
        "licensed_states": licensed,
        "telehealth_states": licensed if "telehealth" in services else [],
        "verified": qualification.get("verified") is True,
        "psychiatrist": "psychiatrist" in signals,
        "therapist": "licensed_therapist" in signals,
        "prices_listed": price_min is not None,
        "price_min": price_min,
        "price_max": price_max,
        "price_unit": price_unit,
        "price_currency": price_currency,
        "clinicians": int(clinicians[0]),
        "clinicians_verified": int(clinicians[1]),
        "credentials_mismatch": int(clinicians[2]),
        "rems_claimed": "spravato_rems_certified" in services,
        "practitioners": [p for p in (clean_text(x, 300) for x in practitioners) if p][:50],
        "npis": all_npis,
        "rating_value": rating[0] if rating[1] > 0 else None,
        "rating_count": max(int(rating[1]), 0),
        "rating_sources": int(rating_sources),
        "rating_bayes": rating[2] if rating[1] > 0 else None,
        "last_verified_at": _iso(provider.last_verified_at),
        "updated_at": _iso(provider.updated_at) or "",
    }


def documents_for(session: Session, provider_ids: Iterable[int], *, published_only: bool = False) -> list[dict[str, Any]]:
    """Documents for the given providers (missing ids are skipped), in a handful of queries per 500 ids.

    With ``published_only`` only live listings (status published, not merged) are returned."""
    ids = sorted({int(i) for i in provider_ids})
    docs: list[dict[str, Any]] = []
    for chunk in in_chunks(ids, _CHUNK):
        stmt = select(Provider).where(Provider.id.in_(chunk)).order_by(Provider.id)
        if published_only:
            stmt = stmt.where(Provider.status == "published", Provider.merged_into_id.is_(None))
        providers = list(session.scalars(stmt))
        if not providers:
            continue
        found = [p.id for p in providers]
        affiliations: dict[int, list[int]] = defaultdict(list)
        for clinic_id, pract_id in session.execute(
                select(Affiliation.clinic_id, Affiliation.practitioner_id)
                .where(Affiliation.clinic_id.in_(found)).order_by(Affiliation.id)):
            affiliations[clinic_id].append(pract_id)
        pract_ids = sorted({p for lst in affiliations.values() for p in lst})
        pract_names: dict[int, tuple[str, str | None]] = {}
        for chunk2 in in_chunks(pract_ids, _CHUNK):
            for pid, name, npi in session.execute(
                    select(Provider.id, Provider.name, Provider.npi).where(
                        Provider.id.in_(chunk2), Provider.status.not_in(_HIDDEN_STATUSES))):
                pract_names[pid] = (name, npi)
        creds: dict[int, list[tuple[str | None, str | None]]] = defaultdict(list)
        outcomes: dict[int, list[str]] = defaultdict(list)
        cred_owner_ids = sorted(set(found) | set(pract_names))
        for chunk2 in in_chunks(cred_owner_ids, _CHUNK):
            for pid, cred, npi, outcome in session.execute(
                    select(Credential.provider_id, Credential.credential, Credential.npi, Credential.outcome)
                    .where(Credential.provider_id.in_(chunk2)).order_by(Credential.id)):
                # verified credentials first, so the label leads with what the registry confirmed
                entry = (cred, npi)
                outcomes[pid].append(str(outcome))
                if outcome == "verified":
                    creds[pid].insert(0, entry)
                else:
                    creds[pid].append(entry)
        rating_sources = dict(session.execute(  # the independent sources of the combined figure
            select(RatingSummary.provider_id, func.count(RatingSummary.id))
            .join(Source, Source.id == RatingSummary.source_id)
            .where(RatingSummary.provider_id.in_(found), Source.kind.not_in(SELF_PUBLISHED_KINDS))
            .group_by(RatingSummary.provider_id)).all())
        for p in providers:
            labels: list[str] = []
            npis = [n for _, n in creds.get(p.id, []) if n]
            team = [pract_id for pract_id in affiliations.get(p.id, []) if pract_id in pract_names]
            people = team if p.kind == "clinic" else [p.id]
            checked = [outcomes.get(person, []) for person in people]
            # a clinician counts as verified when the registry confirmed a credential and none contradicts it
            clinicians = (len(people), sum(1 for o in checked if "verified" in o and "mismatch" not in o),
                          sum(o.count("mismatch") for o in checked))
            if p.kind == "practitioner":  # their own credentials ("PMHNP-BC") are searchable words too
                own = [c for c, _ in creds.get(p.id, []) if c]
                if own:
                    labels.append(practitioner_label(p.name, own))
            for pract_id in team:
                name, pnpi = pract_names[pract_id]
                labels.append(practitioner_label(name, [c for c, _ in creds.get(pract_id, []) if c]))
                npis.extend([pnpi] if pnpi else [])
                npis.extend(n for _, n in creds.get(pract_id, []) if n)
            docs.append(provider_document(p, practitioners=labels, npis=npis,
                                          rating_sources=rating_sources.get(p.id, 0), clinicians=clinicians))
    return docs
