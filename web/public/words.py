"""Stored values in words for patients: vocabulary labels, sources as people know them, what a link opens,
formatted phones and prices, the verifier's reasons as sentences. Pure: values in, text out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from kdir.common.npi import registry_page
from kdir.common.phones import display_phone, normalize_phone
from kdir.common.vocabulary import LABELS, SOURCE_KIND_LABELS


@dataclass
class Phone:
    display: str  # "(602) 555-0104"
    tel: str  # "+16025550104"


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " "))


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


def money(value: Any, currency: str = "USD") -> str | None:
    """400 -> "$400", 412.5 -> "$412.50", (300, "EUR") -> "300 EUR"; None for what is not an amount."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    amount = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def price_text(price: Any) -> str | None:
    """{"min": 400, "max": 600, "currency": "USD", "unit": "session"} -> "$400 to $600 per session"."""
    if not isinstance(price, dict):
        return None
    currency = str(price.get("currency") or "USD")[:3].upper()
    lo, hi = money(price.get("min"), currency), money(price.get("max"), currency)
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
