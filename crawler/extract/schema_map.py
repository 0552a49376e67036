"""Map schema.org nodes and script-blob objects to :class:`StructuredEntity` facts."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from crawler.extract.addresses import normalize_zip, parse_address
from crawler.extract.facts import StructuredEntity
from crawler.extract.npi import clean_npi
from crawler.extract.practitioners import practitioner_from_parts
from crawler.extract.reviews import number, rating_from, review_from
from crawler.extract.structured import strip_type
from crawler.extract.text import clean_fragment
from kdir.common.emails import normalize_email
from kdir.common.phones import normalize_phone
from kdir.common.record import Address, Geo, Practitioner, Rating, Review
from kdir.common.us_states import state_code

ORG_TYPES = frozenset({
    "MedicalClinic", "MedicalBusiness", "LocalBusiness", "MedicalOrganization", "Physician", "Hospital",
    "HealthAndBeautyBusiness", "ProfessionalService", "Organization", "Corporation", "MedicalCenter",
    "Psychiatric", "PsychiatricClinic", "MentalHealthClinic", "Clinic", "HealthClub", "DaySpa",
    "IndividualPhysician", "PhysiciansOffice", "Pharmacy", "DiagnosticLab", "NGO", "Place",
})
PERSON_TYPES = frozenset({"Person", "Patient"})
_STAFF_KEYS = ("employee", "employees", "member", "members", "founder", "founders", "physician", "physicians",
               "provider", "providers", "medicalStaff", "staff", "author", "alumni")
_MAX_ENTITIES = 200
_PERSONLIKE = re.compile(r"^(?:Dr\.?\s+)?[^\W\d_][\w'\u2019.-]*(?:\s+[^\W\d_][\w'\u2019.-]*){1,4}(?:,\s*[A-Za-z.\-, ]{2,30})?$")
_CLINIC_WORDS = re.compile(r"\b(?:clinic|center|centre|institute|wellness|health|associates|group|llc|inc|pllc|"
                           r"medical|partners|therapy|therapeutics|infusions?|ketamine|psychiatry|practice|care)\b", re.I)


def text_of(value: Any, limit: int = 300) -> str | None:
    """A clean single string from a schema.org value (str, list, {"name"/"@value"}, HTML markup)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    t = clean_fragment(value[:5000])
    return t[:limit] or None


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def address_of(value: Any) -> Address | None:
    """Address from a PostalAddress dict (schema.org or common JS keys) or an address string."""
    if isinstance(value, list):
        for v in value:
            a = address_of(v)
            if a:
                return a
        return None
    if isinstance(value, str):
        return parse_address(clean_fragment(value[:400]))
    if not isinstance(value, dict):
        return None
    low = {str(k).lower().replace("_", ""): v for k, v in value.items()}

    def pick(*keys: str) -> str | None:
        for k in keys:
            t = text_of(low.get(k), 200)
            if t:
                return t
        return None

    street = pick("streetaddress", "street", "address1", "addressline1", "line1", "address")
    extra = pick("address2", "addressline2", "line2", "suite", "unit")
    if street and extra and extra not in street:
        street = f"{street}, {extra}"
    city = pick("addresslocality", "city", "locality", "town")
    region_raw = pick("addressregion", "state", "region", "statecode", "province")
    postal = normalize_zip(pick("postalcode", "zip", "zipcode", "postcode") or "")
    country = pick("addresscountry", "country", "countrycode")
    if country and country.strip().upper() not in ("US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "U.S."):
        return None
    region = state_code(region_raw)
    if street and not (city or region or postal):
        return parse_address(street)
    if not (street or city or postal):
        return None
    if street:
        street = " ".join(street.replace("\n", ", ").split()).strip(" ,")
    return Address(street=street, city=city, region=region, postal_code=postal, country="US")


def geo_of(value: Any) -> Geo | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    low = {str(k).lower(): v for k, v in value.items()}
    lat = number(low.get("latitude", low.get("lat")))
    lon = number(low.get("longitude", low.get("lng", low.get("lon"))))
    return make_geo(lat, lon)


def make_geo(lat: float | None, lon: float | None) -> Geo | None:
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return Geo(lat=lat, lon=lon)


def npi_of(node: dict[str, Any]) -> str | None:
    for key in ("usNPI", "npi", "NPI"):
        n = clean_npi(text_of(node.get(key)) if not isinstance(node.get(key), int) else node.get(key))
        if n:
            return n
    for ident in _values(node.get("identifier")):
        if isinstance(ident, dict) and "npi" in str(ident.get("propertyID") or ident.get("name") or "").lower():
            n = clean_npi(text_of(ident.get("value")))
            if n:
                return n
    return None


def person_of(value: Any) -> Practitioner | None:
    if isinstance(value, str):
        return practitioner_from_parts(value)
    if not isinstance(value, dict):
        return None
    types = strip_type(value.get("@type"))
    if types and not (set(types) & (PERSON_TYPES | {"Physician"})):
        return None
    name = text_of(value.get("name"), 120)
    if not name and (value.get("givenName") or value.get("familyName")):
        name = " ".join(filter(None, (text_of(value.get("givenName"), 60), text_of(value.get("familyName"), 60))))
    if not name:
        return None
    return practitioner_from_parts(
        name, suffix=text_of(value.get("honorificSuffix")) or text_of(value.get("hasCredential")),
        job_title=text_of(value.get("jobTitle"), 80), npi=npi_of(value),
    )


def _services(node: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in ("availableService", "medicalSpecialty", "knowsAbout", "serviceType", "healthcareReportingData"):
        for v in _values(node.get(key))[:100]:
            t = text_of(v, 200)
            if t:
                t = re.sub(r"^https?://(?:www\.)?schema\.org/", "", t)
                if t not in out:
                    out.append(t)
    for key in ("hasOfferCatalog", "makesOffer"):
        for cat in _values(node.get(key))[:20]:
            for offer in _values(cat.get("itemListElement") if isinstance(cat, dict) else None) + [cat]:
                if isinstance(offer, dict):
                    t = text_of(offer.get("itemOffered")) or text_of(offer.get("name"))
                    if t and t not in out:
                        out.append(t)
    return out


def entities_from_nodes(nodes: list[dict[str, Any]], *, page_url: str) -> list[StructuredEntity]:
    """One entity per organisation/person node, and one per extra address or ``location`` of a node."""
    out: list[StructuredEntity] = []
    for node in nodes:
        if len(out) >= _MAX_ENTITIES:
            break
        types = strip_type(node.get("@type"))
        tset = set(types)
        is_person = bool(tset & PERSON_TYPES) and not (tset & ORG_TYPES)
        if not (tset & ORG_TYPES or is_person or any(t.endswith(("Clinic", "Business")) for t in types)):
            continue
        if tset == {"Place"} and not node.get("address"):
            continue
        base = _entity(node, types, is_person, page_url)
        if base is None:
            continue
        addresses = [a for a in (address_of(v) for v in _values(node.get("address"))[:50]) if a]
        locs = [v for v in _values(node.get("location"))[:50] if isinstance(v, dict | str)]
        extra: list[StructuredEntity] = []
        for a in addresses[1:]:
            extra.append(_copy(base, address=a))
        for loc in locs:
            la = address_of(loc.get("address") if isinstance(loc, dict) else loc)
            if la is None and isinstance(loc, dict):
                la = address_of(loc)
            if la is None:
                continue
            e = _copy(base, address=la)
            if isinstance(loc, dict):
                e.name = text_of(loc.get("name")) or base.name
                e.phones = [p for p in (normalize_phone(text_of(t) or "") for t in _values(loc.get("telephone"))) if p] or base.phones
                e.geo = geo_of(loc.get("geo")) or None
            extra.append(e)
        if base.address is None and extra:
            out.extend(extra)
            if base.practitioners or base.rating or base.reviews or base.npi:
                out.append(base)
        else:
            out.append(base)
            out.extend(extra)
    return out


def _copy(base: StructuredEntity, *, address: Address) -> StructuredEntity:
    return replace(base, types=list(base.types), phones=list(base.phones), address=address, geo=None, rating=None,
                   reviews=[], practitioners=list(base.practitioners), service_names=list(base.service_names))


def _entity(node: dict[str, Any], types: list[str], is_person: bool, page_url: str) -> StructuredEntity | None:
    name = text_of(node.get("name"), 200) or text_of(node.get("legalName"), 200) or text_of(node.get("alternateName"), 200)
    phones: list[str] = []
    for t in _values(node.get("telephone"))[:20] + _values(node.get("phone"))[:5]:
        p = normalize_phone(text_of(t) or "")
        if p and p not in phones:
            phones.append(p)
    email = None
    for e in _values(node.get("email"))[:5]:
        email = normalize_email(text_of(e) or "")
        if email:
            break
    addresses = [a for a in (address_of(v) for v in _values(node.get("address"))[:50]) if a]
    practitioners: list[Practitioner] = []
    for key in _STAFF_KEYS:
        for v in _values(node.get(key))[:200]:
            person = person_of(v)
            if person and all(person.name != q.name for q in practitioners):
                practitioners.append(person)
    reviews = [r for r in (review_from(v, url=page_url) for v in _values(node.get("review"))[:200] + _values(node.get("reviews"))[:200]) if r]
    npi = npi_of(node)
    if not is_person and "Physician" in types and name and _PERSONLIKE.match(name) \
            and not _CLINIC_WORDS.search(name):
        me = practitioner_from_parts(name, suffix=text_of(node.get("honorificSuffix")), npi=npi)
        if me is not None and all(me.name != q.name for q in practitioners):
            practitioners.insert(0, me)
    if is_person:
        me = person_of(node)
        if me is None:
            return None
        practitioners.insert(0, me)
        name = me.name
    if not (name or phones or addresses or practitioners):
        return None
    return StructuredEntity(
        types=types, name=name, website=text_of(node.get("url"), 500), phones=phones, email=email,
        address=addresses[0] if addresses else None, geo=geo_of(node.get("geo")), npi=npi,
        rating=rating_from(node.get("aggregateRating")), reviews=reviews, practitioners=practitioners,
        price_range=text_of(node.get("priceRange"), 100), service_names=_services(node), is_person=is_person,
    )


def _blob_rating(value: Any) -> Rating | None:
    """Rating from a JS object such as {avg: 4.9, count: 58} or {value: 4.5, reviews: 12}."""
    if not isinstance(value, dict):
        n = number(value)
        return Rating(value=n) if n is not None and 0 <= n <= 5 else None
    low = {str(k).lower(): v for k, v in value.items()}
    val = next((number(low[k]) for k in ("ratingvalue", "avg", "average", "value", "score", "stars") if k in low), None)
    if val is None:
        return None
    cnt = next((number(low[k]) for k in ("reviewcount", "ratingcount", "count", "reviews", "total") if k in low), None)
    return rating_from({"ratingValue": val, "reviewCount": cnt, "bestRating": low.get("best") or low.get("bestrating")})


_BLOB_ADDRESS_KEYS = ("address", "streetaddress", "street", "address1", "city", "zip", "zipcode", "postalcode")
_BLOB_PHONE_KEYS = ("phone", "telephone", "phonenumber", "tel")


def entities_from_blobs(blobs: list[Any], *, page_url: str) -> list[StructuredEntity]:
    """Clinic-like objects in script data (keys such as name + address/phone), without schema.org types."""
    out: list[StructuredEntity] = []
    stack: list[tuple[Any, int]] = [(b, 0) for b in blobs]
    visited = 0
    while stack and len(out) < 50 and visited < 20000:
        value, depth = stack.pop()
        visited += 1
        if depth > 10:
            continue
        if isinstance(value, list):
            stack.extend((v, depth + 1) for v in value[:500])
            continue
        if not isinstance(value, dict):
            continue
        if "@type" not in value:
            low = {str(k).lower().replace("_", ""): v for k, v in value.items()}
            has_addr = any(k in low for k in _BLOB_ADDRESS_KEYS)
            has_phone = any(k in low for k in _BLOB_PHONE_KEYS)
            name = text_of(low.get("name") or low.get("title") or low.get("clinicname") or low.get("locationname"), 200)
            if name and (has_addr or has_phone):
                addr = address_of(low.get("address")) if "address" in low else address_of(value)
                phones = [p for p in (normalize_phone(text_of(low.get(k)) or "") for k in _BLOB_PHONE_KEYS) if p]
                lat = number(low.get("lat", low.get("latitude")))
                lon = number(low.get("lng", low.get("lon", low.get("longitude"))))
                rating = rating_from(low.get("aggregaterating")) or _blob_rating(low.get("rating"))
                if addr or phones:
                    out.append(StructuredEntity(
                        types=["ScriptData"], name=name, website=text_of(low.get("url"), 500), phones=phones,
                        email=normalize_email(text_of(low.get("email")) or ""), address=addr,
                        geo=make_geo(lat, lon) or geo_of(low.get("geo")) or geo_of(low.get("coordinates")),
                        npi=npi_of(value), rating=rating,
                    ))
                    continue
        stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
    out.reverse()
    return out


_PERSON_KEYS = ("credentials", "credential", "creds", "suffix", "degree", "degrees", "jobtitle", "role",
                "position", "npi", "specialty")
_REVIEW_TEXT_KEYS = ("reviewbody", "text", "body", "review", "comment", "content", "quote", "testimonial")
_REVIEW_RATING_KEYS = ("rating", "stars", "score", "ratingvalue")


def people_and_reviews_from_blobs(blobs: list[Any], *, page_url: str) -> tuple[list[Practitioner], list[Review]]:
    """Staff objects ({name, credentials, title, npi}) and reviews ({rating, text, author}) in script data."""
    people: list[Practitioner] = []
    reviews: list[Review] = []
    stack: list[tuple[Any, int]] = [(b, 0) for b in blobs]
    visited = 0
    while stack and visited < 20000 and len(people) < 200 and len(reviews) < 200:
        value, depth = stack.pop()
        visited += 1
        if depth > 10:
            continue
        if isinstance(value, list):
            stack.extend((v, depth + 1) for v in reversed(value[:500]))
            continue
        if not isinstance(value, dict):
            continue
        low = {str(k).lower().replace("_", ""): v for k, v in value.items()}
        text = next((text_of(low[k], 4000) for k in _REVIEW_TEXT_KEYS if k in low and isinstance(low[k], str)), None)
        rating_key = next((k for k in _REVIEW_RATING_KEYS if k in low), None)
        if text and (rating_key or "quote" in low or "testimonial" in low):
            rating = number(low[rating_key]) if rating_key else None
            author = text_of(low.get("author") or low.get("name") or low.get("reviewer"), 100)
            date = text_of(low.get("date") or low.get("datepublished"), 40)
            reviews.append(Review(text=text, rating=rating if rating is not None and 0 <= rating <= 5 else None,
                                  date=date[:10] if date and re.match(r"^\d{4}-\d{2}-\d{2}", date) else None,
                                  author=author, url=page_url))
            continue
        name = text_of(low.get("name") or low.get("fullname"), 120)
        if name and any(k in low for k in _PERSON_KEYS) and not any(k in low for k in _BLOB_ADDRESS_KEYS):
            creds = " ".join(filter(None, (text_of(low.get(k), 80) for k in ("credentials", "credential", "creds",
                                                                               "suffix", "degree", "degrees"))))
            role = next((text_of(low[k], 80) for k in ("jobtitle", "role", "title", "position") if low.get(k)), None)
            raw_npi = text_of(low.get("npi"), 20)
            npi = re.sub(r"[\s-]", "", raw_npi) if raw_npi and re.fullmatch(r"[\d\s-]{9,13}", raw_npi) else None
            p = practitioner_from_parts(name, suffix=creds or None, job_title=role, npi=npi)
            if p is not None and all(p.name != q.name for q in people):
                people.append(p)
                continue
        stack.extend((v, depth + 1) for v in reversed(list(value.values())) if isinstance(v, dict | list))
    return people, reviews
