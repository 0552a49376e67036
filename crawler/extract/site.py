"""``combine_site``: merge one site's PageFacts into one ProviderItem per location.

Structured data beats heuristics. Only the site's own pages count (blog/news posts never do), and a site is a
ketamine-therapy provider only on a positive, non-negated ketamine mention on its home, about, services or
pricing pages.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from crawler.extract.facts import PageFacts, StructuredEntity
from crawler.extract.practitioners import clean_name, practitioner_from_parts
from crawler.extract.prices import best_price
from crawler.extract.schema_map import ORG_TYPES
from kdir.common.record import Address, Kind, Practitioner, ProviderFacts, ProviderItem, Review
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

EVIDENCE_KINDS = frozenset({"home", "about", "services", "pricing"})
_DIRECTIONS = frozenset({"n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"})
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth", "twentieth")
_ORDINALS = {w: f"{i}{'th' if 10 < i < 14 else {1: 'st', 2: 'nd', 3: 'rd'}.get(i % 10, 'th')}"
             for i, w in enumerate(_ORDINAL_WORDS, start=1)}
_NOT_LOCATION = re.compile(r"\b(?:mailing|billing|corporate|headquarters|remit|payment)\b", re.I)
_CLINIC_WORDS = re.compile(r"\b(?:clinic|center|centre|institute|wellness|health|associates|group|llc|inc|"
                           r"medical|partners|therapy|therapeutics|infusions?|ketamine|psychiatry)\b", re.I)


@dataclass(kw_only=True)
class _Loc(ProviderFacts):
    """One location of a site while its pages are combined: its facts, and where they came from."""

    source_url: str
    label: str | None = None
    structured: bool = False
    own_page: str | None = None  # URL of the page about this location only
    zip_ok: bool | None = None
    staff: list[str] = field(default_factory=list)  # names of the people its structured data lists (employee)


def address_key(addr: Address) -> str:
    """Key that survives spelling variants: house number + first street word + ZIP5 (or city/state)."""
    words = re.findall(r"[a-z0-9]+", (addr.street or "").lower())
    number = next((w for w in words if w[0].isdigit()), "")
    rest = [w for w in words if w != number and w not in _DIRECTIONS]
    first = _ORDINALS.get(rest[0], rest[0]) if rest else ""
    place = (addr.postal_code or "")[:5] or f"{(addr.city or '').lower()}-{(addr.region or '').lower()}"
    return f"{number}-{first}-{place}".strip("-")


def is_provider(pages: Sequence[PageFacts]) -> bool:
    """Positive, non-negated ketamine evidence on the site's own home/about/services/pricing pages."""
    return any(p.page_kind in EVIDENCE_KINDS and p.positive_ketamine for p in pages)


def combine_site(pages: Sequence[PageFacts], *, source: str, site_url: str, fetched_at: datetime) -> list[ProviderItem]:
    """One ProviderItem per location of a ketamine-therapy provider's site; [] when it is not one."""
    good = [p for p in pages if p.error is None]
    own = [p for p in good if p.page_kind != "blog"]
    if not own or not is_provider(own):
        return []
    host = _host(site_url)

    codes = _codes(own)
    people = _practitioners(own)
    site_name = _site_name(own, host)
    payers: list[str] = []
    for p in own:
        payers += [x for x in p.insurance if x not in payers]
    accepts = [p.accepts_insurance for p in own if p.accepts_insurance is not None]
    if True in accepts:
        codes["services"].add("accepts_insurance")
    else:
        payers = [] if accepts else payers
        codes["services"].discard("accepts_insurance")
    tele = [p.telehealth for p in own if p.telehealth is not None]
    telehealth = True if True in tele else (False if tele else None)
    if telehealth:
        codes["services"].add("telehealth")
    else:
        codes["services"].discard("telehealth")
    price = best_price(pr for p in own if p.page_kind != "blog" for pr in p.prices)
    phones = _ranked([ph for p in own for ph in p.phones])
    emails = _ranked([e for p in own for e in p.emails])
    site_rating = next((p.rating for p in own if p.rating), None)
    all_reviews = _dedupe_reviews([r for p in own for r in p.reviews])

    locations = _locations(own)
    kind, person = _kind(own, people, site_name)
    all_npis = _ranked([n for p in own for n in p.npis])
    person_npis = {p.npi for p in people if p.npi}

    items: list[ProviderItem] = []
    multi = len(locations) > 1
    if not locations:
        home = next((p for p in own if p.page_kind == "home"), own[0])
        locations = [_Loc(address=None, source_url=home.url)]
    for loc in locations:
        item_phones = loc.phones or ([] if multi else phones[:3])
        if multi and not item_phones and phones:
            item_phones = phones[:1]
        name = site_name
        if kind == "practitioner" and person is not None:
            # the practice name when the site has one ("Blue Ridge Ketamine Psychotherapy"), else the person
            last = person.name.split()[-1].casefold()
            if not site_name or site_name == host or last in site_name.casefold():
                name = person.name
        elif multi:
            if loc.name and sum(1 for x in locations if x.name == loc.name) == 1:
                name = loc.name
            else:
                label = loc.label if loc.label and loc.label.lower() != (site_name or "").lower() else None
                suffix = label or (loc.address.city if loc.address else None)
                if suffix and site_name and site_name.lower() in suffix.lower():
                    name = suffix  # the label already is a full name
                elif suffix and suffix.lower() not in (site_name or "").lower():
                    name = f"{site_name} \u2013 {suffix}" if site_name else suffix
        npi = loc.npi
        if npi is None and kind == "practitioner" and person is not None:
            npi = person.npi
        if npi is None:
            org_npis = [n for n in all_npis if n not in person_npis]
            if len(org_npis) == 1:
                npi = org_npis[0]
        reviews = loc.reviews or ([] if multi else all_reviews)
        items.append(ProviderItem(
            source=source, source_url=loc.source_url, fetched_at=fetched_at, kind=kind, name=name,
            website=site_url, phones=item_phones, email=loc.email or (emails[0] if emails else None),
            address=loc.address, geo=loc.geo or (next((p.geo for p in own if p.geo), None) if not multi else None),
            npi=npi, modalities=_ordered(_local_codes(codes["modalities"], loc, own, locations), MODALITIES),
            conditions=_ordered(codes["conditions"], CONDITIONS), services=_ordered(codes["services"], SERVICES),
            practitioners=[Practitioner(x.name, list(x.credentials), x.role, x.npi) for x in _staff(people, loc, multi)],
            rating=loc.rating or (site_rating if not multi else None), reviews=reviews, price=price,
            insurance=list(payers), telehealth=telehealth,
            location_key=_location_key(host, loc, multi),
        ))
    return items


def _staff(people: list[Practitioner], loc: _Loc, multi: bool) -> list[Practitioner]:
    """A chain location whose structured data lists its own staff gets those people; others get everyone."""
    if not multi or not loc.staff:
        return people
    names = {n.casefold() for n in loc.staff}
    return [x for x in people if x.name.casefold() in names] or people


def _local_codes(codes: set[str], loc: _Loc, own: Sequence[PageFacts], locations: list[_Loc]) -> set[str]:
    """Codes of one location of a chain: a code that some location pages affirm belongs only to those
    locations ("IM ketamine in Boston and Cambridge"); codes no location page mentions apply to all."""
    if len(locations) < 2 or loc.own_page is None:
        return codes
    pages = {p.url: p for p in own}
    loc_pages = [pages[x.own_page] for x in locations if x.own_page in pages]
    out = set()
    for code in codes:
        affirming = {p.url for p in loc_pages for ev in p.evidence if ev.code == code and not ev.negated}
        if not affirming or loc.own_page in affirming:
            out.add(code)
    return out


def _host(url: str) -> str:
    """Lower-case host name without "www." (the URL itself when it cannot be parsed)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return (host or url).lower().removeprefix("www.")


def _ordered(codes: set[str], vocab: Sequence[str]) -> list[str]:
    return [c for c in vocab if c in codes]


def _ranked(values: list[str]) -> list[str]:
    counts = Counter(values)
    first = {v: i for i, v in reversed(list(enumerate(values)))}
    return sorted(counts, key=lambda v: (-counts[v], first[v]))


def _codes(own: Sequence[PageFacts]) -> dict[str, set[str]]:
    positive: dict[str, set[str]] = {"modality": set(), "condition": set(), "service": set()}
    negated: set[str] = set()
    for p in own:
        for ev in p.evidence:
            if ev.negated:
                negated.add(ev.code)
            else:
                positive[ev.kind].add(ev.code)
    return {
        "modalities": positive["modality"] - negated,
        "conditions": positive["condition"] - negated,
        "services": positive["service"] - negated,
    }


def _person_key(name: str) -> str:
    toks = [t for t in re.findall(r"[^\W\d_]+", name.casefold()) if len(t) > 1]
    return f"{toks[0]}|{toks[-1]}" if len(toks) >= 2 else name.casefold()


def _practitioners(own: Sequence[PageFacts]) -> list[Practitioner]:
    merged: dict[str, Practitioner] = {}
    for p in sorted(own, key=lambda x: x.page_kind != "team"):
        for person in p.practitioners:
            key = _person_key(person.name)
            have = merged.get(key)
            if have is None:
                merged[key] = Practitioner(person.name, list(person.credentials), person.role, person.npi)
                continue
            have.credentials += [c for c in person.credentials if c not in have.credentials]
            have.role = have.role or person.role
            have.npi = have.npi or person.npi
    return list(merged.values())


def _site_name(own: Sequence[PageFacts], host: str) -> str | None:
    home = next((p for p in own if p.page_kind == "home"), None)
    og = Counter(c.name for p in own for c in p.names if c.origin == "og:site_name")
    if home is not None:
        names = [c.name for c in home.names if c.origin == "structured"]
        if len(names) == 1:
            return names[0]
        if names:  # several locations on the home page: the brand is og:site_name or their common prefix
            if og:
                return og.most_common(1)[0][0]
            prefix = os.path.commonprefix(names).rstrip(" -\u2013\u2014|,:")
            return prefix if len(prefix) >= 4 else names[0]
    if og:
        return og.most_common(1)[0][0]
    structured = Counter(c.name for p in own for c in p.names if c.origin == "structured")
    if structured:
        return structured.most_common(1)[0][0]
    logos = Counter(c.name for p in own for c in p.names if c.origin == "logo")
    if logos:
        return logos.most_common(1)[0][0]
    titles = Counter(c.name for p in own for c in p.names if c.origin == "title")
    if titles:
        name, count = titles.most_common(1)[0]
        if count >= 2 or len(own) == 1:
            return name
    holders = Counter(c.name for p in own for c in p.names if c.origin == "copyright")
    if holders:
        return holders.most_common(1)[0][0]
    if home:
        for c in home.names:
            if c.origin in ("title", "h1"):
                return c.name
    return host


def _kind(own: Sequence[PageFacts], people: list[Practitioner], site_name: str | None) -> tuple[Kind, Practitioner | None]:
    """"practitioner" for a solo practitioner's site, else "clinic"."""
    ents = [e for p in own for e in p.entities]
    persons = [e for e in ents if e.is_person or ("Physician" in e.types and clean_name(e.name or "")
                                                   and not _CLINIC_WORDS.search(e.name or ""))]
    # any organisation node that is not one of those persons (a Yoast "Organization" included) means a practice
    clinic_typed = any(set(e.types) & (ORG_TYPES - {"Place"}) and not e.is_person and all(e is not x for x in persons)
                       for e in ents)
    if persons and not clinic_typed:
        names = {_person_key(e.practitioners[0].name if e.practitioners else (e.name or "")) for e in persons}
        if len(names) == 1:
            key = names.pop()
            person = next((x for x in people if _person_key(x.name) == key), None)
            if person is None:
                e = persons[0]
                person = e.practitioners[0] if e.practitioners else practitioner_from_parts(e.name or "")
            if person is not None and person.name and len(people) <= 2:
                return "practitioner", person
    if len(people) == 1:
        last = people[0].name.split()[-1].casefold()
        named_after = bool(site_name) and last in (site_name or "").casefold() and not _CLINIC_WORDS.search(site_name or "")
        # one clinician who writes in the first person ("I offer ...", "my practice") runs a solo practice
        voice = sum(p.first_person for p in own if p.page_kind in ("home", "about", "services"))
        if named_after or voice >= 2:
            return "practitioner", people[0]
    return "clinic", None


def _locations(own: Sequence[PageFacts]) -> list[_Loc]:
    locs: dict[str, _Loc] = {}
    for p in own:
        for e in p.entities:
            if e.address is None or e.is_person:
                continue
            _add_structured(locs, e, p)
    for p in own:
        for la in p.addresses:
            if la.label and _NOT_LOCATION.search(la.label):
                continue
            key = address_key(la.address)
            have = locs.get(key)
            if have is None:
                locs[key] = _Loc(address=la.address, source_url=p.url, label=la.label,
                                 phones=[la.phone] if la.phone else [], zip_ok=la.zip_state_ok)
                if p.page_kind == "locations" and sum(1 for x in p.addresses) == 1 and p.geo:
                    locs[key].geo = p.geo
                continue
            _fill_missing(have.address, la.address)
            if la.label and (not have.label or (len(la.label), la.label) < (len(have.label), have.label)):
                have.label = la.label  # the shortest label wins, whatever the page order
            if la.phone and la.phone not in have.phones and not have.structured:
                have.phones.append(la.phone)
            if p.page_kind == "locations" and len(p.addresses) == 1:
                have.source_url = have.source_url if have.structured else p.url
    for p in own:
        if p.page_kind == "home":
            continue
        keys = {address_key(e.address) for e in p.entities if e.address is not None and not e.is_person}
        keys |= {address_key(la.address) for la in p.addresses if not la.footer}
        if len(keys) == 1 and (key := keys.pop()) in locs and locs[key].own_page is None:
            locs[key].own_page = p.url
    out = list(locs.values())
    with_street = [x for x in out if x.address and x.address.street and not _is_box(x.address)]
    if with_street:
        out = with_street
    if len(out) > 1:
        checked = [x for x in out if x.zip_ok is not False]
        out = checked or out
    return out


def _is_box(addr: Address) -> bool:
    return bool(re.match(r"p\.?\s?o\.?\s+box", (addr.street or "").lower()))


def _add_structured(locs: dict[str, _Loc], e: StructuredEntity, p: PageFacts) -> None:
    assert e.address is not None
    key = address_key(e.address)
    have = locs.get(key)
    if have is None:
        locs[key] = _Loc(address=e.address, source_url=p.url, name=e.name, phones=list(e.phones), email=e.email,
                         geo=e.geo, npi=e.npi, rating=e.rating, reviews=list(e.reviews), structured=True,
                         staff=[x.name for x in e.practitioners])
        return
    have.staff += [x.name for x in e.practitioners if x.name not in have.staff]
    _fill_missing(have.address, e.address)
    have.name = have.name or e.name
    have.phones += [x for x in e.phones if x not in have.phones]
    have.email = have.email or e.email
    have.geo = have.geo or e.geo
    have.npi = have.npi or e.npi
    have.rating = have.rating or e.rating
    have.reviews = _dedupe_reviews(have.reviews + e.reviews)


def _fill_missing(have: Address | None, new: Address) -> None:
    if have is None:
        return
    for f in ("street", "city", "region", "postal_code"):
        if getattr(have, f) is None and getattr(new, f) is not None:
            setattr(have, f, getattr(new, f))


def _dedupe_reviews(reviews: list[Review]) -> list[Review]:
    seen: set[tuple[str | None, float | None]] = set()
    out: list[Review] = []
    for r in reviews:
        key = ((r.text or "")[:200].casefold() or None, r.rating if not r.text else None)
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def _location_key(host: str, loc: _Loc, multi: bool) -> str:
    if loc.address is not None and (loc.address.street or loc.address.postal_code):
        return f"{host}#{address_key(loc.address)}"
    if multi:
        try:
            path = urlsplit(loc.source_url).path.strip("/")
        except ValueError:
            path = loc.source_url
        return f"{host}#{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-') or 'main'}"
    return host
