"""HSDS 3.0 export, validated against the official Open Referral JSON Schemas vendored in tests/data/hsds."""

from __future__ import annotations

import io
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from indexer.db import Database
from indexer.export import export
from tests.indexer.export.conftest import HOSTILE_NAME, Seeded

HSDS_DIR = Path(__file__).resolve().parents[2] / "data" / "hsds"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/kdir-project/kdir/hsds")

FORMATS = FormatChecker()


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """jsonschema checks ``uri`` only with an optional package: an absolute URI without spaces is enough."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and not any(c.isspace() for c in value)


@cache
def registry() -> Registry:
    """Every modular schema under its file name, which is how they ``$ref`` each other."""
    resources = []
    for path in sorted(HSDS_DIR.glob("*.json")):
        if path.name != "openapi.json":
            contents = json.loads(path.read_text(encoding="utf-8"))
            resources.append((path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    schema = registry().contents(name)
    return Draft202012Validator(schema, registry=registry(), format_checker=FORMATS)  # type: ignore[arg-type]


@cache
def compiled_validator() -> Draft202012Validator:
    schema = json.loads((HSDS_DIR / "compiled" / "service_with_definitions.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FORMATS)


def assert_valid(name: str, obj: Any) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(obj)]
    assert not errors, errors


def hsds_doc(db: Database, **options: object) -> dict[str, Any]:
    out = io.StringIO(newline="")
    export(db, "hsds", out, **options)  # type: ignore[arg-type]
    return json.loads(out.getvalue())


def walk(obj: Any, key: str) -> Iterator[Any]:
    """Every value stored under ``key`` anywhere in ``obj``."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v, key)


def test_vendored_schemas_are_complete_and_licensed() -> None:
    assert (HSDS_DIR / "LICENSE").read_text(encoding="utf-8").startswith("The Human Services Data Specification")
    assert "279fd2eb3552c349bf698c07c00cc25f5fc8249b" in (HSDS_DIR / "SOURCE.md").read_text(encoding="utf-8")
    for name in ("organization", "service", "location", "service_at_location", "address", "phone",
                 "taxonomy", "taxonomy_term", "attribute", "metadata", "contact", "organization_identifier"):
        assert registry().contents(f"{name}.json")["name"] == name


def test_validator_is_not_vacuous() -> None:
    good = {"id": str(uuid.uuid4()), "name": "x", "status": "active"}
    assert validator("service.json").is_valid(good)
    assert not validator("service.json").is_valid({k: v for k, v in good.items() if k != "status"})
    assert not validator("service.json").is_valid({**good, "id": "not-a-uuid"})
    assert not validator("service.json").is_valid({**good, "status": "open"})
    assert not validator("service.json").is_valid({**good, "url": "not a url"})
    bad_address = {"id": str(uuid.uuid4()), "address_1": "1 Main", "city": "Austin", "state_province": "TX",
                   "postal_code": "78701", "country": "US"}  # address_type missing
    nested = {**good, "service_at_locations": [{"id": str(uuid.uuid4()), "location": {
        "id": str(uuid.uuid4()), "location_type": "physical", "addresses": [bad_address]}}]}
    assert not validator("service.json").is_valid(nested)  # $ref across files is followed
    assert not compiled_validator().is_valid(nested)


def test_every_service_validates(db: Database, seeded: Seeded) -> None:
    doc = hsds_doc(db, include_stale=True)
    assert doc["hsds_version"] == "3.0" and doc["service_count"] == len(doc["services"]) == 4
    for service in doc["services"]:
        assert_valid("service.json", service)
        assert compiled_validator().is_valid(service)
        assert_valid("organization.json", service["organization"])
        for sal in service["service_at_locations"]:
            assert_valid("service_at_location.json", sal)
            assert_valid("location.json", sal["location"])
    for taxonomy in doc["taxonomies"]:
        assert_valid("taxonomy.json", taxonomy)
    for term in doc["taxonomy_terms"]:
        assert_valid("taxonomy_term.json", term)


def test_ids_are_unique_stable_uuid5(db: Database, seeded: Seeded) -> None:
    doc = hsds_doc(db)
    assert doc == {**hsds_doc(db), "generated_at": doc["generated_at"]}  # same data, same document
    services = {s["id"]: s for s in doc["services"]}
    assert set(services) == {str(uuid.uuid5(NAMESPACE, f"service/{pid}"))
                             for pid in (seeded.clinic, seeded.no_geo, seeded.practitioner)}
    for key in ("service_at_locations", "contacts", "metadata", "phones", "addresses"):
        ids = [o["id"] for objs in walk(doc["services"], key) for o in objs]
        assert len(ids) == len(set(ids)), key
    attribute_ids = Counter(a["id"] for objs in walk(doc["services"], "attributes") for a in objs)
    assert max(attribute_ids.values()) == 1
    term_ids = {t["id"] for t in doc["taxonomy_terms"]}
    assert {a["taxonomy_term_id"] for objs in walk(doc["services"], "attributes") for a in objs} <= term_ids
    assert {t["taxonomy_id"] for t in doc["taxonomy_terms"]} == {t["id"] for t in doc["taxonomies"]}


def test_clinic_mapping(db: Database, seeded: Seeded) -> None:
    doc = hsds_doc(db)
    service = next(s for s in doc["services"] if s["id"] == str(uuid.uuid5(NAMESPACE, f"service/{seeded.clinic}")))
    org = service["organization"]
    assert org["name"] == HOSTILE_NAME and org["website"] == "https://clinic.example/ketamine?a=1&b=2"
    assert org["organization_identifiers"][0]["identifier"] == "1234567893"
    assert sorted((a["taxonomy_term"]["code"], a["value"]) for a in org["attributes"]) == [
        ("npi_verification", "verified"),
        ("registry_record", "https://npiregistry.cms.hhs.gov/provider-view/1234567893")]
    assert service["status"] == "active" and service["last_modified"] == "2026-05-06T07:08:09Z"
    location = service["service_at_locations"][0]["location"]
    assert location["location_type"] == "physical"
    assert (location["latitude"], location["longitude"]) == (30.2672, -97.7431)
    assert location["addresses"][0]["address_1"] == '12 "Main", Suite 3\r\nBack door'
    assert location["addresses"][0]["state_province"] == "TX"
    assert [p["number"] for p in location["phones"]] == ["+15125550100", "+15125550199"]
    codes = {(a["link_type"], a["taxonomy_term"]["code"]) for a in service["attributes"]}
    assert codes == {("modalities", "iv_infusion"), ("modalities", "esketamine_nasal"),
                     ("conditions", "depression"), ("conditions", "ptsd"),
                     ("services", "integration_therapy"), ("services", "spravato_rems_certified")}
    [contact] = service["contacts"]
    assert contact["name"] == "Dr. Ana Ortiz" and contact["title"] == "MD, DEA"
    facts = sorted((a["taxonomy_term"]["code"], a["value"]) for a in contact["attributes"])
    assert facts == [("license_state", "CA"), ("license_state", "TX"), ("npi", "1993999998"),
                     ("npi_verification", "verified"),
                     ("registry_record", "https://npiregistry.cms.hhs.gov/provider-view/1993999998")]
    sources = [(m["updated_by"], m["replacement_value"]) for m in service["metadata"]
               if m["last_action_type"] == "observed"]
    assert sources == [("clinic_site", "https://clinic.example/"), ("directory:sample", "https://dir.example/a")]


def test_junk_website_and_partial_address_are_left_out(db: Database, seeded: Seeded) -> None:
    doc = hsds_doc(db)
    service = next(s for s in doc["services"] if s["id"] == str(uuid.uuid5(NAMESPACE, f"service/{seeded.no_geo}")))
    assert "website" not in service["organization"] and "url" not in service
    assert "email" not in service["organization"] and "email" not in service
    location = service["service_at_locations"][0]["location"]
    assert location["location_type"] == "virtual" and "addresses" not in location
    assert "latitude" not in location


def test_stale_listing_is_inactive(db: Database, seeded: Seeded) -> None:
    doc = hsds_doc(db, include_stale=True)
    service = next(s for s in doc["services"] if s["id"] == str(uuid.uuid5(NAMESPACE, f"service/{seeded.stale}")))
    assert service["status"] == "inactive" and service["alert"]


def test_empty_directory(db: Database) -> None:
    doc = hsds_doc(db)
    assert doc["services"] == [] and doc["service_count"] == 0
    assert len(doc["taxonomy_terms"]) == 5 + 11 + 6 + 4


@pytest.mark.parametrize("name", ["", " ", "\u2028", '"}]}', "x" * 300])
def test_odd_names_still_validate(db: Database, name: str) -> None:
    from tests.indexer.export.conftest import add_provider

    with db.session() as s:
        add_provider(s, name or "placeholder", website="http://[::1", email="a@b.c", phones=["", "=1"])
        s.commit()
    doc = hsds_doc(db)
    [service] = doc["services"]
    assert_valid("service.json", service)
    assert [p["number"] for p in service["service_at_locations"][0]["location"]["phones"]] == ["=1"]


@pytest.mark.parametrize("parts", [("service", 42), ("contact", 7, "Dr. Ünïcødé 東京", 2), ("taxonomy", "kdir-x")])
def test_uid_is_uuid5(parts: tuple[object, ...]) -> None:
    from indexer.export.hsds import uid

    assert uid(*parts) == str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))
