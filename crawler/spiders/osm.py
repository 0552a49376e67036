"""osm: discover ketamine clinics in OpenStreetMap through the Overpass API (JSON output).

    scrapy crawl osm [-a api=URL] [-a area=US] [-a bbox=south,west,north,east]

The query asks for healthcare/clinic objects whose name or description mentions ketamine, esketamine or
Spravato; answers are filtered again here (a server may return more than asked). Nodes use their position,
ways and relations their ``center``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import FormRequest, Spider
from scrapy.http import Response

from crawler.spiders._api import api_endpoint
from kdir.common.record import Address, Geo, ProviderItem

logger = logging.getLogger(__name__)

RELEVANT = re.compile(r"\b(?:es)?ketamine\b|\bspravato\b|\bketamin\b", re.I)
_TEXT_TAGS = ("name", "official_name", "alt_name", "description", "healthcare:speciality", "healthcare:service")
_AREA = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
_NUM = re.compile(r"^-?\d{1,3}(?:\.\d+)?$")


def build_query(area: str = "US", bbox: str | None = None, timeout: int = 120) -> str:
    """The Overpass QL query, limited to an ISO 3166 area (country or subdivision) or a bounding box."""
    name_re = "[Kk]etamin|[Ss]pravato"
    if bbox:
        parts = [p.strip() for p in bbox.split(",")]
        if len(parts) != 4 or not all(_NUM.match(p) for p in parts):
            raise ValueError(f"bbox must be south,west,north,east in degrees, got {bbox!r}")
        scope = f"({','.join(parts)})"
        head = ""
    else:
        if not _AREA.match(area):
            raise ValueError(f"area must be an ISO 3166 code such as US or US-TX, got {area!r}")
        key = "ISO3166-1" if len(area) == 2 else "ISO3166-2"
        head = f'area["{key}"="{area}"]->.a;\n'
        scope = "(area.a)"
    selectors = [f'nwr["healthcare"]["name"~"{name_re}"]{scope};',
                 f'nwr["amenity"="clinic"]["name"~"{name_re}"]{scope};',
                 f'nwr["healthcare"]["description"~"{name_re}"]{scope};',
                 f'nwr["healthcare:speciality"~"{name_re}"]{scope};']
    return f"[out:json][timeout:{timeout}];\n{head}(\n  " + "\n  ".join(selectors) + "\n);\nout center tags;"


def _tag(tags: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = tags.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def to_item(el: Any, fetched_at: datetime) -> ProviderItem | None:
    """An Overpass element as an item, or None when it is malformed or not about ketamine therapy."""
    if not isinstance(el, dict) or el.get("type") not in ("node", "way", "relation"):
        return None
    tags = el.get("tags") if isinstance(el.get("tags"), dict) else {}
    name = _tag(tags, "name", "official_name")
    if not name or not any(RELEVANT.search(str(tags.get(t, ""))) for t in _TEXT_TAGS):
        return None
    if tags.get("amenity") in ("veterinary", "dentist") or tags.get("healthcare") in ("dentist", "veterinary"):
        return None
    eid = el.get("id")
    if not isinstance(eid, int) or isinstance(eid, bool):
        return None
    point = el if el["type"] == "node" else el.get("center")
    geo = None
    if isinstance(point, dict):
        lat, lon = point.get("lat"), point.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            geo = Geo(float(lat), float(lon))
    number = _tag(tags, "addr:housenumber")
    street = _tag(tags, "addr:street")
    unit = _tag(tags, "addr:unit")
    line = " ".join(p for p in (number, street) if p) or _tag(tags, "addr:full")
    if line and unit:
        line = f"{line} {'Suite ' + unit if unit.isdigit() else unit}"
    address = Address(street=line, city=_tag(tags, "addr:city"), region=_tag(tags, "addr:state"),
                      postal_code=_tag(tags, "addr:postcode"), country=(_tag(tags, "addr:country") or "US"))
    if not (address.street or address.city or address.postal_code):
        address = None
    phones = []
    for key in ("phone", "contact:phone"):
        value = _tag(tags, key)
        if value:
            phones.extend(p.strip() for p in value.split(";") if p.strip())
    website = _tag(tags, "website", "contact:website", "url")
    if website and urlsplit(website).scheme not in ("http", "https"):
        website = None
    url = f"https://www.openstreetmap.org/{el['type']}/{eid}"
    return ProviderItem(source="osm", source_url=url, fetched_at=fetched_at, kind="clinic", name=name,
                        website=website, phones=list(dict.fromkeys(phones)),
                        email=_tag(tags, "email", "contact:email"), address=address, geo=geo,
                        location_key=f"osm:{el['type']}/{eid}")


class OsmSpider(Spider):
    name = "osm"
    source_key = "osm"
    source_kind = "osm"
    source_name = "OpenStreetMap (Overpass API)"
    custom_settings = {"ROBOTSTXT_OBEY": False, "DOWNLOAD_TIMEOUT": 180, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def __init__(self, api: str | None = None, area: str = "US", bbox: str | None = None,
                 run_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        api = api_endpoint(api, "overpass_url")
        self.api = api
        self.overpass_query = build_query(area.strip().upper(), bbox)
        self.run_id = run_id
        self.spider_args = {"api": api, "area": area, **({"bbox": bbox} if bbox else {})}

    async def start(self) -> AsyncIterator[FormRequest]:
        yield FormRequest(self.api, formdata={"data": self.overpass_query}, callback=self.parse_answer)

    def parse_answer(self, response: Response) -> Iterator[ProviderItem]:
        stats = self.crawler.stats
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            stats.inc_value("kdir/osm/bad_json")
            logger.warning("Overpass answered with something other than JSON (%s)", response.status)
            return
        remark = data.get("remark") if isinstance(data, dict) else None
        if remark and "error" in str(remark).lower():
            stats.inc_value("kdir/osm/api_errors")
            logger.warning("Overpass error: %s", str(remark)[:300])
        elements = data.get("elements") if isinstance(data, dict) else None
        fetched_at = datetime.now(UTC)
        for el in elements if isinstance(elements, list) else []:
            item = to_item(el, fetched_at)
            if item is None:
                stats.inc_value("kdir/osm/filtered")
                continue
            yield item
