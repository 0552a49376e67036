"""A local Overpass API endpoint (``/api/interpreter``, GET or POST ``data=``) answering in Overpass JSON.

The query text is only checked for presence; the answer is always the same handful of elements: ketamine
clinics (some matching the sample sites, one only known to OpenStreetMap) and unrelated clinics a discovery
spider must filter out. ``website`` tags pointing at sample sites carry their live base URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from kdir.sampleweb.http import Request, Response, render

#: (type, id, lat, lon, tags). A ``{{site:NAME}}`` in a tag is replaced by that site's live base URL.
ELEMENTS: tuple[tuple[str, int, float, float, dict[str, str]], ...] = (
    ("node", 9_100_000_001, 30.2687, -97.7428, {
        "name": "Stillwater Ketamine Clinic", "healthcare": "clinic", "amenity": "clinic",
        "healthcare:speciality": "psychiatry", "addr:housenumber": "1100", "addr:street": "Congress Avenue",
        "addr:unit": "210", "addr:city": "Austin", "addr:state": "TX", "addr:postcode": "78701",
        "phone": "+1 512-555-0101", "website": "{{site:stillwater}}/"}),
    ("way", 9_200_000_002, 33.4489, -112.0741, {
        "name": "Lumen Ketamine Therapy", "healthcare": "clinic", "healthcare:speciality": "psychiatry",
        "addr:housenumber": "2", "addr:street": "North Central Avenue", "addr:city": "Phoenix",
        "addr:state": "AZ", "addr:postcode": "85004", "contact:phone": "+16025550104",
        "contact:website": "{{site:lumen}}"}),
    ("node", 9_100_000_003, 41.2587, -95.9378, {
        "name": "Prairie Ketamine Clinic", "healthcare": "clinic", "amenity": "clinic",
        "healthcare:speciality": "psychiatry", "addr:housenumber": "1411", "addr:street": "Harney Street",
        "addr:city": "Omaha", "addr:state": "NE", "addr:postcode": "68102", "phone": "(402) 555-0113",
        "opening_hours": "Mo-Fr 08:00-17:00"}),
    ("way", 9_200_000_004, 42.3629, -71.0862, {
        "name": "Evergreen Ketamine Centers Cambridge", "healthcare": "clinic", "amenity": "clinic",
        "addr:housenumber": "1", "addr:street": "Kendall Square", "addr:city": "Cambridge", "addr:state": "MA",
        "addr:postcode": "02139", "phone": "+1 617 555 0115", "website": "{{site:evergreen}}/locations/cambridge/"}),
    # Unrelated: must be filtered out.
    ("node", 9_100_000_010, 30.2672, -97.7431, {
        "name": "Downtown Urgent Care", "healthcare": "clinic", "amenity": "clinic",
        "healthcare:speciality": "emergency", "addr:city": "Austin", "addr:state": "TX", "phone": "+1 512-555-0140"}),
    ("node", 9_100_000_011, 39.9612, -82.9988, {
        "name": "Bright Smile Family Dentistry", "healthcare": "dentist", "amenity": "dentist",
        "addr:city": "Columbus", "addr:state": "OH", "addr:postcode": "43215", "phone": "+1 614-555-0107",
        "website": "{{site:brightsmile}}/"}),
    ("way", 9_200_000_012, 39.7392, -104.9903, {
        "name": "Cherry Creek Veterinary Clinic", "amenity": "veterinary", "addr:city": "Denver",
        "addr:state": "CO", "phone": "+1 303-555-0141"}),
    ("node", 9_100_000_013, 45.5152, -122.6784, {
        "name": "Rose City Physical Therapy", "healthcare": "physiotherapist", "addr:city": "Portland",
        "addr:state": "OR", "phone": "+1 503-555-0144"}),
    ("node", 9_100_000_014, 35.5951, -82.5515, {"amenity": "clinic", "healthcare": "clinic"}),  # no name
)


def elements(urls: Mapping[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for etype, eid, lat, lon, tags in ELEMENTS:
        filled = {k: render(v, urls, "overpass") for k, v in tags.items()}
        if etype == "node":
            out.append({"type": "node", "id": eid, "lat": lat, "lon": lon, "tags": filled})
        else:
            nodes = [eid * 10 + i for i in range(4)]
            out.append({"type": "way", "id": eid, "center": {"lat": lat, "lon": lon}, "nodes": nodes,
                        "tags": filled})
    return out


class OverpassApi:
    def __init__(self, urls: Mapping[str, str]) -> None:
        self.urls = urls

    def __call__(self, req: Request) -> Response:
        if req.path not in ("/api/interpreter", "/api/interpreter/"):
            return Response(404, b"<html><body><p>Not found</p></body></html>", "text/html")
        query = req.arg("data") or ""
        if req.method == "POST":
            text = req.body.decode("utf-8", "replace")
            if "form-urlencoded" in req.headers.get("content-type", "") or text.startswith("data="):
                query = (parse_qs(text, keep_blank_values=True).get("data") or [""])[0]
            else:  # the raw query as the request body, as Overpass also accepts
                query = text
        if not query.strip():
            msg = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><osm-script><remark>Error: line 1: "
                   "static error: empty query.</remark></osm-script>")
            return Response(400, msg.encode(), "text/html; charset=utf-8")
        body = {"version": 0.6, "generator": "Overpass API 0.7.62.1 (kdir sampleweb)",
                "osm3s": {"timestamp_osm_base": "2026-11-01T00:00:00Z",
                          "copyright": "The data included in this document is from www.openstreetmap.org. "
                                       "The data is made available under ODbL."},
                "elements": elements(self.urls)}
        return Response(200, json.dumps(body).encode(), "application/json")
