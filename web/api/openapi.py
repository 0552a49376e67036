"""The OpenAPI 3.1 document of the read-only JSON API (schemas are JSON Schema 2020-12, so tests check real
responses against them with jsonschema)."""

from __future__ import annotations

from typing import Any

from kdir.common.filters import ALIASES, FILTERS, Filter
from kdir.common.project import PROJECT_URL, __version__
from web.ids import MAX_ID
from web.public.search_params import MAX_PAGE, MAX_PER_PAGE

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
NNUM = {"type": ["number", "null"]}
BOOL = {"type": "boolean"}
STRS = {"type": "array", "items": STR}
OUTCOMES = ["unchecked", "verified", "mismatch", "not_found", "ambiguous", "invalid_number"]


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props) if required is None else required}


def _param(name: str, schema: dict[str, Any], description: str, *, explode: bool = False) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema,
                         "description": description}
    if schema.get("type") == "array":
        p.update(style="form", explode=explode)
    return p


def _filter_schema(f: Filter) -> dict[str, Any]:
    """The JSON schema of a registry filter's value (as a parameter and as a document field)."""
    if f.kind == "flag":
        return {"type": "boolean"}
    if f.kind == "state":
        return {"enum": [*f.values, "near"]}
    if f.kind == "choice":
        return {"enum": list(f.values)}
    return {"type": "array", "items": {"enum": list(f.values)}}


REGISTRY_RECORD = _obj({"npi": STR, "name": NSTR, "taxonomy": NSTR, "states": STRS,
                        "active": {"type": ["boolean", "null"]}, "last_updated": NSTR, "url": NSTR})
CREDENTIAL = _obj({"credential": NSTR, "npi": NSTR, "verification": {"enum": OUTCOMES},
                   "checked_at": NSTR, "registry_url": NSTR, "license_states": STRS,
                   "registry": {"oneOf": [{"type": "null"}, REGISTRY_RECORD]}})
SUMMARY = _obj({
    "id": {"type": "integer"}, "name": STR, "stale": BOOL,
    "street": NSTR, "city": NSTR, "region": NSTR, "postal_code": NSTR, "lat": NNUM, "lon": NNUM, "website": NSTR,
    "phones": STRS, **{f.field: _filter_schema(f) for f in FILTERS if f.kind != "state"},
    "accepts_insurance": BOOL, "telehealth": BOOL, "licensed_states": STRS, "telehealth_states": STRS,
    "price_min": NNUM, "price_max": NNUM, "price_unit": NSTR, "price_currency": NSTR,
    "clinicians": {"type": "integer", "minimum": 0}, "clinicians_verified": {"type": "integer", "minimum": 0},
    "credentials_mismatch": {"type": "integer", "minimum": 0},
    "rems_claimed": BOOL, "practitioners": STRS, "npis": STRS, "rating_value": NNUM,
    "rating_count": {"type": "integer", "minimum": 0}, "rating_sources": {"type": "integer", "minimum": 0},
    "rating_bayes": NNUM, "last_verified_at": NSTR, "updated_at": NSTR, "distance_km": NNUM, "url": STR,
})
LIST = _obj({
    "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "pages": {"type": "integer"},
    "near": {"oneOf": [{"type": "null"}, _obj({"label": STR, "lat": {"type": "number"},
                                               "lon": {"type": "number"}, "from_q": NSTR},
                                              required=["label", "lat", "lon"])]},
    "q": {"type": "string", "description": "the words searched (q without a place taken from its end)"},
    "results": {"type": "array", "items": {"$ref": "#/components/schemas/ProviderSummary"}},
}, required=["total", "page", "per_page", "pages", "results"])
DETAIL = _obj({
    "id": {"type": "integer"}, "kind": {"enum": ["clinic", "practitioner"]}, "name": STR, "stale": BOOL,
    "website": NSTR, "phones": STRS, "email": NSTR,
    "address": _obj({"street": NSTR, "city": NSTR, "region": NSTR, "postal_code": NSTR, "country": NSTR}),
    "location": {"oneOf": [{"type": "null"}, _obj({"lat": {"type": "number"}, "lon": {"type": "number"}})]},
    "npi": NSTR, "modalities": STRS, "conditions": STRS, "services": STRS, "telehealth": {"type": ["boolean", "null"]},
    "licensed_states": STRS, "verified": BOOL,
    "signals": {"type": "array", "items": _obj({"code": STR, "label": STR, "verified": BOOL})},
    "practitioners": {"type": "array", "items": _obj({
        "id": {"type": ["integer", "null"]}, "name": STR, "role": NSTR,
        "credentials": {"type": "array", "items": {"$ref": "#/components/schemas/Credential"}}})},
    "credentials": {"type": "array", "items": {"$ref": "#/components/schemas/Credential"}},
    "clinics": {"type": "array", "items": _obj({"id": {"type": "integer"}, "name": STR})},
    "rating": _obj({"value": NNUM, "count": {"type": "integer"}, "bayes": NNUM,
                    "sources": {"type": "array", "items": _obj({"source": STR, "value": {"type": "number"},
                                                                "count": {"type": "integer"}, "url": NSTR})}}),
    "evidence": {"type": "object", "additionalProperties": {"type": "array", "items": _obj({
        "value": {}, "source": STR, "url": NSTR, "tier": {"type": "integer"}, "last_seen": NSTR,
        "selected": BOOL})}},
    "last_verified_at": NSTR, "updated_at": NSTR, "url": STR,
})
ERROR = _obj({"error": STR, "parameter": NSTR})


def _filter_param(f: Filter) -> dict[str, Any]:
    """A search filter of the registry as an API parameter."""
    help_text = f.help if f.kind != "codes" else f"{f.help} Repeat the parameter or separate values with commas; " \
                                                  "different filters combine (AND)."
    if f.kind == "state":
        help_text += " A two-letter state code, or `near` for the state of the place searched; with a place, the " \
                     "place only measures distance (no radius)."
    return _param(f.name, _filter_schema(f), help_text)


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    err = {"description": "Bad parameter", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    params = [
        _param("q", {"type": "string", "maxLength": 200}, "Free text: clinic or clinician name, treatment, "
               "condition; abbreviations (KAP, TRD) and synonyms (Spravato = esketamine) are understood. Without "
               "`near`, a place at its end (\"spravato austin\", \"ketamine near 78701\") is used as `near`."),
        _param("near", {"type": "string", "maxLength": 100}, "A US ZIP code, \"City, ST\", a sizable city without "
               "its state (\"Austin\") or a city with one typo (resolved offline)."),
        _param("radius_km", {"type": "number", "minimum": 0.1, "maximum": 1000}, "Radius around `near` in km "
               "(default 80.47, i.e. 50 miles)."),
        *(_filter_param(f) for f in FILTERS),
        _param("min_rating", {"type": "number", "minimum": 0, "maximum": 5}, "Minimum combined rating."),
        *({**_param(alias, {"type": "boolean"}, f"Deprecated: the same as `{name}={value}`."), "deprecated": True}
          for alias, (name, value) in ALIASES.items()),
        _param("sort", {"enum": ["relevance", "distance", "rating", "price"], "default": "relevance"},
               "distance needs `near`; rating uses the Bayesian average; price: lowest known price first, "
               "listings without a price last."),
        _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number."),
        _param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
               f"Results per page (at most {MAX_PER_PAGE})."),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "kdir open directory API", "version": __version__,
                 "description": "Read-only API over the published listings of the kdir ketamine-therapy provider "
                                "directory. Not medical advice. Listings are never paid for.",
                 "license": {"name": "MIT", "identifier": "MIT"}, "contact": {"url": PROJECT_URL}},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/providers": {"get": {
                "operationId": "searchProviders", "summary": "Search published providers",
                "parameters": params,
                "responses": {"200": {"description": "A page of results", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ProviderList"}}}},
                    "400": err, "429": err, "503": err}}},
            "/api/v1/providers/{id}": {"get": {
                "operationId": "getProvider", "summary": "One published provider with its evidence",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                "responses": {"200": {"description": "The provider", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ProviderDetail"}}}},
                    "301": {"description": "Merged into another provider (Location header)"},
                    "400": err, "404": {"description": "Not found or not published", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                              "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
        },
        "components": {"schemas": {"ProviderSummary": SUMMARY, "ProviderList": LIST, "ProviderDetail": DETAIL,
                                   "Credential": CREDENTIAL, "Error": ERROR}},
    }
