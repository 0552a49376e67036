"""The recompute engine: from backing observations to provider fields, evidence, reviews, credentials and
qualification, for a set of providers at once (batched queries, bulk writes)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in, insert_rows, update_rows
from indexer.db.models import (
    Affiliation,
    Credential,
    FieldEvidence,
    OutboxEntry,
    Override,
    Provider,
    Source,
    utcnow,
)
from indexer.observation import field_values
from indexer.outbox import enqueue
from indexer.provenance import (
    OVERRIDABLE,
    Candidate,
    apply_values,
    select_values,
    target_values,
)
from indexer.qualification import refresh_qualification
from indexer.resolve.backing import Backing, load_backing, merged_map
from indexer.reviews import AggregateInput, ReviewInput, sync_reviews
from kdir.common.record import Practitioner, ProviderItem
from kdir.common.taxonomy import category

_SEARCH_COLUMNS = ("status", "stale", "name", "website", "email", "phones", "street", "city", "region",
                   "postal_code", "lat", "lon", "npi", "modalities", "conditions", "services", "insurance",
                   "telehealth", "price", "rating_value", "rating_count", "rating_bayes", "qualification", "kind")


def search_snapshot(p: Provider) -> str:
    blob = json.dumps([getattr(p, c) for c in _SEARCH_COLUMNS], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()


_COLUMNS = tuple(c.key for c in Provider.__table__.columns)
#: Columns the indexer derives (status, merges and moderation fields are never written here).
_WRITABLE = ("name", "match_name", "website", "email", "phones", "street", "city", "region", "postal_code",
             "country", "lat", "lon", "geo_source", "npi", "modalities", "conditions", "services", "insurance",
             "telehealth", "price", "rating_value", "rating_count", "rating_bayes", "qualification",
             "last_verified_at", "licensed_states", "last_seen", "pending_changes", "review_priority")


def load_working_copies(session: Session, ids: list[int], known: dict[int, dict[str, Any]]
                        ) -> tuple[dict[int, dict[str, Any]], dict[int, Provider]]:
    """Providers as detached working copies (never added to the session) plus their original values, so many
    providers can be recomputed and written back with one bulk UPDATE instead of one statement each.
    ``known``: complete rows of providers just inserted (no need to read them back)."""
    originals: dict[int, dict[str, Any]] = {pid: dict(known[pid]) for pid in ids if pid in known}
    todo = [pid for pid in ids if pid not in known]
    # PostgreSQL: lock the rows (in id order) so a moderator's concurrent edit either lands before this read
    # or waits for this transaction; never lost. SQLite has a single writer and this transaction already wrote.
    lock = session.get_bind().dialect.name == "postgresql"
    for i in range(0, len(todo), 900):
        q = select(Provider.__table__).where(Provider.id.in_(todo[i:i + 900])).order_by(Provider.id)
        for row in session.execute(q.with_for_update() if lock else q).mappings():
            originals[row["id"]] = dict(row)
    return originals, {pid: _working(orig) for pid, orig in originals.items()}


class WorkingProvider:
    """A plain attribute bag with the columns of a Provider row (cheap to build, never in a session)."""


def _working(orig: dict[str, Any]) -> Provider:
    obj = WorkingProvider()
    obj.__dict__.update(orig)
    return obj  # type: ignore[return-value]  # duck-typed: the same attributes as a Provider


def write_working_copies(session: Session, originals: dict[int, dict[str, Any]], working: dict[int, Provider],
                         now: datetime) -> None:
    rows = []
    for pid, p in working.items():
        orig = originals[pid]
        if any(getattr(p, c) != orig[c] for c in _WRITABLE):
            row = {c: getattr(p, c) for c in _WRITABLE}
            row["id"] = pid
            row["updated_at"] = now
            rows.append(row)
    if not rows:
        return
    update_rows(session, Provider.__table__, rows)  # one executemany: every row carries the same columns
    for r in rows:  # objects the caller holds in this session must not show stale values
        obj = session.identity_map.get(session.identity_key(Provider, r["id"]))
        if obj is not None:
            session.expire(obj)


def mention_key(person_key: str) -> str:
    return f"p:{person_key}"[:500]


def people_of(rec: ProviderItem) -> list[Practitioner]:
    """The people an observation names: its practitioners, and the listing's own person for a practitioner
    listing (which may have joined its practice, where that person is a mention)."""
    if rec.kind != "practitioner" or not rec.name:
        return rec.practitioners
    return [*rec.practitioners, Practitioner(rec.name, list(rec.credentials), None, rec.npi)]


#: what a practitioner listing joined to its practice says about the person, not about the practice
_PERSON_FIELDS = ("name", "npi", "credentials")


def evidence_values(b: Backing, kind: str | None = None, source_kind: str | None = None) -> dict[str, Any]:
    """The evidence one backing observation gives its provider (of ``kind``; ``source_kind``: the
    observation's source kind; a registry's person record on a solo practice keeps its NPI there)."""
    rec = b.record
    if b.mention_key is None:
        values = field_values(rec)
        if kind == "clinic" and rec.kind == "practitioner" and source_kind != "registry":
            for key in _PERSON_FIELDS:  # those go to the person (a mention of the same observation)
                values.pop(key, None)
        return values
    key = b.mention_key[2:]
    prac = next((p for p in people_of(rec) if p.key == key), None)
    if prac is None:
        return {}
    values: dict[str, Any] = {"name": prac.name}
    if prac.npi:
        values["npi"] = prac.npi
    if prac.credentials:
        values["credentials"] = list(prac.credentials)
    if rec.address:
        values["address"] = rec.address.as_dict()
    return values


def credential_claims(b: Backing, kind: str, source_kind: str | None = None
                      ) -> list[tuple[str | None, str | None, str | None]]:
    """(credential code, npi, claimed state) claims one backing observation makes for its provider."""
    rec: ProviderItem = b.record
    state = rec.address.region if rec.address else None
    if b.mention_key is None and kind == "clinic":
        own = rec.kind == "clinic" or source_kind == "registry"  # else: the person's claims, on the mention
        return [(None, rec.npi, state)] if rec.npi and own else []
    if b.mention_key is None:
        creds, npi = rec.credentials, rec.npi
    else:
        prac = next((p for p in people_of(rec) if p.key == b.mention_key[2:]), None)
        if prac is None:
            return []
        creds, npi = prac.credentials, prac.npi
    codes = [c for c in creds if category(c)]
    if codes:
        return [(c, npi, state) for c in codes]
    # No licence we can check against a taxonomy ("RN", "PhD", none): the person is still looked up.
    other = creds[0] if creds else None
    return [(other, npi, state)] if npi or state else []


def _claim_label(code: str | None, npi: str | None) -> str:
    return f"{code or '-'}:{npi or '-'}"


class Recomputer:
    """Recompute many providers in one go. ``records`` caches normalised payloads by observation id."""

    def __init__(self, session: Session, records: dict[int, ProviderItem] | None = None):
        self.s = session
        self.records = records if records is not None else {}
        rows = session.execute(select(Source.id, Source.key, Source.tier, Source.kind)).all()
        self.source_keys = {r.id: r.key for r in rows}
        self.tiers = {r.id: r.tier for r in rows}
        self.kinds = {r.id: r.kind for r in rows}

    def run(self, provider_ids: set[int], now: datetime | None = None,
            ungated_credentials: set[int] | None = None,
            known_rows: dict[int, dict[str, Any]] | None = None) -> set[int]:
        """Returns the ids of providers whose searchable data changed (they were enqueued)."""
        now = now or utcnow()
        merged = merged_map(self.s)
        targets = {pid for pid in provider_ids if pid not in merged}
        if not targets:
            return set()
        backing = load_backing(self.s, targets, merged, self.records)
        ids = sorted(targets)
        originals, providers = load_working_copies(self.s, ids, known_rows or {})
        before = {pid: search_snapshot(p) for pid, p in providers.items()}
        overrides: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        for o in self.s.execute(select(Override).where(ids_in(Override.provider_id, ids), Override.active.is_(True))
                                .order_by(Override.id)).scalars():
            if o.field in OVERRIDABLE:
                overrides[o.provider_id].append((o.field, o.value))
        desired_ev: dict[tuple[int, str, int, str], dict[str, Any]] = {}
        reviews: list[ReviewInput] = []
        aggregates: list[AggregateInput] = []
        for pid, p in providers.items():
            items = backing.get(pid, [])
            cands = []
            for b in items:
                tier, kind = self.tiers.get(b.source_id, 1), self.kinds.get(b.source_id, "")
                for fname, value in evidence_values(b, p.kind, kind).items():
                    cands.append(Candidate(fname, value, b.source_id, b.observation_id, b.url, tier, b.seen,
                                           kind=kind))
                if b.mention_key is None:
                    for r in b.record.reviews:
                        reviews.append(ReviewInput(pid, b.source_id, b.observation_id, r, b.seen))
                    if b.record.rating:
                        aggregates.append(AggregateInput(pid, b.source_id, b.record.rating.value, b.record.rating.count or 0,
                                                         b.url))
            selected = select_values(cands)
            values, overridden = target_values(selected, overrides.get(pid, []))
            apply_values(p, values, overridden, selected, self.source_keys)
            winners = {(c.field, c.source_id, c.observation_id) for sel in selected.values() for c in sel.winners}
            for c in cands:
                key = (pid, c.field, c.source_id, c.vh)
                sel = (c.field, c.source_id, c.observation_id) in winners and c.field not in overridden
                cur = desired_ev.get(key)
                if cur is None:
                    desired_ev[key] = {"value": c.value, "observation_id": c.observation_id, "url": c.url,
                                       "tier": c.tier, "first_seen": c.seen, "last_seen": c.seen, "selected": sel}
                else:
                    cur["selected"] = cur["selected"] or sel
                    cur["first_seen"] = min(cur["first_seen"], c.seen)
                    if (c.seen, c.observation_id) > (cur["last_seen"], cur["observation_id"]):
                        cur.update(last_seen=c.seen, observation_id=c.observation_id, url=c.url)
            seen = [b.last_seen for b in items]
            if seen and (p.last_seen is None or max(seen) > p.last_seen):
                p.last_seen = max(seen)
        self._prune_affiliations(providers, backing)
        self._sync_evidence(targets, merged, desired_ev)
        self._sync_credentials(providers, backing, ungated_credentials or set())
        sync_reviews(self.s, targets, reviews, aggregates, working=providers)
        self.s.flush()
        refresh_qualification(self.s, targets, now, working=providers)
        write_working_copies(self.s, originals, providers, now)
        changed = {pid for pid, p in providers.items() if search_snapshot(p) != before[pid]}
        if len(changed) > 50:  # the same rows enqueue() writes, in one executemany
            insert_rows(self.s, OutboxEntry.__table__, [
                {"provider_id": pid, "op": "upsert", "created_at": now, "attempts": 0} for pid in sorted(changed)])
        elif changed:
            enqueue(self.s, sorted(changed))
        return changed

    def _prune_affiliations(self, providers: dict[int, Provider], backing: dict[int, list[Backing]]) -> None:
        """A practitioner no current observation of the clinic names any more is no longer affiliated."""
        clinics = sorted(pid for pid, p in providers.items() if p.kind == "clinic")
        mentioned = {pid: {pr.key for b in backing.get(pid, []) if b.mention_key is None
                           for pr in people_of(b.record)} for pid in clinics}
        gone = []
        for i in range(0, len(clinics), 900):
            for aid, clinic_id, key in self.s.execute(
                    select(Affiliation.id, Affiliation.clinic_id, Provider.match_name)
                    .join(Provider, Provider.id == Affiliation.practitioner_id)
                    .where(ids_in(Affiliation.clinic_id, clinics[i:i + 900]))):
                if key not in mentioned.get(clinic_id, set()):
                    gone.append(aid)
        for i in range(0, len(gone), 900):
            self.s.execute(delete(Affiliation).where(ids_in(Affiliation.id, gone[i:i + 900])))

    def _sync_evidence(self, targets: set[int], merged: dict[int, int],
                       desired: dict[tuple[int, str, int, str], dict[str, Any]]) -> None:
        members = sorted(targets | {m for m, t in merged.items() if t in targets})
        existing = {}
        for i in range(0, len(members), 900):
            for row in self.s.execute(select(
                    FieldEvidence.id, FieldEvidence.provider_id, FieldEvidence.field, FieldEvidence.source_id,
                    FieldEvidence.value_hash, FieldEvidence.first_seen, FieldEvidence.last_seen,
                    FieldEvidence.selected, FieldEvidence.observation_id, FieldEvidence.url, FieldEvidence.tier)
                    .where(ids_in(FieldEvidence.provider_id, members[i:i + 900]))):
                existing[(row.provider_id, row.field, row.source_id, row.value_hash)] = row
        inserts, updates, deletes = [], [], []
        for key, row in existing.items():
            want = desired.get(key)
            if want is None:
                deletes.append(row.id)
                continue
            first = min(row.first_seen, want["first_seen"])
            last = max(row.last_seen, want["last_seen"])
            if (first, last, want["selected"], want["observation_id"], want["url"], want["tier"]) != (
                    row.first_seen, row.last_seen, row.selected, row.observation_id, row.url, row.tier):
                updates.append({"id": row.id, "first_seen": first, "last_seen": last, "selected": want["selected"],
                                "observation_id": want["observation_id"], "url": want["url"], "tier": want["tier"]})
        for key, want in desired.items():
            if key not in existing:
                pid, fname, sid, vh = key
                inserts.append({"provider_id": pid, "field": fname, "value": want["value"], "value_hash": vh,
                                "source_id": sid, "observation_id": want["observation_id"], "url": want["url"],
                                "tier": want["tier"], "first_seen": want["first_seen"],
                                "last_seen": want["last_seen"], "selected": want["selected"]})
        for i in range(0, len(deletes), 900):
            self.s.execute(delete(FieldEvidence).where(ids_in(FieldEvidence.id, deletes[i:i + 900])))
        update_rows(self.s, FieldEvidence.__table__, updates)
        insert_rows(self.s, FieldEvidence.__table__, inserts)

    def _sync_credentials(self, providers: dict[int, Provider], backing: dict[int, list[Backing]],
                          ungated: set[int]) -> None:
        ids = sorted(providers)
        existing: dict[int, dict[tuple[str | None, str | None], Credential]] = defaultdict(dict)
        for c in self.s.execute(select(Credential).where(ids_in(Credential.provider_id, ids))).scalars():
            existing[c.provider_id][(c.credential, c.npi)] = c
        inserts: list[dict[str, Any]] = []
        for pid, p in providers.items():
            want: dict[tuple[str | None, str | None], tuple[str | None, Backing]] = {}
            for b in sorted(backing.get(pid, []), key=lambda b: (b.seen, b.observation_id)):
                for code, npi, state in credential_claims(b, p.kind, self.kinds.get(b.source_id)):
                    if npi or state:
                        want[(code, npi)] = (state, b)
            have = existing.get(pid, {})
            gated = p.status == "published" and pid not in ungated
            if gated and set(want) != set(have):
                pending = dict(p.pending_changes or {})
                newest = max(want.values(), key=lambda v: v[1].seen)[1] if want else None
                entry = {"old": sorted(_claim_label(*k) for k in have), "new": sorted(_claim_label(*k) for k in want),
                         "source": self.source_keys.get(newest.source_id) if newest else None,
                         "url": newest.url if newest else None}
                if pending.get("credentials") != entry:
                    pending["credentials"] = entry
                    p.pending_changes = pending
                    p.review_priority = (p.review_priority or 0) + 10
            elif p.pending_changes and "credentials" in p.pending_changes:
                pending = dict(p.pending_changes)
                del pending["credentials"]
                p.pending_changes = pending or None
            for key, (state, b) in want.items():
                cred = have.get(key)
                if cred is not None:
                    if cred.last_seen is None or b.last_seen > cred.last_seen:
                        cred.last_seen = b.last_seen
                    cred.source_id, cred.source_url = b.source_id, b.url
                    if state and cred.claimed_state != state:
                        cred.claimed_state = state
                        cred.outcome, cred.checked_at = "unchecked", None  # the claim changed: check again
                elif not gated:
                    inserts.append({"provider_id": pid, "credential": key[0], "npi": key[1],
                                    "claimed_state": state, "source_id": b.source_id, "source_url": b.url,
                                    "first_seen": b.seen, "last_seen": b.last_seen, "outcome": "unchecked",
                                    "registry_taxonomies": [], "license_states": []})
            if not gated:
                for key, cred in have.items():
                    if key not in want:
                        self.s.delete(cred)
        self.s.flush()
        insert_rows(self.s, Credential.__table__, inserts)
