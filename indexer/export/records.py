"""Canonical published records: which providers an export may show, read in constant-memory batches.

Only *published* providers leave the database: ``status == "published"``, not merged into another provider and,
unless asked, not stale. The same rule applies to the practitioners listed on a clinic's team, so a pending or
rejected practitioner never leaks through a published clinic. Rows are read by keyset pagination (``id >
last``) in batches; the team, ratings and sources of a batch come from a few IN queries, so memory stays flat
whatever the size of the directory.

Every value read back is treated as untrusted: JSON columns are type-checked element by element and anything
of the wrong shape is dropped, never passed through.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from indexer.db import Database
from indexer.db.models import Affiliation, Credential, FieldEvidence, Provider, RatingSummary, Source
from kdir.common.npi import registry_page
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

Record = dict[str, Any]

#: Order in which the verification outcomes of one practitioner's credentials are summarised: the first one
#: present wins, except that "unchecked" only wins when nothing was checked (see :func:`summarise_outcomes`).
OUTCOME_SEVERITY = ("mismatch", "invalid_number", "not_found", "ambiguous", "verified", "unchecked")

_PROVIDER_COLUMNS = (
    Provider.id, Provider.kind, Provider.name, Provider.status, Provider.stale, Provider.website, Provider.phones,
    Provider.email, Provider.street, Provider.city, Provider.region, Provider.postal_code, Provider.country,
    Provider.lat, Provider.lon, Provider.npi, Provider.modalities, Provider.conditions, Provider.services,
    Provider.rating_value, Provider.rating_count, Provider.qualification, Provider.updated_at,
    Provider.licensed_states,
)


def published_filter(include_stale: bool = False, entity: Any = Provider) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the providers an export (or any public view) may show."""
    clauses: list[ColumnElement[bool]] = [entity.status == "published", entity.merged_into_id.is_(None)]
    if not include_stale:
        clauses.append(entity.stale.is_(False))
    return clauses


def count_published(db: Database, include_stale: bool = False) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count(Provider.id)).where(*published_filter(include_stale))) or 0)


def iso(value: datetime | None) -> str | None:
    """RFC 3339 UTC timestamp with a ``Z`` suffix, to the second."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def text(value: Any) -> str | None:
    """A non-empty string, or None for anything else."""
    return value if isinstance(value, str) and value.strip() else None


def str_list(value: Any) -> list[str]:
    """The string elements of a JSON list, de-duplicated in order; anything else is dropped."""
    if not isinstance(value, list):
        return []
    seen: dict[str, None] = {}
    for item in value:
        if isinstance(item, str) and item.strip():
            seen.setdefault(item, None)
    return list(seen)


def codes(value: Any, vocabulary: Sequence[str]) -> list[str]:
    """The vocabulary codes in a JSON list, in vocabulary order; unknown values are dropped."""
    present = set(str_list(value))
    return [code for code in vocabulary if code in present]


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def location_of(lat: Any, lon: Any) -> dict[str, float] | None:
    """``{"lat", "lon"}`` when both are finite and in range, else None."""
    la, lo = number(lat), number(lon)
    if la is None or lo is None or not (-90.0 <= la <= 90.0) or not (-180.0 <= lo <= 180.0):
        return None
    return {"lat": la, "lon": lo}


def qualification_of(value: Any) -> dict[str, Any]:
    """``{"signals": [...], "verified": bool}``; signals keep strings and flat JSON objects only."""
    signals: list[Any] = []
    verified = False
    if isinstance(value, dict):
        raw = value.get("signals")
        if isinstance(raw, list):
            for sig in raw:
                if isinstance(sig, str) and sig.strip():
                    signals.append(sig)
                elif isinstance(sig, dict):
                    flat = {str(k): v for k, v in sig.items()
                            if v is None or isinstance(v, str | bool | int | float)
                            and not (isinstance(v, float) and not math.isfinite(v))}
                    if flat:
                        signals.append(flat)
        verified = value.get("verified") is True
    return {"signals": signals, "verified": verified}


def summarise_outcomes(outcomes: Sequence[str]) -> str:
    """One verification word for a practitioner: the most severe checked outcome, "verified" only when every
    checked credential verified, "unchecked" when none was checked."""
    checked = {o for o in outcomes if o != "unchecked"}
    for outcome in OUTCOME_SEVERITY:
        if outcome in checked:
            return outcome
    return "unknown" if checked else "unchecked"


def registry_evidence(c: Any) -> Record | None:
    """The registry record a checked credential rests on, with the link anyone can open; None without one."""
    npi = text(c.registry_npi)
    if npi is None or c.outcome in (None, "unchecked"):
        return None
    return {"credential": text(c.credential), "verification": c.outcome, "npi": npi,
            "name": text(c.registry_name), "taxonomy_code": text(c.registry_taxonomy_code),
            "taxonomy": text(c.registry_taxonomy_desc), "states": str_list(c.registry_states),
            "status": text(c.registry_status), "last_updated": iso(c.registry_updated),
            "checked_at": iso(c.checked_at), "url": registry_page(npi)}


def _practitioner_entry(pid: int, name: str, npi: str | None, creds: list[Any]) -> Record:
    codes: dict[str, None] = {}
    states: set[str] = set()
    outcomes: list[str] = []
    cred_npi: str | None = None
    registry: list[Record] = []
    for c in creds:
        if text(c.credential):
            codes.setdefault(c.credential, None)
        states.update(s for s in str_list(c.license_states) if len(s) <= 8)
        outcomes.append(c.outcome if isinstance(c.outcome, str) else "unchecked")
        cred_npi = cred_npi or text(c.npi) or (text(c.registry_npi) if c.outcome == "verified" else None)
        if (evidence := registry_evidence(c)) is not None:
            registry.append(evidence)
    npi = text(npi) or cred_npi
    verification = summarise_outcomes(outcomes)
    npi_verified = npi is not None and verification == "verified" and any(
        c.outcome == "verified" and npi in (c.npi, c.registry_npi) for c in creds)
    return {"name": name, "credentials": list(codes), "npi": npi, "npi_verified": npi_verified,
            "verification": verification, "license_states": sorted(states), "registry": registry}


def _credentials(s: Session, ids: set[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    if ids:
        rows = s.execute(select(Credential.provider_id, Credential.credential, Credential.npi, Credential.outcome,
                                Credential.license_states, Credential.checked_at, Credential.registry_npi,
                                Credential.registry_name, Credential.registry_taxonomy_code,
                                Credential.registry_taxonomy_desc, Credential.registry_states,
                                Credential.registry_status, Credential.registry_updated)
                         .where(Credential.provider_id.in_(ids)).order_by(Credential.provider_id, Credential.id))
        for row in rows:
            out[row.provider_id].append(row)
    return out


def _teams(s: Session, rows: Sequence[Any], include_stale: bool) -> dict[int, list[Record]]:
    """Practitioner entries per provider id: a clinic's published team, a practitioner themself.

    Two plain queries (affiliations by clinic, then practitioners by id) rather than a join: SQLite's planner
    would otherwise drive the join from the status index and scan every provider for each batch."""
    clinic_ids = [r.id for r in rows if r.kind != "practitioner"]
    links: list[tuple[int, int]] = []
    if clinic_ids:
        links = [(c, p) for c, p in s.execute(select(Affiliation.clinic_id, Affiliation.practitioner_id)
                                              .where(Affiliation.clinic_id.in_(clinic_ids)))]
    people: dict[int, tuple[str, str | None]] = {}
    wanted = {p for _, p in links}
    if wanted:
        q = select(Provider.id, Provider.name, Provider.npi).where(
            Provider.id.in_(wanted), Provider.kind == "practitioner", *published_filter(include_stale))
        people = {pid: (name, npi) for pid, name, npi in s.execute(q)}
    members: dict[int, list[tuple[int, str, str | None]]] = defaultdict(list)
    for clinic_id, pid in links:
        if pid in people:
            members[clinic_id].append((pid, *people[pid]))
    for team in members.values():
        team.sort(key=lambda m: (m[1], m[0]))
    for r in rows:
        if r.kind == "practitioner":
            members[r.id].append((r.id, r.name, r.npi))
    creds = _credentials(s, {pid for team in members.values() for pid, _, _ in team})
    return {owner: [_practitioner_entry(pid, name, npi, creds.get(pid, [])) for pid, name, npi in team]
            for owner, team in members.items()}


def _ratings(s: Session, ids: list[int]) -> dict[int, list[Record]]:
    out: dict[int, list[Record]] = defaultdict(list)
    q = (select(RatingSummary.provider_id, Source.key, RatingSummary.value, RatingSummary.count)
         .join(Source, Source.id == RatingSummary.source_id)
         .where(RatingSummary.provider_id.in_(ids)).order_by(RatingSummary.provider_id, Source.key))
    for pid, key, value, count in s.execute(q):
        val = number(value)
        if val is not None:
            out[pid].append({"source": key, "value": val, "count": int(count or 0)})
    return out


def _sources(s: Session, ids: list[int]) -> dict[int, list[Record]]:
    out: dict[int, list[Record]] = defaultdict(list)
    q = (select(FieldEvidence.provider_id, Source.key, FieldEvidence.url, func.min(FieldEvidence.first_seen),
                func.max(FieldEvidence.last_seen))
         .join(Source, Source.id == FieldEvidence.source_id)
         .where(FieldEvidence.provider_id.in_(ids))
         .group_by(FieldEvidence.provider_id, Source.key, FieldEvidence.url)
         .order_by(FieldEvidence.provider_id, Source.key, FieldEvidence.url))
    for pid, key, url, first, last in s.execute(q):
        out[pid].append({"source": key, "url": url, "first_seen": iso(first), "last_seen": iso(last)})
    return out


def organisation_entry(creds: list[Any]) -> Record:
    """A clinic's own registry check (its organisation NPI): the summarised outcome and the records it rests on."""
    outcomes = [c.outcome if isinstance(c.outcome, str) else "unchecked" for c in creds]
    return {"verification": summarise_outcomes(outcomes),
            "registry": [e for c in creds if (e := registry_evidence(c)) is not None]}


def build_record(row: Any, team: list[Record], ratings: list[Record], sources: list[Record],
                 own: list[Any] | None = None) -> Record:
    """The canonical record of one provider row (see docs/export.md for every field); ``own``: a clinic's own
    credential rows (its organisation NPI checks)."""
    country = text(row.country)
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "status": row.status,
        "website": text(row.website),
        "phones": str_list(row.phones),
        "email": text(row.email),
        "address": {"street": text(row.street), "city": text(row.city), "region": text(row.region),
                    "postal_code": text(row.postal_code), "country": country},
        "location": location_of(row.lat, row.lon),
        "npi": text(row.npi),
        "organisation": organisation_entry(own or []) if row.kind != "practitioner" else None,
        "modalities": codes(row.modalities, MODALITIES),
        "conditions": codes(row.conditions, CONDITIONS),
        "services": codes(row.services, SERVICES),
        "practitioners": team,
        "rating": {"value": number(row.rating_value), "count": int(row.rating_count or 0), "sources": ratings},
        "qualification": qualification_of(row.qualification),
        "licensed_states": [st for st in str_list(row.licensed_states) if len(st) == 2],
        "sources": sources,
        "updated_at": iso(row.updated_at),
        "stale": bool(row.stale),
    }


def iter_records(db: Database, *, include_stale: bool = False, batch_size: int = 500) -> Iterator[Record]:
    """Yield the canonical record of every published provider, in id order, ``batch_size`` rows at a time.

    On PostgreSQL the whole export reads one REPEATABLE READ snapshot, so a concurrent index run cannot make
    a provider appear twice or a team disagree with its clinic.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    with db.session() as s:
        if db.engine.dialect.name == "postgresql":
            s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        last_id = 0
        while True:
            rows = s.execute(select(*_PROVIDER_COLUMNS)
                             .where(*published_filter(include_stale), Provider.id > last_id)
                             .order_by(Provider.id).limit(batch_size)).all()
            if not rows:
                break
            ids = [r.id for r in rows]
            teams, ratings, sources = _teams(s, rows, include_stale), _ratings(s, ids), _sources(s, ids)
            own = _credentials(s, {r.id for r in rows if r.kind != "practitioner"})
            for r in rows:
                yield build_record(r, teams.get(r.id, []), ratings.get(r.id, []), sources.get(r.id, []),
                                   own.get(r.id, []))
            last_id = ids[-1]
            if len(rows) < batch_size:
                break
        s.rollback()
