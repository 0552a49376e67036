"""Qualification signals per provider, each with its evidence and verified-or-claimed status.

provider.qualification = {"signals": [{"code", "label", "verified", "evidence": [{"source","url","date"}]}],
"verified": bool}: ``verified`` is True when at least one prescriber credential is registry-verified.
provider.licensed_states: the registry licence states of its verified practitioners (itself, or its team).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in
from indexer.db.models import Affiliation, Credential, FieldEvidence, Provider, Source
from kdir.common.taxonomy import (
    PRESCRIBERS,
    THERAPISTS,
    category,
    is_anesthesiology,
    is_psych_np,
    is_psychiatry,
    is_therapist,
)

LABELS = {
    "medical_director": "Medical director named",
    "psychiatrist": "Psychiatrist involved",
    "anesthesiologist": "Anesthesiologist involved",
    "psychiatric_np": "Psychiatric nurse practitioner",
    "licensed_therapist": "Licensed mental-health professional on the team",
    "prescriber_verified": "Prescriber verified in the NPI registry",
    "integration_therapy": "Integration therapy offered",
    "medical_screening": "Medical screening before treatment",
    "transparent_pricing": "Prices published",
    "rems_claimed": "Spravato REMS certification claimed",
    "at_home_context": "At-home ketamine: see the FDA's October 2023 warning about compounded ketamine at home",
}
#: Credential JSON columns decoded only where needed.
_JSON_COLUMNS = ("registry_taxonomies", "license_states", "registry_states", "registry_candidates")
_DIRECTOR = re.compile(r"medical\s+director", re.I)
_PSYCHIATRIST = re.compile(r"psychiatr", re.I)
_ANESTH = re.compile(r"an(a)?esthesiolog", re.I)


@dataclass
class _Signal:
    verified: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def add(self, verified: bool, source: str | None, url: str | None, date: datetime | None) -> None:
        self.verified = self.verified or verified
        item = {"source": source, "url": url, "date": date.date().isoformat() if date else None}
        if item not in self.evidence and len(self.evidence) < 10:
            self.evidence.append(item)


_CLAIMS = {"integration_therapy": ("services", ("integration_therapy", "ketamine_assisted_psychotherapy")),
           "medical_screening": ("services", ("medical_screening",)),
           "rems_claimed": ("services", ("spravato_rems_certified",)),
           "at_home_context": ("modalities", ("at_home",))}


def refresh_qualification(session: Session, provider_ids: set[int], now: datetime,
                          working: dict[int, Provider] | None = None) -> set[int]:
    """Recompute the signals of ``provider_ids``; returns the ids whose qualification changed. ``working``:
    provider objects to update instead of loading them."""
    if not provider_ids:
        return set()
    ids = sorted(provider_ids)
    if working is not None:
        providers = {pid: p for pid, p in working.items() if pid in provider_ids}
    else:
        providers = {p.id: p for p in session.execute(select(Provider).where(Provider.id.in_(ids))).scalars()}
    source_keys = dict(session.execute(select(Source.id, Source.key)).all())
    team: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for pid, p in providers.items():
        if p.kind == "practitioner":
            team[pid].append((pid, None))
    for clinic_id, prac_id, role in session.execute(
            select(Affiliation.clinic_id, Affiliation.practitioner_id, Affiliation.role)
            .where(ids_in(Affiliation.clinic_id, ids))):
        team[clinic_id].append((prac_id, role))
    member_ids = sorted({m for members in team.values() for m, _ in members} | set(ids))
    creds: dict[int, list[Any]] = defaultdict(list)  # Core rows: no ORM objects to build
    cols = [c for c in Credential.__table__.c if c.key not in _JSON_COLUMNS]
    for c in session.execute(select(*cols).where(ids_in(Credential.provider_id, member_ids))):
        creds[c.provider_id].append(c)
    # Registry taxonomies (JSON) matter only for verified credentials: decode those alone.
    taxonomies: dict[int, list[Any]] = {}
    licences: dict[int, list[Any]] = {}
    for cid, tax, lic in session.execute(
            select(Credential.id, Credential.registry_taxonomies, Credential.license_states)
            .where(ids_in(Credential.provider_id, member_ids), Credential.outcome == "verified")):
        taxonomies[cid], licences[cid] = tax, lic
    evidence: dict[tuple[int, str], list[Any]] = defaultdict(list)
    # Evidence rows are read only for providers that show one of the claimed signals.
    claimed = sorted(pid for pid, p in providers.items() if p.price or any(
        w in (getattr(p, fname) or []) for fname, wanted in _CLAIMS.values() for w in wanted))
    for i in range(0, len(claimed), 900):
        for ev in session.execute(select(FieldEvidence.provider_id, FieldEvidence.field, FieldEvidence.value,
                                         FieldEvidence.source_id, FieldEvidence.url, FieldEvidence.last_seen)
                                  .where(ids_in(FieldEvidence.provider_id, claimed[i:i + 900]),
                                         FieldEvidence.selected.is_(True),
                                         FieldEvidence.field.in_(("services", "modalities", "price")))):
            evidence[(ev.provider_id, ev.field)].append(ev)
    changed: set[int] = set()
    for pid, p in providers.items():
        sig: dict[str, _Signal] = defaultdict(_Signal)
        any_verified = False
        members = team.get(pid, [])
        for member_id, role in members:
            for c in creds.get(member_id, []):
                cat = category(c.credential)
                ok = c.outcome == "verified"
                codes = [t.get("code", "") for t in (taxonomies.get(c.id) or []) if isinstance(t, dict)] if ok else []
                src = source_keys.get(c.source_id) if c.source_id else None
                date = c.checked_at if ok else c.last_seen
                if ok and (cat in PRESCRIBERS or (cat is None and any(x.startswith(("20", "363", "3675"))
                                                                    for x in codes))):
                    any_verified = True
                    sig["prescriber_verified"].add(True, "nppes", c.source_url, c.checked_at)
                if role and _DIRECTOR.search(role):
                    sig["medical_director"].add(ok and (cat in PRESCRIBERS), src, c.source_url, date)
                if any(is_psychiatry(x) for x in codes):
                    sig["psychiatrist"].add(True, "nppes", c.source_url, c.checked_at)
                elif role and _PSYCHIATRIST.search(role) and cat == "physician":
                    sig["psychiatrist"].add(False, src, c.source_url, date)
                if any(is_anesthesiology(x) for x in codes):
                    sig["anesthesiologist"].add(True, "nppes", c.source_url, c.checked_at)
                elif role and _ANESTH.search(role) and cat == "physician":
                    sig["anesthesiologist"].add(False, src, c.source_url, date)
                if any(is_psych_np(x) for x in codes):
                    sig["psychiatric_np"].add(True, "nppes", c.source_url, c.checked_at)
                elif cat == "psych_np":
                    sig["psychiatric_np"].add(False, src, c.source_url, date)
                if any(is_therapist(x) for x in codes):
                    sig["licensed_therapist"].add(True, "nppes", c.source_url, c.checked_at)
                elif cat in THERAPISTS:
                    sig["licensed_therapist"].add(False, src, c.source_url, date)
            if role and _DIRECTOR.search(role) and not creds.get(member_id):
                sig["medical_director"].add(False, None, None, None)
        for code, (fname, wanted) in _CLAIMS.items():
            if any(w in (getattr(p, fname) or []) for w in wanted):
                for ev in evidence.get((pid, fname), []):
                    if any(w in (ev.value or []) for w in wanted):
                        sig[code].add(False, source_keys.get(ev.source_id), ev.url, ev.last_seen)
                sig[code]  # noqa: B018 - an override without evidence still shows the signal
        if p.price:
            for ev in evidence.get((pid, "price"), []):
                sig["transparent_pricing"].add(False, source_keys.get(ev.source_id), ev.url, ev.last_seen)
            sig["transparent_pricing"]  # noqa: B018
        qual = {"signals": [{"code": code, "label": LABELS[code], "verified": s.verified, "evidence": s.evidence}
                            for code in LABELS if (s := sig.get(code)) is not None],
                "verified": any_verified}
        if qual != (p.qualification or {}):
            p.qualification = qual
            changed.add(pid)
        verified_at = [c.checked_at for m, _ in members for c in creds.get(m, [])
                       if c.outcome == "verified" and c.checked_at]
        last = max(verified_at) if verified_at else None
        if last != p.last_verified_at:
            p.last_verified_at = last
        licensed = sorted({str(st) for m, _ in members for c in creds.get(m, [])
                           for st in (licences.get(c.id) or []) if isinstance(st, str)})
        if licensed != (p.licensed_states or []):
            p.licensed_states = licensed
            changed.add(pid)
    return changed
