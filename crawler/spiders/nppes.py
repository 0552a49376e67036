"""nppes: discover practitioners and organisations in the relevant taxonomies from the NPI registry API v2.1.

    scrapy crawl nppes [-a api=URL] [-a states=TX,AZ] [-a taxonomies=2084P0800X,363LP0808X]

Queries are sliced state x taxonomy; a slice that still fills its pages at the registry's ``skip`` ceiling is
split by name prefix (``last_name=AB*`` for individuals, ``organization_name=AB*`` for organisations, then three
letters). Answers are cached (HTTPCACHE, errors excluded) and paced. Errors come back with HTTP 200 as
``{"Errors": [...]}``: they are counted, logged and never turned into items.
"""

from __future__ import annotations

import json
import logging
import string
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider
from scrapy.http import Response

from crawler.spiders._api import api_endpoint
from kdir.common.names import split_credential_text
from kdir.common.record import Address, Practitioner, ProviderItem

logger = logging.getLogger(__name__)

#: NUCC code -> the ``taxonomy_description`` text queried (DOMAIN.md section 3).
TAXONOMIES: dict[str, str] = {
    "2084P0800X": "Psychiatry", "2084P0802X": "Addiction Psychiatry", "207L00000X": "Anesthesiology",
    "207LP2900X": "Pain Medicine", "208VP0000X": "Pain Medicine", "207P00000X": "Emergency Medicine",
    "207Q00000X": "Family Medicine", "207R00000X": "Internal Medicine", "367500000X": "Nurse Anesthetist",
    "363LP0808X": "Psych/Mental Health", "363A00000X": "Physician Assistant", "103T00000X": "Psychologist",
    "103TC0700X": "Psychologist", "1041C0700X": "Social Worker", "101YP2500X": "Counselor",
    "101YM0800X": "Counselor", "106H00000X": "Marriage & Family Therapist", "261QM0801X": "Mental Health",
    "3336C0004X": "Compounding Pharmacy",
}
STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]
PAGE = 200
MAX_SKIP = 1000


def _str(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def credentials(raw: Any) -> list[str]:
    """"M.D., Ph.D." -> ["MD", "PHD"], "MA LPC NCC" -> ["MA", "LPC", "NCC"]: free-text credentials as codes."""
    return split_credential_text(raw)


def to_item(rec: dict[str, Any], api: str, fetched_at: datetime) -> ProviderItem | None:
    """A registry record as an item, or None when it is malformed, inactive or outside our taxonomies."""
    if not isinstance(rec, dict):
        return None
    npi = _str(rec.get("number"))
    basic = rec.get("basic") if isinstance(rec.get("basic"), dict) else {}
    if not (len(npi) == 10 and npi.isdigit()) or _str(basic.get("status") or "A").upper() != "A":
        return None
    taxonomies = [t for t in rec.get("taxonomies") or [] if isinstance(t, dict)]
    codes = [_str(t.get("code")) for t in taxonomies]
    if not any(c in TAXONOMIES for c in codes):
        return None
    primary = next((t for t in taxonomies if t.get("primary") is True), taxonomies[0] if taxonomies else {})
    addresses = [a for a in rec.get("addresses") or [] if isinstance(a, dict)]
    addresses += [a for a in rec.get("practiceLocations") or [] if isinstance(a, dict)]
    loc = next((a for a in addresses if _str(a.get("address_purpose")).upper() == "LOCATION"), None)
    address = None
    phones: list[str] = []
    if loc is not None:
        street = " ".join(p for p in (_str(loc.get("address_1")), _str(loc.get("address_2"))) if p)
        address = Address(street=street or None, city=_str(loc.get("city")).title() or None,
                          region=_str(loc.get("state")) or None, postal_code=_str(loc.get("postal_code")) or None,
                          country=_str(loc.get("country_code")) or "US")
    for a in addresses:
        if _str(a.get("address_purpose")).upper() in ("LOCATION", "") and _str(a.get("telephone_number")):
            phones.append(_str(a["telephone_number"]))
    base = api.split("?", 1)[0]
    individual = _str(rec.get("enumeration_type")).upper() == "NPI-1"
    if individual:
        name = " ".join(p for p in (_str(basic.get("first_name")), _str(basic.get("middle_name")),
                                     _str(basic.get("last_name"))) if p).title()
        practitioners = [Practitioner(name=name, credentials=credentials(basic.get("credential")),
                                      role=_str(primary.get("desc")) or None, npi=npi)] if name else []
    else:
        name = _str(basic.get("organization_name"))
        practitioners = []
    if not name:
        return None
    return ProviderItem(source="nppes", source_url=f"{base}?{urlencode({'version': '2.1', 'number': npi})}",
                        fetched_at=fetched_at, kind="practitioner" if individual else "clinic", name=name,
                        phones=list(dict.fromkeys(phones)), address=address, npi=npi,
                        practitioners=practitioners, location_key=f"npi:{npi}")


class NppesSpider(Spider):
    name = "nppes"
    source_key = "nppes"
    source_kind = "registry"
    source_name = "NPI registry (NPPES)"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,  # an API, not a web site
        "DOWNLOAD_DELAY": 0.5,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "HTTPCACHE_ENABLED": True,
    }

    def __init__(self, api: str | None = None, states: str | None = None, taxonomies: str | None = None,
                 run_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        api = api_endpoint(api, "nppes_url")
        self.api = api.split("?", 1)[0]
        self.states = [s.strip().upper() for s in (states or "").split(",") if s.strip()] or list(STATES)
        bad = [s for s in self.states if s not in STATES]
        if bad:
            raise ValueError(f"unknown state codes: {', '.join(bad)}")
        codes = [c.strip().upper() for c in (taxonomies or "").split(",") if c.strip()] or list(TAXONOMIES)
        unknown = [c for c in codes if c not in TAXONOMIES]
        if unknown:
            raise ValueError(f"unknown taxonomy codes: {', '.join(unknown)} (known: {', '.join(TAXONOMIES)})")
        self.descriptions = list(dict.fromkeys(TAXONOMIES[c] for c in codes))
        self.run_id = run_id
        self.spider_args = {"api": self.api, "states": ",".join(self.states), "taxonomies": ",".join(codes)}
        self.seen: set[str] = set()

    def query(self, params: dict[str, str], skip: int = 0) -> Request:
        q = {"version": "2.1", **params, "limit": str(PAGE), "skip": str(skip)}
        return Request(f"{self.api}?{urlencode(q)}", callback=self.parse_page,
                       cb_kwargs={"params": params, "skip": skip})

    async def start(self) -> AsyncIterator[Request]:
        for state in self.states:
            for desc in self.descriptions:
                yield self.query({"state": state, "taxonomy_description": desc})

    def parse_page(self, response: Response, params: dict[str, str], skip: int) -> Iterator[Any]:
        stats = self.crawler.stats
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            stats.inc_value("kdir/nppes/bad_json")
            logger.warning("NPI registry answered with something other than JSON: %s", response.url)
            return
        if not isinstance(data, dict) or "Errors" in data or "result_count" not in data:
            stats.inc_value("kdir/nppes/api_errors")
            errors = data.get("Errors") if isinstance(data, dict) else None
            logger.warning("NPI registry error for %s: %s", response.url, json.dumps(errors)[:300])
            return
        results = data.get("results") if isinstance(data.get("results"), list) else []
        fetched_at = datetime.now(UTC)
        for rec in results:
            item = to_item(rec, self.api, fetched_at)
            if item is None:
                stats.inc_value("kdir/nppes/skipped_records")
                continue
            if item.npi in self.seen:
                continue
            self.seen.add(item.npi)  # type: ignore[arg-type]
            yield item
        if len(results) < PAGE:
            return
        if skip + PAGE <= MAX_SKIP:
            yield self.query(params, skip + PAGE)
            return
        yield from self.split(params)

    def split(self, params: dict[str, str]) -> Iterator[Request]:
        """The slice is larger than the registry lets us page through: narrow it by name prefix."""
        self.crawler.stats.inc_value("kdir/nppes/slices_split")
        for field in ("last_name", "organization_name"):
            current = params.get(field, "").rstrip("*")
            if current or not any(f in params for f in ("last_name", "organization_name")):
                if len(current) >= 4:
                    logger.warning("NPI slice still full at prefix %r: %s", current, params)
                    continue
                letters = string.ascii_uppercase
                stems = [a + b for a in letters for b in letters] if not current else [current + c for c in letters]
                others = {k: v for k, v in params.items() if k not in ("last_name", "organization_name")}
                for stem in stems:
                    yield self.query({**others, field: stem + "*"})
