"""Resolve one batch of observations to providers: reuse the listing's previous decision (always, when a
moderator pinned it), else apply the match rules, else create a provider. Every decision is a MatchLink."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in, insert_rows
from indexer.db.models import Affiliation, MatchLink, Observation, Provider, Source
from indexer.observation import valid_npi
from indexer.resolve.backing import final_id
from indexer.resolve.engine import mention_key
from indexer.resolve.matcher import ClinicEntry, ClinicIndex, PractitionerIndex
from indexer.resolve.rejoin import PersonListing, person_listings_near
from indexer.resolve.solo import RULE as SOLO_RULE
from indexer.resolve.solo import WEBSITE_KIND, is_own_practice, named_people, same_person_key
from kdir.common.domains import registered_domain
from kdir.common.record import Practitioner, ProviderItem

_EMPTY_ROW: dict[str, Any] = {c.key: None for c in Provider.__table__.columns}
_EMPTY_ROW.update({"merged_into_id": None, "approved_snapshot": None, "pending_changes": None, "telehealth": None,
                   "price": None, "rating_count": 0, "review_priority": 0})


@dataclass
class ObsRow:
    id: int
    source_id: int
    location_key: str
    kind: str
    source_url: str
    last_seen: datetime


@dataclass
class BatchResult:
    affected: set[int] = field(default_factory=set)
    created: int = 0
    attached: int = 0  # observations joined to an existing provider by a match rule
    rules: Counter[str] = field(default_factory=Counter)
    observation_provider: dict[int, int] = field(default_factory=dict)
    unmatched: list[int] = field(default_factory=list)  # registry observations that matched no provider


@dataclass
class _Link:
    pinned: bool
    id: int
    provider_id: int
    rule: str
    score: float


class BatchResolver:
    """``evidence_only``: ids of sources (the registry) whose observations never create a provider: they attach
    to a matching provider or stay unmatched (``BatchResult.unmatched``)."""

    def __init__(self, session: Session, clinics: ClinicIndex, people: PractitionerIndex,
                 merged: dict[int, int], now: datetime, evidence_only: frozenset[int] = frozenset()):
        self.s, self.clinics, self.people, self.merged, self.now = session, clinics, people, merged, now
        self.evidence_only = evidence_only
        self._next_temp = -1
        self._new_providers: dict[int, dict[str, Any]] = {}
        self._new_clinic_entries: list[ClinicEntry] = []
        self._links: list[dict[str, Any]] = []
        self._affiliations: dict[tuple[int, int], dict[str, Any]] = {}
        #: clinics this batch created or matched by a rule (not a listing's earlier decision), by observation
        self._fresh_clinics: dict[int, int] = {}
        self._relinks: list[dict[str, Any]] = []  # earlier person listings joining their practice now
        self._relinked_obs: dict[int, int] = {}  # link id -> observation id
        #: complete rows of the providers this batch created, by id (the recompute engine starts from them)
        self.created_rows: dict[int, dict[str, Any]] = {}

    # -- helpers ---------------------------------------------------------------------------------------------
    def _temp(self, kind: str, name: str, key: str, rec: ProviderItem, npi: str | None) -> int:
        tid = self._next_temp
        self._next_temp -= 1
        addr = rec.address
        self._new_providers[tid] = {
            **_EMPTY_ROW, "kind": kind, "status": "pending", "name": name[:300], "match_name": key[:300], "npi": npi,
            "phones": list(rec.phones) if kind == "clinic" else [], "street": addr.street if addr else None,
            "city": addr.city if addr else None, "region": addr.region if addr else None,
            "postal_code": addr.postal_code if addr else None, "country": "US", "created_at": self.now,
            "updated_at": self.now, "stale": False, "rating_count": 0, "review_priority": 0, "qualification": {}, "licensed_states": [],
            "modalities": [], "conditions": [], "services": [], "insurance": []}
        return tid

    def _load_links(self, rows: list[ObsRow]) -> tuple[dict[tuple[int, str | None], _Link],
                                                        dict[tuple[int, str, str | None], _Link],
                                                        dict[tuple[int, str], set[int]]]:
        by_obs: dict[tuple[int, str | None], _Link] = {}
        by_key: dict[tuple[int, str, str | None], _Link] = {}
        listing_providers: dict[tuple[int, str], set[int]] = {}
        keys = sorted({r.location_key for r in rows})
        wanted = {(r.source_id, r.location_key) for r in rows}
        ids = [r.id for r in rows]
        for i in range(0, max(len(keys), len(ids)), 400):
            q = select(MatchLink.id, MatchLink.provider_id, MatchLink.observation_id, MatchLink.source_id,
                       MatchLink.location_key, MatchLink.mention_key, MatchLink.pinned, MatchLink.rule,
                       MatchLink.score).where(or_(MatchLink.location_key.in_(keys[i:i + 400]),
                                                  ids_in(MatchLink.observation_id, ids[i:i + 400])))
            for row in self.s.execute(q):
                link = _Link(bool(row.pinned), row.id, row.provider_id, row.rule, row.score)
                if row.observation_id is not None:
                    k1 = (row.observation_id, row.mention_key)
                    if k1 not in by_obs or (link.pinned, link.id) > (by_obs[k1].pinned, by_obs[k1].id):
                        by_obs[k1] = link
                if (row.source_id, row.location_key) in wanted:
                    k2 = (row.source_id, row.location_key, row.mention_key)
                    if k2 not in by_key or (link.pinned, link.id) > (by_key[k2].pinned, by_key[k2].id):
                        by_key[k2] = link
                    listing_providers.setdefault((row.source_id, row.location_key), set()).add(row.provider_id)
        return by_obs, by_key, listing_providers

    def _decide(self, obs: ObsRow, mention: str | None, by_obs: dict, by_key: dict,  # type: ignore[type-arg]
                match: Any) -> tuple[int, _Link | None, tuple[str, float, bool] | None]:
        """(provider id, existing link to reuse or None, (rule, score, pinned) of a new link or None)."""
        own = by_obs.get((obs.id, mention))
        prev = by_key.get((obs.source_id, obs.location_key, mention))
        if own is not None and not (prev is not None and prev.pinned and not own.pinned):
            return final_id(own.provider_id, self.merged), own, None
        if prev is not None:
            return final_id(prev.provider_id, self.merged), None, (prev.rule, prev.score, prev.pinned)
        found = match()
        if found is None:
            return 0, None, None
        pid, rule, score = found
        return final_id(pid, self.merged), None, (rule, score, False)

    def _link(self, pid: int, obs: ObsRow, mention: str | None, rule: str, score: float, pinned: bool,
              matched: int | None) -> None:
        self._links.append({"provider_id": pid, "observation_id": obs.id, "source_id": obs.source_id,
                            "location_key": obs.location_key, "mention_key": mention, "rule": rule,
                            "score": score, "matched_provider_id": matched, "pinned": pinned,
                            "created_at": self.now})

    # -- the batch -------------------------------------------------------------------------------------------
    def resolve(self, rows: list[ObsRow], records: dict[int, ProviderItem]) -> BatchResult:
        res = BatchResult()
        # Sources that can create providers go first, so evidence-only observations of the same batch find them.
        good = sorted((r for r in rows if r.id in records), key=lambda r: r.source_id in self.evidence_only)
        by_obs, by_key, listing_providers = self._load_links(good)

        def known(obs: ObsRow, mention: str | None) -> bool:  # decided before: no need for match candidates
            return (obs.id, mention) in by_obs or (obs.source_id, obs.location_key, mention) in by_key

        # Practitioner listings of sources that create providers look for their practice too (cross-kind).
        self.clinics.load(self.s, (records[r.id] for r in good if not known(r, None) and (
            records[r.id].kind == "clinic" or r.source_id not in self.evidence_only)))
        for ids in listing_providers.values():
            res.affected.update(final_id(p, self.merged) for p in ids)
        clinic_of: dict[int, int] = {}
        for obs in good:  # pass 1: the listings themselves
            rec = records[obs.id]
            if rec.kind == "clinic":
                clinic_of[obs.id] = self._resolve_clinic(obs, rec, by_obs, by_key, res)
        dormant = self._dormant_people(good, records)
        hosts = self._practices(good, records, clinic_of, known, dormant)
        people = [(p.key, p.npi, clinic_of[r.id]) for r in good for p in records[r.id].practitioners
                  if clinic_of[r.id] and r.source_id not in self.evidence_only and not known(r, mention_key(p.key))]
        people += [(records[r.id].match_name, records[r.id].npi, hosts.get(r.id, (0, False))[0]) for r in good
                   if records[r.id].kind == "practitioner" and not known(r, None)]
        self.people.load(self.s, [(k, n) for k, n, _c in people], {c for _k, _n, c in people if c})
        kinds = self._linked_kinds(good, records, by_obs, by_key)
        for obs in good:  # pass 2: people (practitioner listings and practitioners named by clinics)
            rec = records[obs.id]
            region = rec.address.region if rec.address else None
            evidence_only = obs.source_id in self.evidence_only
            if rec.kind == "clinic":
                pid = clinic_of[obs.id]
                if not pid:
                    res.unmatched.append(obs.id)
                    continue
                for prac in [] if evidence_only else rec.practitioners:
                    ppid = self._resolve_person(obs, mention_key(prac.key), prac, pid, region, by_obs, by_key, res,
                                                rec)
                    self._affiliations[(pid, ppid)] = {"role": prac.role, "observation_id": obs.id}
            else:
                host, own = hosts.get(obs.id, (0, False))
                person = _as_person(rec)
                practice = (lambda h=host: (h, SOLO_RULE, 0.9)) if own else None
                pid = self._resolve_person(obs, None, person, host or None, region, by_obs, by_key, res, rec,
                                           create=not evidence_only, practice=practice)
                if not pid:
                    res.unmatched.append(obs.id)
                    continue
                if not evidence_only and (pid in self.clinics.pids or kinds.get(pid) == "clinic"):
                    # The listing joined the person's practice: the person is named by it, as on its website.
                    ppid = self._resolve_person(obs, mention_key(person.key), person, pid, region, by_obs, by_key,
                                                res, rec)
                    self._affiliations[(pid, ppid)] = {"role": None, "observation_id": obs.id}
            res.observation_provider[obs.id] = pid
            res.affected.add(pid)
        for listing in dormant:
            host, own = hosts.get(listing.observation_id, (0, False))
            if own:
                self._rejoin(listing, host, res)
        mapping = self._flush_new()
        res.affected = {mapping.get(p, p) for p in res.affected}
        res.observation_provider = {o: mapping.get(p, p) for o, p in res.observation_provider.items()}
        for link in self._links:
            link["provider_id"] = mapping.get(link["provider_id"], link["provider_id"])
            if link["matched_provider_id"] is not None:
                link["matched_provider_id"] = mapping.get(link["matched_provider_id"], link["matched_provider_id"])
        if self._links:
            insert_rows(self.s, MatchLink.__table__, self._links)
        self._flush_affiliations(mapping)
        self._flush_relinks(mapping)
        return res

    def _resolve_clinic(self, obs: ObsRow, rec: ProviderItem, by_obs: dict, by_key: dict,  # type: ignore[type-arg]
                        res: BatchResult) -> int:
        lone = obs.source_id in self.evidence_only
        pid, _reuse, new = self._decide(obs, None, by_obs, by_key, lambda: self.clinics.match(rec, lone))
        if not pid and obs.source_id in self.evidence_only:
            return 0
        if not pid:
            pid = self._temp("clinic", rec.name, rec.match_name, rec, rec.npi)
            entry = self.clinics.entry_for(pid, rec)
            self.clinics.add(entry)
            self._new_clinic_entries.append(entry)
            new = ("new", 1.0, False)
            res.created += 1
        elif new and (obs.source_id, obs.location_key, None) not in by_key:
            res.attached += 1
        if new:
            res.rules[new[0]] += 1
            self._link(pid, obs, None, new[0], new[1], new[2], pid if new[0] != "new" else None)
            if (obs.source_id, obs.location_key, None) not in by_key:
                self._fresh_clinics[obs.id] = pid
        return pid

    def _resolve_person(self, obs: ObsRow, mkey: str | None, prac: Practitioner, clinic_id: int | None,
                        region: str | None, by_obs: dict, by_key: dict, res: BatchResult,  # type: ignore[type-arg]
                        rec: ProviderItem, create: bool = True,
                        practice: Callable[[], tuple[int, str, float]] | None = None) -> int:
        def match() -> tuple[int, str, float] | None:
            if practice is not None:
                return practice()
            found = self.people.match(prac, clinic_id, region, rec.zip)
            if found is None and not create and (npi := valid_npi(prac.npi)):
                solo = self.clinics.by_npi.get(npi, [])
                if len(solo) == 1:  # a solo practice listed under its owner's NPI
                    return solo[0].pid, "npi", 1.0
            return found

        ppid, _reuse, new = self._decide(obs, mkey, by_obs, by_key, match)
        if not ppid and not create:
            return 0
        if not ppid:
            ppid = self._temp("practitioner", prac.name, prac.key, rec, prac.npi)
            new = ("new", 1.0, False)
            res.created += 1
        elif new and (obs.source_id, obs.location_key, mkey) not in by_key:
            res.attached += 1
        if new:
            res.rules[new[0]] += 1
            self._link(ppid, obs, mkey, new[0], new[1], new[2], ppid if new[0] != "new" else None)
        if ppid not in self.clinics.pids:
            self.people.note(ppid, prac, clinic_id, region, rec.zip)
        res.affected.add(ppid)
        return ppid

    def _practice_of(self, rec: ProviderItem) -> tuple[int, str] | None:
        """The clinic a practitioner listing's own evidence points to, and the rule."""
        m = self.clinics.match(rec)
        if m is None and rec.npi:  # a person's own NPI is no conflict with the practice's
            m = self.clinics.match(replace(rec, npi=None))
        return (final_id(m[0], self.merged), m[1]) if m is not None else None

    def _dormant_people(self, rows: list[ObsRow], records: dict[int, ProviderItem]) -> list[PersonListing]:
        """Person listings of earlier runs near the clinics this batch created or newly matched
        (:mod:`indexer.resolve.rejoin`); their records join the batch's."""
        fresh = [records[oid] for oid in self._fresh_clinics]
        if not fresh:
            return []
        dormant = person_listings_near(self.s, fresh, {obs.id for obs in rows}, self.evidence_only)
        for listing in dormant:
            records[listing.observation_id] = listing.record
        self.clinics.load(self.s, (listing.record for listing in dormant))  # their blocks, as for the batch's
        return dormant

    def _practices(self, rows: list[ObsRow], records: dict[int, ProviderItem], clinic_of: dict[int, int],
                   known: Callable[[ObsRow, str | None], bool], dormant: list[PersonListing]
                   ) -> dict[int, tuple[int, bool]]:
        """For each new practitioner listing of a source that creates providers: the clinic its own evidence
        points to and whether that clinic is the person's own practice (observation id -> (clinic, own)). The
        same for the ``dormant`` person listings of earlier runs, when it is a clinic this batch created or
        newly matched."""
        found: dict[int, tuple[int, str]] = {}
        for obs in rows:
            rec = records[obs.id]
            if rec.kind != "practitioner" or obs.source_id in self.evidence_only or known(obs, None):
                continue
            if (m := self._practice_of(rec)) is not None:
                found[obs.id] = m
        fresh = {final_id(pid, self.merged) for pid in self._fresh_clinics.values()}
        for listing in dormant:
            if (m := self._practice_of(listing.record)) is not None and m[0] in fresh:
                found[listing.observation_id] = m
        if not found:
            return {}
        named = named_people(self.s, {pid for pid, _rule in found.values()})
        for obs in rows:  # the people this batch's clinic listings name
            if (pid := clinic_of.get(obs.id)) and obs.source_id not in self.evidence_only:
                named[pid].update(p.key for p in records[obs.id].practitioners)
        websites = set(self.s.scalars(select(Source.id).where(Source.kind == WEBSITE_KIND)))
        source_of = {obs.id: obs.source_id for obs in rows}
        source_of.update({listing.observation_id: listing.source_id for listing in dormant})
        out: dict[int, tuple[int, bool]] = {}
        for oid, (pid, rule) in found.items():
            rec = records[oid]
            own = is_own_practice(rec.name or "", rec.match_name, self.clinics.name_of(pid), named.get(pid, set()),
                                  rule)
            # The person's own website (read as a person's) is that practice's when the practice's listing links
            # to it or prints its NPI, and names nobody else.
            domain = registered_domain(rec.website)
            linked = rule == "npi" or (domain is not None and domain == self.clinics.domain_of(pid))
            own = own or (source_of[oid] in websites and linked
                          and all(same_person_key(rec.match_name, k) for k in named.get(pid, set())))
            out[oid] = (pid, own)
        return out

    def _rejoin(self, listing: PersonListing, host: int, res: BatchResult) -> None:
        """An earlier person listing joins its practice, as it would have had both come in one batch: its own
        decision now names the practice (rule ``solo_practice``) and its person -- the record it was until
        now, kept with its earlier rule -- is a mention of it, affiliated with the practice."""
        obs = ObsRow(listing.observation_id, listing.source_id, listing.location_key, "practitioner",
                     listing.source_url, listing.last_seen)
        person = final_id(listing.person_id, self.merged)
        self._relinks.append({"id": listing.link_id, "provider_id": host, "rule": SOLO_RULE, "score": 0.9,
                              "matched_provider_id": host, "created_at": self.now})
        self._relinked_obs[listing.link_id] = listing.observation_id
        self._link(person, obs, mention_key(_as_person(listing.record).key), listing.rule, listing.score, False,
                   None if listing.rule == "new" else person)
        self._affiliations[(host, person)] = {"role": None, "observation_id": obs.id}
        res.rules[SOLO_RULE] += 1
        res.attached += 1
        res.affected.update((host, person))

    def _flush_relinks(self, mapping: dict[int, int]) -> None:
        if not self._relinks:
            return
        for row in self._relinks:
            row["provider_id"] = row["matched_provider_id"] = mapping.get(row["provider_id"], row["provider_id"])
        self.s.execute(update(MatchLink), self._relinks)
        self.s.execute(update(Observation), [{"id": self._relinked_obs[r["id"]], "provider_id": r["provider_id"]}
                                             for r in self._relinks])
        self._relinks.clear()

    def _linked_kinds(self, rows: list[ObsRow], records: dict[int, ProviderItem], by_obs: dict,  # type: ignore[type-arg]
                      by_key: dict) -> dict[int, str]:  # type: ignore[type-arg]
        """Kinds of the providers that practitioner listings were linked to before (a solo practice or a
        person)."""
        ids = set()
        for obs in rows:
            if records[obs.id].kind == "practitioner" and obs.source_id not in self.evidence_only:
                for link in (by_obs.get((obs.id, None)), by_key.get((obs.source_id, obs.location_key, None))):
                    if link is not None:
                        ids.add(final_id(link.provider_id, self.merged))
        out: dict[int, str] = {}
        items = sorted(ids)
        for i in range(0, len(items), 900):
            for pid, kind in self.s.execute(select(Provider.id, Provider.kind)
                                            .where(ids_in(Provider.id, items[i:i + 900]))):
                out[pid] = kind
        return out

    def _flush_new(self) -> dict[int, int]:
        if not self._new_providers:
            return {}
        temps = sorted(self._new_providers, reverse=True)  # -1, -2, ... in creation order
        ids = reserve_provider_ids(self.s, len(temps))
        mapping = dict(zip(temps, ids, strict=True))
        rows = [{**self._new_providers[t], "id": mapping[t]} for t in temps]
        insert_rows(self.s, Provider.__table__, rows)
        self.created_rows.update({r["id"]: r for r in rows})
        self.clinics.remap(mapping, self._new_clinic_entries)
        self.people.remap(mapping)
        self._new_providers.clear()
        self._new_clinic_entries.clear()
        return mapping

    def _flush_affiliations(self, mapping: dict[int, int]) -> None:
        if not self._affiliations:
            return
        wanted = {(mapping.get(c, c), mapping.get(p, p)): v for (c, p), v in self._affiliations.items()}
        clinic_ids = sorted({c for c, _ in wanted})
        existing: dict[tuple[int, int], int] = {}
        for i in range(0, len(clinic_ids), 900):
            for aid, c, p in self.s.execute(select(Affiliation.id, Affiliation.clinic_id, Affiliation.practitioner_id)
                                            .where(ids_in(Affiliation.clinic_id, clinic_ids[i:i + 900]))):
                existing[(c, p)] = aid
        inserts, updates = [], []
        for (c, p), v in wanted.items():
            if (c, p) in existing:
                updates.append({"id": existing[(c, p)], "role": v["role"], "observation_id": v["observation_id"],
                                "last_seen": self.now})
            else:
                inserts.append({"clinic_id": c, "practitioner_id": p, "role": v["role"],
                                "observation_id": v["observation_id"], "last_seen": self.now})
        if inserts:
            self.s.execute(Affiliation.__table__.insert(), inserts)
        if updates:
            self.s.execute(update(Affiliation), updates)
        self._affiliations.clear()


def reserve_provider_ids(session: Session, n: int) -> list[int]:
    """``n`` fresh provider ids without a RETURNING round trip per row: from the id sequence on PostgreSQL
    (safe under concurrency); on SQLite, past the current maximum (SQLite has one writer at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT nextval(pg_get_serial_sequence('providers', 'id')) "
                                    "FROM generate_series(1, :n)"), {"n": n}).scalars().all()
        return [int(x) for x in rows]
    start = int(session.scalar(select(func.max(Provider.id))) or 0)
    return list(range(start + 1, start + n + 1))


def _as_person(rec: ProviderItem) -> Practitioner:
    return Practitioner(rec.name or "", list(rec.credentials), None, rec.npi)
