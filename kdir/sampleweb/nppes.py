"""A local NPI registry API answering like https://npiregistry.cms.hhs.gov/api/?version=2.1 (JSON, v2.1).

Supported: number, enumeration_type, taxonomy_description, first_name, last_name, organization_name (trailing
``*`` wildcard after at least two characters), city, state, postal_code (5 digits also match ZIP+4),
country_code, address_purpose, name_purpose (AO: authorized officials' names; PROVIDER or unspecified: providers' names),
limit (1-200, default 10), skip (0-1000). Errors come back with HTTP 200 as
``{"Errors": [...]}``. Like the real API, ``result_count`` is the number of results in this page, names match
whole (a hyphenated or particle surname is one last name; a trailing ``*`` makes a prefix), ``organization_name``
also searches the other names (Doing Business As, former legal names), and only active records are listed: a
deactivated number answers exactly like an unknown one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kdir.sampleweb.http import Request, Response
from kdir.sampleweb.nppes_data import registry_records

#: Criteria that may stand alone; state, country_code and enumeration_type need one of them.
_PRIMARY = ("number", "first_name", "last_name", "organization_name", "taxonomy_description", "city",
            "postal_code")
_ALL = (*_PRIMARY, "state", "country_code", "enumeration_type", "address_purpose", "name_purpose")


class QueryError(Exception):
    def __init__(self, description: str, field: str, number: str) -> None:
        super().__init__(description)
        self.entry = {"description": description, "field": field, "number": number}


def _pattern(field: str, value: str) -> tuple[str, bool]:
    """(text, is_prefix) for a name criterion; a ``*`` is only allowed last, after two characters."""
    value = value.strip().upper()
    if value.endswith("*"):
        stem = value[:-1]
        if len(stem) < 2 or "*" in stem:
            raise QueryError(f"Field {field} requires at least two characters before a wildcard", field, "08")
        return stem, True
    if "*" in value:
        raise QueryError(f"Field {field}: a wildcard is only allowed at the end", field, "08")
    return value, False


def _matches(text: str, pattern: tuple[str, bool]) -> bool:
    text = (text or "").upper()
    return text.startswith(pattern[0]) if pattern[1] else text == pattern[0]


def _person_fits(rec: dict[str, Any], names: dict[str, tuple[str, bool]], purpose: str) -> bool:
    """First/last name criteria against a provider's own name (``name_purpose=PROVIDER``, and unspecified) or
    an organisation's authorized official (``AO``). The real API searches both when unspecified: our clients
    always say PROVIDER; the crawler's name-prefix slicing keeps the simpler default here."""
    basic = rec["basic"]
    provider = rec["enumeration_type"] == "NPI-1" and all(
        _matches(basic.get(f, ""), p) for f, p in names.items())
    official = rec["enumeration_type"] == "NPI-2" and all(
        _matches(basic.get(f"authorized_official_{f}", ""), p) for f, p in names.items())
    return official if purpose == "AO" else provider


def _organisation_names(rec: dict[str, Any]) -> list[str]:
    """The legal name and the other names (DBA, former legal names) an organisation search matches."""
    return [rec["basic"].get("organization_name", "")] + [
        o.get("organization_name", "") for o in rec.get("other_names") or [] if isinstance(o, dict)]


def _int(params: dict[str, str], name: str, default: int, low: int, high: int, number: str) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise QueryError(f"Field {name} must be a number between {low} and {high}", name, number)
    return int(raw)


def _address_ok(rec: dict[str, Any], params: dict[str, str]) -> bool:
    purpose = params.get("address_purpose", "").upper()
    for a in rec["addresses"]:
        if purpose and purpose != "ALL" and a["address_purpose"] != purpose:
            continue
        if "city" in params and a["city"].upper() != params["city"].strip().upper():
            continue
        if "state" in params and a["state"] != params["state"].strip().upper():
            continue
        if "postal_code" in params and not a["postal_code"].startswith(params["postal_code"].strip()):
            continue
        if "country_code" in params and a["country_code"] != params["country_code"].strip().upper():
            continue
        return True
    return False


def search(raw: dict[str, str], records: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Answer one query (parameter name -> value) with the registry's JSON body."""
    params = {k: v for k, v in raw.items() if k in _ALL and v.strip()}
    try:
        version = raw.get("version", "2.1").strip()
        if version != "2.1":
            raise QueryError("Invalid API version. Only version 2.1 is supported", "version", "01")
        limit = _int(raw, "limit", 10, 1, 200, "10")
        skip = _int(raw, "skip", 0, 0, 1000, "11")
        if not params:
            raise QueryError("No valid search criteria provided", "generic", "04")
        if not any(k in params for k in _PRIMARY):
            field = next(k for k in ("state", "enumeration_type", "country_code", "address_purpose") if k in params)
            raise QueryError(f"Field {field} cannot be the only criteria; please add other criteria", field, "06")
        number = params.get("number", "").strip()
        if number and (not number.isdigit() or len(number) != 10):
            raise QueryError("Field number requires 10 digits", "number", "07")
        etype = params.get("enumeration_type", "").strip().upper()
        if etype and etype not in ("NPI-1", "NPI-2"):
            raise QueryError("Field enumeration_type must be NPI-1 or NPI-2", "enumeration_type", "09")
        state = params.get("state", "").strip()
        if state and (len(state) != 2 or not state.isalpha()):
            raise QueryError("Field state must be a two-letter state code", "state", "05")
        postal = params.get("postal_code", "").strip()
        if postal and (not postal.isdigit() or len(postal) not in (5, 9)):
            raise QueryError("Field postal_code must be 5 or 9 digits", "postal_code", "12")
        names = {f: _pattern(f, params[f]) for f in ("first_name", "last_name", "organization_name") if f in params}
        purpose = params.get("name_purpose", "").strip().upper()
        if purpose and purpose not in ("AO", "PROVIDER"):
            raise QueryError("Field name_purpose must be AO or PROVIDER", "name_purpose", "13")
    except QueryError as exc:
        return {"Errors": [exc.entry]}

    taxonomy = params.get("taxonomy_description", "").strip().upper()
    found: list[dict[str, Any]] = []
    for rec in registry_records() if records is None else records:
        basic = rec["basic"]
        if number and str(rec["number"]) != number:
            continue
        if etype and rec["enumeration_type"] != etype:
            continue
        if "organization_name" in names and rec["enumeration_type"] != "NPI-2":
            continue
        if str(basic.get("status", "A")).upper() != "A":
            continue  # the public registry lists active NPIs only
        person_names = {f: p for f, p in names.items() if f != "organization_name"}
        if person_names and not _person_fits(rec, person_names, purpose):
            continue
        if "organization_name" in names and not any(
                _matches(n, names["organization_name"]) for n in _organisation_names(rec)):
            continue
        if taxonomy and not any(taxonomy in t["desc"].upper() or taxonomy == t["code"]
                                for t in rec["taxonomies"]):
            continue
        if not _address_ok(rec, params):
            continue
        found.append(rec)
    page = found[skip:skip + limit]
    return {"result_count": len(page), "results": page}


class NppesApi:
    """The WSGI-less app: ``/api/`` and ``/api`` answer queries; anything else is a 404."""

    def __call__(self, req: Request) -> Response:
        if req.path not in ("/api/", "/api"):
            return Response(404, b'{"message": "Not Found"}', "application/json")
        if req.method != "GET":
            return Response(405, b'{"message": "Method Not Allowed"}', "application/json")
        raw = {k: v[-1] for k, v in req.query.items()}
        body = json.dumps(search(raw), separators=(",", ":")).encode()
        return Response(200, body, "application/json")
