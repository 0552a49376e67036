"""Blocking indexes and match rules. Candidates come only from the same block (ZIP, else city + state, or the
same NPI), loaded lazily per batch, so the cost grows about linearly with the number of observations.

Clinic rules, strongest first: same valid NPI at a compatible place (a chain prints its organisation NPI on every
location: two different street addresses are two locations); a shared phone in the same ZIP (names not wildly
different, or the same known street: a solo practice listed under the person's name); the same registered domain
of the website (the site a directory links to) at a compatible street in the same ZIP or city;
fuzzy name (rapidfuzz token-set ratio >= 88) plus the same normalised street; the same website found across
ZIPs (a wrong or neighbouring ZIP printed) with a similar name in the same state; the same distinctive name when
one side prints no street. A street printed with or without
its suite is the same place; a shared phone at another street is another branch of a chain (a shared
call-centre line), never the same location. Two valid, different NPIs never merge. A practitioner listing may
join its practice (see :mod:`indexer.resolve.solo`). Practitioner rules: same valid NPI; same person name at the same clinic; same full name in the same
state with an overlapping credential category and no conflicting NPI; same full name in the same ZIP with no
conflicting NPI or licence (one side may print no credential).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in, in_chunks
from indexer.db.models import Affiliation, Credential, Provider
from indexer.observation import valid_npi
from indexer.resolve.distinct import NameWords
from kdir.common.address import street_key
from kdir.common.domains import registered_domain
from kdir.common.record import Practitioner, ProviderItem
from kdir.common.taxonomy import category

NAME_MIN = 88.0
STREET_MIN = 90.0
PHONE_NAME_MIN = 50.0
NAME_AREA_MIN = 95.0


@dataclass
class ClinicEntry:
    pid: int
    npi: str | None
    phones: frozenset[str]
    name: str
    street: str
    zip: str | None
    city: tuple[str, str] | None
    domain: str | None = None  # registered domain of its website
    region: str | None = None


def _house_number(street: str) -> str:
    first = street.split(" ", 1)[0] if street else ""
    return first if first[:1].isdigit() else ""


def _same_known_street(a: str, b: str) -> bool:
    """Both streets known and the same location."""
    return bool(a and b) and same_place(a, b)


_UNIT = re.compile(r"\s(?:ste|unit|apt|bldg|fl|rm)\b.*$")


@lru_cache(maxsize=65536)
def _building(street: str) -> str:
    """A street key without its unit: "4400 westheimer rd ste 300" -> "4400 westheimer rd"."""
    return _UNIT.sub("", street)


def same_place(a: str, b: str) -> bool:
    """Street keys that may be the same location (an unknown street is compatible with any): the same house
    number and street, whether or not a suite is printed ("4400 Westheimer Rd Ste 300" / "4400 Westheimer Rd")."""
    if not a or not b:
        return True
    if _house_number(a) != _house_number(b):
        return False
    return fuzz.ratio(a, b) >= STREET_MIN or fuzz.ratio(_building(a), _building(b)) >= STREET_MIN


def _name_area(name: str, street: str, block: list[ClinicEntry], distinctive: bool, phones: set[str],
               domain: str | None) -> tuple[int, str, float] | None:
    """The same name (ratio >= 95, not a part of it: "Evergreen" is not "Evergreen Boston") in the same ZIP or
    city when one side prints no street, and only one such clinic there (two are branches of a chain). A generic
    name ("Ketamine Wellness Center", see :mod:`indexer.resolve.distinct`) needs a second agreeing signal: a
    shared phone or the same website."""
    if not name:
        return None
    found = [e for e in block if (not street or not e.street) and fuzz.ratio(name, e.name) >= NAME_AREA_MIN]
    if len({e.pid for e in found}) != 1:
        return None
    e = found[0]
    if not (distinctive or phones & e.phones or (domain and domain == e.domain)):
        return None
    return e.pid, "name_area", 0.8


def _same_website_elsewhere(name: str, street: str, city: tuple[str, str] | None, npi: str | None,
                            same_site: list[ClinicEntry]) -> tuple[int, str, float] | None:
    """The clinic whose website is the listing's, found across ZIPs (a directory printing a wrong or a
    neighbouring ZIP): in the same state, a similar name (token-set ratio >= 88), no conflicting NPI, and the
    same street (house number and street) -- or, when one side prints no street, the same city. Exactly one
    such clinic: a chain's branches share a domain and have their own streets."""
    fits = {e.pid: e for e in same_site
            if not (npi and e.npi and npi != e.npi) and fuzz.token_set_ratio(name, e.name) >= NAME_MIN
            and ((street and e.street and same_place(street, e.street))
                 or ((not street or not e.street) and city is not None and city == e.city))}
    if len(fits) != 1:
        return None
    return next(iter(fits)), "website_name", 0.85


class ClinicIndex:
    def __init__(self) -> None:
        self.by_npi: dict[str, list[ClinicEntry]] = defaultdict(list)
        self.by_zip: dict[str, list[ClinicEntry]] = defaultdict(list)
        self.by_city: dict[tuple[str, str], list[ClinicEntry]] = defaultdict(list)
        self._zips: set[str] = set()
        self._npis: set[str] = set()
        self._cities: set[tuple[str, str]] = set()
        self._zipless_cities: set[str] = set()
        self._pids: set[int] = set()
        self._by_pid: dict[int, ClinicEntry] = {}
        self.by_domain: dict[str, list[ClinicEntry]] = defaultdict(list)
        self._website_states: set[str] = set()
        self.words = NameWords()

    def load(self, session: Session, records: Iterable[ProviderItem]) -> None:
        """Load the blocks of ``records`` (clinic listings, and practitioner listings looking for their
        practice)."""
        zips, npis, cities, zipless, states = set(), set(), set(), set(), set()
        for r in records:
            if r.address and r.address.region and r.address.region not in self._website_states \
                    and registered_domain(r.website):
                states.add(r.address.region)
            if r.zip and r.zip not in self._zips:
                zips.add(r.zip)
            if r.zip and r.address and r.address.city and r.address.city not in self._zipless_cities:
                zipless.add(r.address.city)
            if (n := valid_npi(r.npi)) and n not in self._npis:
                npis.add(n)
            if not r.zip and r.address and r.address.city and r.address.region:
                ck = (r.address.city, r.address.region)
                if ck not in self._cities:
                    cities.add(ck)
        cols = (Provider.id, Provider.npi, Provider.phones, Provider.match_name, Provider.street,
                Provider.postal_code, Provider.city, Provider.region, Provider.website)
        base = select(*cols).where(Provider.kind == "clinic", Provider.status != "merged")
        for chunk in in_chunks(zips):
            self._add_rows(session.execute(base.where(Provider.postal_code.in_(chunk))))
        for chunk in in_chunks(npis):
            self._add_rows(session.execute(base.where(Provider.npi.in_(chunk))))
        for chunk in in_chunks(c for c, _r in cities):
            self._add_rows(session.execute(base.where(Provider.city.in_(chunk))))
        for chunk in in_chunks(zipless):  # listings printed without a ZIP, in the cities of these records
            self._add_rows(session.execute(base.where(Provider.city.in_(chunk), Provider.postal_code.is_(None))))
        for chunk in in_chunks(states):  # the clinics with a website in these states, met by domain across ZIPs
            self._add_rows(session.execute(base.where(Provider.region.in_(chunk), Provider.website.is_not(None))))
        self._website_states |= states
        self._zipless_cities |= zipless
        self._zips |= zips
        self._npis |= npis
        self._cities |= cities

    def _add_rows(self, rows: Iterable) -> None:  # type: ignore[type-arg]
        for row in rows:
            if row.id in self._pids:
                continue
            self.add(ClinicEntry(row.id, valid_npi(row.npi), frozenset(row.phones or ()), row.match_name or "",
                                 street_key(row.street), row.postal_code,
                                 (row.city, row.region) if row.city and row.region else None,
                                 registered_domain(row.website), row.region))

    @property
    def pids(self) -> set[int]:
        return self._pids

    def name_of(self, pid: int) -> str:
        """Match name of a clinic of the index."""
        e = self._by_pid.get(pid)
        return e.name if e else ""

    def domain_of(self, pid: int) -> str | None:
        """Registered domain of the website of a clinic of the index."""
        e = self._by_pid.get(pid)
        return e.domain if e else None

    def add(self, e: ClinicEntry) -> None:
        self._pids.add(e.pid)
        self._by_pid[e.pid] = e
        self.words.add(e.name)
        if e.domain:
            self.by_domain[e.domain].append(e)
        if e.npi:
            self.by_npi[e.npi].append(e)
        if e.zip:
            self.by_zip[e.zip].append(e)
        if e.city:
            self.by_city[e.city].append(e)

    def match(self, r: ProviderItem, registry: bool = False) -> tuple[int, str, float] | None:
        """``registry``: the record's address is often a mailing address (a registry's): an NPI carried by
        exactly one clinic matches it wherever the record says it is, and a shared phone in the same ZIP needs
        no compatible street."""
        npi = valid_npi(r.npi)
        street = street_key(r.address.street if r.address else None)
        if npi:
            same = self.by_npi.get(npi, [])
            for e in same:
                if same_place(street, e.street):
                    return e.pid, "npi", 1.0
            if registry and len(same) == 1:
                return same[0].pid, "npi", 1.0
        city = self.by_city.get((r.address.city, r.address.region), []) if r.address and r.address.city \
            and r.address.region else []
        # The same ZIP, with the listings of the same city printed without one; the same city without a ZIP.
        block = [*self.by_zip.get(r.zip, []), *(e for e in city if not e.zip)] if r.zip else city
        phones = set(r.phones)
        domain = registered_domain(r.website)
        best: tuple[int, str, float] | None = None
        for e in block:
            if npi and e.npi and npi != e.npi:
                continue
            name_score = fuzz.token_set_ratio(r.match_name, e.name)
            shared_phone = bool(phones and phones & e.phones)
            if shared_phone and (registry or same_place(street, e.street)) and (
                    name_score >= PHONE_NAME_MIN or _same_known_street(street, e.street)):
                # A solo practitioner's practice listed under the person's name shares phone and street.
                cand = (e.pid, "phone_zip", 0.95)
                if best is None or best[1] != "phone_zip":
                    best = cand
                continue
            if domain and domain == e.domain and same_place(street, e.street):
                # The website a directory links to: a chain's other branch has another street.
                if best is None or best[1] == "name_address":
                    best = (e.pid, "website", 0.9)
                continue
            if street and e.street and name_score >= NAME_MIN and _house_number(street) == _house_number(e.street):
                street_score = max(fuzz.ratio(street, e.street),
                                   fuzz.ratio(_building(street), _building(e.street)))
                if street_score >= STREET_MIN:
                    score = round((name_score + street_score) / 200.0, 3)
                    if best is None or (best[1] == "name_address" and score > best[2]):
                        best = (e.pid, "name_address", score)
        region = r.address.region if r.address else None
        if best is None and domain and region:
            same_site = [e for e in self.by_domain.get(domain, []) if e.region == region]
            cityk = (r.address.city, region) if r.address and r.address.city else None
            best = _same_website_elsewhere(r.match_name, street, cityk, npi, same_site)
        if best is None and not registry:
            distinctive = self.words.distinctive(r.match_name, r.address.city if r.address else None, region)
            best = _name_area(r.match_name, street, block, distinctive, phones, domain)
        return best

    def remap(self, mapping: dict[int, int], entries: list[ClinicEntry]) -> None:
        """Give entries created in this batch their real ids (they were added with temporary negative ids)."""
        for e in entries:
            if e.pid < 0:
                self._by_pid.pop(e.pid, None)
                e.pid = mapping[e.pid]
                self._pids.add(e.pid)
                self._by_pid[e.pid] = e

    def entry_for(self, pid: int, r: ProviderItem) -> ClinicEntry:
        city = (r.address.city, r.address.region) if r.address and r.address.city and r.address.region else None
        return ClinicEntry(pid, valid_npi(r.npi), frozenset(r.phones), r.match_name,
                           street_key(r.address.street if r.address else None), r.zip, city,
                           registered_domain(r.website), r.address.region if r.address else None)


@dataclass
class PersonEntry:
    pid: int
    npi: str | None
    cats: set[str]


class PractitionerIndex:
    def __init__(self) -> None:
        self.by_npi: dict[str, PersonEntry] = {}
        self.by_name_state: dict[tuple[str, str], list[PersonEntry]] = defaultdict(list)
        self.by_name_zip: dict[tuple[str, str], list[PersonEntry]] = defaultdict(list)
        self.by_clinic: dict[tuple[int, str], PersonEntry] = {}
        self._temp_clinic_keys: list[tuple[int, str]] = []
        self._keys: set[str] = set()
        self._npis: set[str] = set()
        self._clinics: set[int] = set()
        self._entries: dict[int, PersonEntry] = {}

    def load(self, session: Session, people: Iterable[tuple[str, str | None]], clinic_ids: Iterable[int]) -> None:
        keys, npis = set(), set()
        for key, npi in people:
            if key not in self._keys:
                keys.add(key)
            if (n := valid_npi(npi)) and n not in self._npis:
                npis.add(n)
        clinics = {c for c in clinic_ids if c > 0 and c not in self._clinics}
        base = select(Provider.id, Provider.npi, Provider.match_name, Provider.region, Provider.postal_code).where(
            Provider.kind == "practitioner", Provider.status != "merged")
        new_ids: list[int] = []
        for chunk in in_chunks(keys):
            new_ids += self._add_rows(session.execute(base.where(Provider.match_name.in_(chunk))))
        for chunk in in_chunks(npis):
            new_ids += self._add_rows(session.execute(base.where(Provider.npi.in_(chunk))))
        ids = sorted(clinics)
        for i in range(0, len(ids), 900):
            rows = session.execute(select(Affiliation.clinic_id, Affiliation.practitioner_id, Provider.match_name)
                                   .join(Provider, Provider.id == Affiliation.practitioner_id)
                                   .where(ids_in(Affiliation.clinic_id, ids[i:i + 900])))
            for clinic_id, prac_id, key in rows:
                entry = self._entries.get(prac_id)
                if entry is None:
                    self.add(prac_id, key, None, None, set())
                    new_ids.append(prac_id)
                    entry = self._entries[prac_id]
                self.by_clinic.setdefault((clinic_id, key), entry)
        for i in range(0, len(new_ids), 900):
            for pid, code in session.execute(select(Credential.provider_id, Credential.credential)
                                             .where(ids_in(Credential.provider_id, new_ids[i:i + 900]))):
                if (cat := category(code)) and pid in self._entries:
                    self._entries[pid].cats.add(cat)
        self._keys |= keys
        self._npis |= npis
        self._clinics |= clinics

    def _add_rows(self, rows: Iterable) -> list[int]:  # type: ignore[type-arg]
        added = []
        for row in rows:
            if row.id in self._entries:
                continue
            self.add(row.id, row.match_name or "", row.region, row.npi, set(), row.postal_code)
            added.append(row.id)
        return added

    def add(self, pid: int, key: str, region: str | None, npi: str | None, cats: set[str],
            zip_code: str | None = None) -> None:
        entry = PersonEntry(pid, valid_npi(npi), cats)
        self._entries[pid] = entry
        if entry.npi:
            self.by_npi.setdefault(entry.npi, entry)
        if region:
            self.by_name_state[(key, region)].append(entry)
        if zip_code:
            self.by_name_zip[(key, zip_code)].append(entry)

    def match(self, p: Practitioner, clinic_id: int | None, region: str | None,
              zip_code: str | None = None) -> tuple[int, str, float] | None:
        npi = valid_npi(p.npi)
        if npi and npi in self.by_npi:
            return self.by_npi[npi].pid, "npi", 1.0
        if clinic_id is not None and (clinic_id, p.key) in self.by_clinic:
            entry = self.by_clinic[(clinic_id, p.key)]
            if not (npi and entry.npi and entry.npi != npi):
                return entry.pid, "name_address", 0.95
        cats = {c for c in map(category, p.credentials) if c}
        if region and cats:
            for e in self.by_name_state.get((p.key, region), []):
                if npi and e.npi and e.npi != npi:
                    continue
                if e.cats & cats:
                    return e.pid, "name_state", 0.85
        if zip_code:  # the same full name in the same ZIP: one person unless their licences disagree
            for e in self.by_name_zip.get((p.key, zip_code), []):
                if (npi and e.npi and e.npi != npi) or (cats and e.cats and not cats & e.cats):
                    continue
                return e.pid, "name_zip", 0.8
        return None

    def note(self, pid: int, p: Practitioner, clinic_id: int | None, region: str | None,
             zip_code: str | None = None) -> None:
        """Remember a practitioner resolved in this batch (new or matched) for later observations."""
        entry = self._entries.get(pid)
        cats = {c for c in map(category, p.credentials) if c}
        if entry is None:
            self.add(pid, p.key, region, p.npi, cats, zip_code)
        else:
            entry.cats |= cats
            if (n := valid_npi(p.npi)) and not entry.npi:
                entry.npi = n
                self.by_npi.setdefault(n, entry)
            if region and entry not in self.by_name_state[(p.key, region)]:
                self.by_name_state[(p.key, region)].append(entry)
            if zip_code and entry not in self.by_name_zip[(p.key, zip_code)]:
                self.by_name_zip[(p.key, zip_code)].append(entry)
        if clinic_id is not None and (clinic_id, p.key) not in self.by_clinic:
            self.by_clinic[(clinic_id, p.key)] = self._entries[pid]
            if clinic_id < 0:
                self._temp_clinic_keys.append((clinic_id, p.key))

    def remap(self, mapping: dict[int, int]) -> None:
        """Replace the temporary (negative) ids of providers created in this batch by their real ids."""
        for entry in list(self._entries.values()):
            if entry.pid < 0:
                del self._entries[entry.pid]
                entry.pid = mapping[entry.pid]
                self._entries[entry.pid] = entry
        for key in self._temp_clinic_keys:
            entry = self.by_clinic.pop(key)
            self.by_clinic[(mapping[key[0]], key[1])] = entry
        self._temp_clinic_keys.clear()


