"""Check claimed credentials against the NPI registry.

Outcomes: ``invalid_number`` (bad check digit, with the printed value), ``not_found``, ``ambiguous`` (several
registry records fit a name + state claim; the candidates are kept), ``mismatch`` (with the reason: organisation
NPI for a person, name, state, taxonomy or a licence the taxonomy does not show) or ``verified``; each keeps the
registry record it rests on. A claim without an NPI is looked up by name AND state (whole last names,
organisation names with a trailing ``*``), so a namesake in another state is never verified by accident.
Checked claims are re-checked only when older than the TTL, by the NPI of the record once verified.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from indexer.db import Database
from indexer.db.models import Affiliation, Credential, Provider, utcnow
from indexer.outbox import enqueue
from indexer.qualification import refresh_qualification
from indexer.resolve.engine import Recomputer
from indexer.resolve.registry import attach_verified
from indexer.verify.nppes import NppesClient, RegistryError, RegistryRecord
from kdir.common.config import Settings
from kdir.common.names import (
    PersonName,
    fold_name_part,
    match_name,
    organisation_queries,
    parse_person,
    same_person_name,
    surname_queries,
)
from kdir.common.npi import is_valid_npi
from kdir.common.taxonomy import category, claims_licence, code_fits

RECHECK_AFTER = timedelta(days=30)
MAX_CONSECUTIVE_ERRORS = 5


@dataclass
class Verdict:
    outcome: str
    reason: str | None = None
    record: RegistryRecord | None = None
    candidates: list[RegistryRecord] = field(default_factory=list)  # ambiguous: the records that fit


@dataclass
class VerifyReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    changed_providers: set[int] = field(default_factory=set)
    errors: int = 0


def _registered_people(rec: RegistryRecord) -> list[PersonName]:
    """The record's name and the person names it lists among its other names (former names...)."""
    names = [PersonName(*(fold_name_part(x) for x in (rec.first_name, rec.middle_name, rec.last_name)))]
    names += [p for o in rec.other_names if o.last_name and (p := parse_person(o.name)) is not None]
    return [n for n in names if n.last]


def person_name_matches(claimed: str, rec: RegistryRecord) -> bool:
    """The printed name fits the registry's name or one of its other names (see ``same_person_name``)."""
    person = parse_person(claimed)
    if person is None or not person.first:
        return False
    return any(same_person_name(person, reg) for reg in _registered_people(rec))


def org_name_matches(claimed: str, rec: RegistryRecord) -> bool:
    """The organisation's legal name or one of its other names (Doing Business As, former legal names)."""
    mine = match_name(claimed)
    return any(fuzz.token_set_ratio(mine, match_name(name)) >= 85
               for name in [rec.name, *(o.name for o in rec.other_names)])


def _licensed(cat: str, code: str | None, rec: RegistryRecord) -> bool:
    """A taxonomy fits the claim; for a licence claim ("LMHC") it must show a licence number too."""
    need_licence = claims_licence(code)
    return any(code_fits(cat, t.code) and (t.license or not need_licence) for t in rec.taxonomies)


def judge(claim_name: str, kind: str, code: str | None, state: str | None, rec: RegistryRecord) -> Verdict:
    if rec.status != "A":
        return Verdict("not_found", "the NPI is deactivated in the registry (no active record)", rec)
    if kind == "practitioner" and rec.enumeration_type != "NPI-1":
        return Verdict("mismatch", f"the NPI belongs to an organisation ({rec.name}), not a person", rec)
    matches = person_name_matches if rec.enumeration_type == "NPI-1" else org_name_matches
    if not matches(claim_name, rec):
        return Verdict("mismatch", f"name differs: registry says {rec.name!r}", rec)
    if state and rec.states and state not in rec.states:
        return Verdict("mismatch", f"state differs: registry lists {', '.join(rec.states)}", rec)
    cat = category(code)
    if cat is not None and not _licensed(cat, code, rec):
        descs = "; ".join(f"{t.desc or t.code}{'' if t.license else ' (no licence shown)'}"
                          for t in rec.taxonomies) or "none"
        return Verdict("mismatch", f"{code} claimed but registry taxonomy is {descs}", rec)
    return Verdict("verified", None, rec)


def _search(session: Session, client: NppesClient, claim_name: str, kind: str,
            state: str) -> list[RegistryRecord]:
    """Registry records that may be the claimed person or organisation in ``state``: whole last names (with
    their particles and hyphens), organisation names without legal suffixes and with a trailing ``*``; the
    next spelling is tried only when one finds nobody of that name."""
    if kind == "practitioner":
        person = parse_person(claim_name)
        if person is None or not person.first:
            return []
        # name_purpose=PROVIDER: the person's own record, not an organisation whose official shares the name.
        queries = [{"last_name": last, "enumeration_type": "NPI-1", "name_purpose": "PROVIDER"}
                   for last in surname_queries(person)]
    else:
        queries = [{"organization_name": q[:100], "enumeration_type": "NPI-2"}
                   for q in organisation_queries(claim_name)]
    matches = person_name_matches if kind == "practitioner" else org_name_matches
    found: list[RegistryRecord] = []
    for params in queries:
        results = client.lookup(session, state=state, limit="200", **params)
        found = [r for r in results if matches(claim_name, r)]
        if found:
            break
    return found


def check_claim(session: Session, client: NppesClient, claim_name: str, kind: str, code: str | None,
                npi: str | None, state: str | None) -> Verdict:
    if npi:
        if not is_valid_npi(npi):
            # Never a silent fall-back to a name search: the printed number itself is wrong.
            return Verdict("invalid_number", f"the NPI printed ({npi[:20]}) fails the check digit")
        found = [r for r in client.lookup(session, number=npi) if r.number == npi]
        if not found:  # the registry lists active NPIs only: unknown and deactivated answer alike
            return Verdict("not_found", f"no active registry record for NPI {npi} (unknown or deactivated)")
        return judge(claim_name, kind, code, state, found[0])
    if not state:
        return Verdict("not_found", "no NPI and no state to search by")
    fits = [judge(claim_name, kind, code, state, r) for r in _search(session, client, claim_name, kind, state)]
    good = [v for v in fits if v.outcome == "verified"]
    if len(good) == 1:
        return good[0]
    if len(good) > 1:
        return Verdict("ambiguous", f"{len(good)} registry entries match this name in {state}",
                       candidates=[v.record for v in good if v.record is not None])
    named = [v for v in fits if v.reason is None or not v.reason.startswith(("name differs", "state differs"))]
    if named:
        return named[0]
    return Verdict("not_found", f"no registry entry for this name in {state}")


def candidate_summary(rec: RegistryRecord) -> dict[str, object]:
    """A registry record as a moderator sees it among the candidates of an ambiguous claim."""
    primary = rec.primary_taxonomy
    return {"npi": rec.number, "name": rec.name, "states": rec.states,
            "taxonomy": primary.desc or primary.code if primary else None}


def _apply(cred: Credential, v: Verdict, now: datetime) -> None:
    """Store the outcome and the registry record it rests on (cleared when there is none)."""
    cred.outcome, cred.reason, cred.checked_at = v.outcome, v.reason, now
    cred.registry_candidates = [candidate_summary(r) for r in v.candidates]
    rec = v.record
    primary = rec.primary_taxonomy if rec is not None else None
    cred.registry_npi = rec.number if rec is not None else None
    cred.registry_type = rec.enumeration_type if rec is not None else None
    cred.registry_name = rec.name[:300] if rec is not None else None
    cred.registry_credential = (rec.credential[:64] or None) if rec is not None else None
    cred.registry_taxonomy_code = primary.code[:16] if primary is not None else None
    cred.registry_taxonomy_desc = (primary.desc[:300] or None) if primary is not None else None
    cred.registry_status = rec.status if rec is not None else None
    cred.registry_updated = rec.last_updated if rec is not None else None
    cred.registry_states = rec.states if rec is not None else []
    cred.registry_taxonomies = [{"code": t.code, "desc": t.desc, "state": t.state, "primary": t.primary,
                                 "license": t.license} for t in rec.taxonomies] if rec is not None else []
    cred.license_states = rec.license_states if rec is not None else []


def default_client(settings: Settings) -> NppesClient:
    """The registry client for ``settings``: polite pauses for a remote registry, none for a loopback one
    (the sample web's local API in the demo and the tests)."""
    host = urlsplit(settings.nppes_url).hostname or ""
    local = host == "localhost" or host.startswith("127.") or host == "::1"
    return NppesClient(settings.nppes_url, pause_s=0.0 if local else 0.5, backoff_s=0.2 if local else 1.0)


def verify_pending(db: Database, settings: Settings, *, client: NppesClient | None = None,
                   recheck_after: timedelta = RECHECK_AFTER, limit: int | None = None,
                   commit_every: int = 20) -> VerifyReport:
    """Check every unchecked credential and every one older than ``recheck_after``."""
    client = client or default_client(settings)
    report = VerifyReport()
    now = utcnow()
    with db.session() as s:
        q = (select(Credential.id).join(Provider, Provider.id == Credential.provider_id)
             .where(Provider.status.in_(("pending", "published")),
                    or_(Credential.checked_at.is_(None), Credential.checked_at < now - recheck_after))
             .order_by(Credential.id))
        ids = list(s.scalars(q.limit(limit) if limit else q))
    touched: set[int] = set()
    found: dict[int, str] = {}  # provider -> NPI the registry gave for a claim printed without one
    errors_in_row = 0
    with db.session() as s:
        for n, cid in enumerate(ids, 1):
            cred = s.get(Credential, cid)
            if cred is None:
                continue
            provider = s.get(Provider, cred.provider_id)
            if provider is None:
                continue
            try:
                # A claim once verified by name is re-checked by the NPI of the record it rests on.
                npi = cred.npi or (cred.registry_npi if cred.outcome == "verified" else None)
                verdict = check_claim(s, client, provider.name, provider.kind, cred.credential, npi,
                                      cred.claimed_state)
            except RegistryError:
                report.errors += 1
                errors_in_row += 1
                if errors_in_row >= MAX_CONSECUTIVE_ERRORS:
                    break  # the registry is down: try again next run, keep what we have
                continue
            errors_in_row = 0
            before = (cred.outcome, cred.registry_taxonomies, cred.registry_npi)
            _apply(cred, verdict, utcnow())
            report.outcomes[verdict.outcome] += 1
            if verdict.outcome == "verified" and not cred.npi and verdict.record is not None:
                found[cred.provider_id] = verdict.record.number
            if before != (cred.outcome, cred.registry_taxonomies, cred.registry_npi):
                touched.add(cred.provider_id)
            if n % commit_every == 0:
                s.commit()
        changed: set[int] = set()
        if found:  # registry records waiting for exactly these NPIs now have their provider
            gained = attach_verified(s, found, now)
            if gained:
                changed |= Recomputer(s).run(gained, now)
                touched |= gained
        if touched:
            clinic_ids = {c for (c,) in s.execute(select(Affiliation.clinic_id)
                                                  .where(Affiliation.practitioner_id.in_(sorted(touched))))}
            requalified = refresh_qualification(s, touched | clinic_ids, now)
            if requalified:
                enqueue(s, sorted(requalified))
            report.changed_providers = changed | requalified
        s.commit()
    return report
