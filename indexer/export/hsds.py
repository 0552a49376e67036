"""Open Referral HSDS 3.0 JSON: one document holding the taxonomies and one nested ``service`` per provider.

Layout (streamed; the ``services`` array can hold any number of providers)::

    {"hsds_version": "3.0", "generator": ..., "generated_at": ..., "attribution": ...,
     "taxonomies": [taxonomy...], "taxonomy_terms": [taxonomy_term...],
     "services": [service...], "service_count": N}

Each service validates against the official ``service.json`` schema and nests, HSDS-style, its
``organization`` (with the NPI as an ``organization_identifier``), ``service_at_locations`` -> ``location`` ->
``addresses`` / ``phones``, ``contacts`` (the practitioners, with NPI and verification as attributes),
``attributes`` linking the modality / condition / service codes to ``taxonomy_term``s, and ``metadata`` (one
entry per source that vouched for the listing, plus the last update). Every id is a UUID 5 derived from the
provider id, so the same provider keeps the same ids from one export to the next.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TextIO
from urllib.parse import urlsplit

from indexer.export.base import ExportStats, dumps
from indexer.export.records import Record, iso
from kdir.common.emails import normalize_email
from kdir.common.project import PROJECT_URL, USER_AGENT
from kdir.common.vocabulary import CONDITIONS, LABELS, MODALITIES, SERVICES

#: Namespace of every UUID in our HSDS output. Never change it: consumers key their data on these ids.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{PROJECT_URL}/hsds")
_NS_BYTES = NAMESPACE.bytes
ATTRIBUTION = "Ketamine-therapy provider directory (kdir), compiled from public sources; see each record's metadata."

#: taxonomy name -> (description, terms): the controlled vocabularies, plus the qualification terms.
TAXONOMIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "kdir-modalities": ("How ketamine is given.", MODALITIES),
    "kdir-conditions": ("Conditions a provider says it treats.", CONDITIONS),
    "kdir-services": ("Services offered alongside ketamine therapy.", SERVICES),
    "kdir-qualification": ("Qualification facts about practitioners (values in attribute.value).",
                           ("npi", "npi_verification", "license_state", "registry_record")),
}
_QUALIFICATION_LABELS = {"npi": "National Provider Identifier", "npi_verification": "NPI registry verification",
                         "license_state": "State of licensure",
                         "registry_record": "NPI Registry record (the public page a verification rests on)"}
_LINK_TYPES = (("modalities", "kdir-modalities"), ("conditions", "kdir-conditions"), ("services", "kdir-services"))


def uid(*parts: object) -> str:
    """A stable UUID 5 for an HSDS object, e.g. ``uid("service", 42)``; equal to ``str(uuid.uuid5(NAMESPACE,
    "service/42"))``, computed without building UUID objects (an HSDS export makes dozens per provider)."""
    digest = bytearray(hashlib.sha1(_NS_BYTES + "/".join(map(str, parts)).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def web_url(value: str | None) -> str | None:
    """An absolute http(s) URL, or None (HSDS ``uri`` fields must not carry ``javascript:`` or junk)."""
    if not value or any(ch.isspace() for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme in ("http", "https") and parts.hostname else None


def email_address(value: str | None) -> str | None:
    return normalize_email(value)


def taxonomy_objects() -> list[dict[str, Any]]:
    return [{"id": uid("taxonomy", name), "name": name, "description": desc, "uri": f"{PROJECT_URL}#{name}",
             "version": "1"} for name, (desc, _) in TAXONOMIES.items()]


@cache
def term(taxonomy: str, code: str) -> dict[str, Any]:
    """One taxonomy term (cached: shared by every attribute that uses it, never mutated)."""
    name = LABELS.get(code) or _QUALIFICATION_LABELS.get(code) or code
    return {"id": uid("taxonomy_term", taxonomy, code), "code": code, "name": name,
            "description": f"{name} ({taxonomy} code {code}).", "taxonomy": taxonomy,
            "taxonomy_id": uid("taxonomy", taxonomy), "language": "en"}


def taxonomy_terms() -> list[dict[str, Any]]:
    return [term(name, code) for name, (_, codes) in TAXONOMIES.items() for code in codes]


def _attribute(link_id: str, link_entity: str, link_type: str, taxonomy: str, code: str,
               value: str | None = None) -> dict[str, Any]:
    attr: dict[str, Any] = {"id": uid("attribute", link_id, taxonomy, code, value or ""), "link_id": link_id,
                            "link_type": link_type, "link_entity": link_entity,
                            "taxonomy_term_id": term(taxonomy, code)["id"], "taxonomy_term": term(taxonomy, code)}
    if value is not None:
        attr["value"] = value
    return attr


def _metadata(resource_id: str, record: Record) -> list[dict[str, Any]]:
    rows = [{"id": uid("metadata", resource_id, "updated"), "resource_id": resource_id, "resource_type": "service",
             "last_action_date": record["updated_at"] or "", "last_action_type": "update", "field_name": "",
             "previous_value": "", "replacement_value": "", "updated_by": "kdir"}]
    for src in record["sources"]:
        rows.append({"id": uid("metadata", resource_id, "source", src["source"], src["url"] or ""),
                     "resource_id": resource_id, "resource_type": "service",
                     "last_action_date": src["last_seen"] or "", "last_action_type": "observed",
                     "field_name": "", "previous_value": "", "replacement_value": src["url"] or "",
                     "updated_by": src["source"]})
    return rows


def _address(pid: int, location_id: str, record: Record) -> dict[str, Any] | None:
    a = record["address"]
    if not (a["street"] and a["city"] and a["region"] and a["postal_code"]):
        return None  # HSDS requires every one of these: a partial address is left out, not invented
    return {"id": uid("address", pid), "location_id": location_id, "address_1": a["street"], "city": a["city"],
            "state_province": a["region"], "postal_code": a["postal_code"], "country": a["country"] or "US",
            "address_type": "physical"}


def _contact(pid: int, service_id: str, entry: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    key, n = entry["npi"] or entry["name"], 1
    contact_id = uid("contact", pid, key)
    while contact_id in taken:  # two team members of the same name and no NPI
        n += 1
        contact_id = uid("contact", pid, key, n)
    taken.add(contact_id)
    contact: dict[str, Any] = {"id": contact_id, "service_id": service_id, "name": entry["name"]}
    if entry["credentials"]:
        contact["title"] = ", ".join(entry["credentials"])
    attrs = [_attribute(contact_id, "contact", "qualification", "kdir-qualification", "npi_verification",
                        entry["verification"])]
    if entry["npi"]:
        attrs.append(_attribute(contact_id, "contact", "qualification", "kdir-qualification", "npi", entry["npi"]))
    attrs += [_attribute(contact_id, "contact", "qualification", "kdir-qualification", "license_state", st)
              for st in entry["license_states"]]
    attrs += [_attribute(contact_id, "contact", "qualification", "kdir-qualification", "registry_record", r["url"])
              for r in entry["registry"] if r["url"]]
    contact["attributes"] = attrs
    return contact


def service_of(record: Record) -> dict[str, Any]:
    """The nested HSDS ``service`` of one canonical record."""
    pid = record["id"]
    org_id, service_id, location_id = uid("organization", pid), uid("service", pid), uid("location", pid)
    website, email = web_url(record["website"]), email_address(record["email"])
    kind = "practitioner" if record["kind"] == "practitioner" else "clinic"

    organization: dict[str, Any] = {"id": org_id, "name": record["name"],
                                    "description": f"Ketamine-therapy {kind} listed in the kdir directory."}
    if website:
        organization["website"] = website
    if email:
        organization["email"] = email
    if record["npi"]:
        organization["organization_identifiers"] = [{
            "id": uid("organization_identifier", pid, "npi"), "organization_id": org_id,
            "identifier_scheme": "US-NPI", "identifier_type": "National Provider Identifier",
            "identifier": record["npi"]}]
    checked = record.get("organisation") or {}
    if checked and checked["verification"] != "unchecked":  # the organisation's own registry check
        organization["attributes"] = [
            _attribute(org_id, "organization", "qualification", "kdir-qualification", "npi_verification",
                       checked["verification"])] + [
            _attribute(org_id, "organization", "qualification", "kdir-qualification", "registry_record", r["url"])
            for r in checked["registry"] if r["url"]]

    address = _address(pid, location_id, record)
    loc = record["location"]
    location: dict[str, Any] = {"id": location_id, "organization_id": org_id, "name": record["name"],
                                "location_type": "physical" if address or loc else "virtual",
                                "external_identifier": str(pid), "external_identifier_type": "kdir provider id"}
    if loc:
        location["latitude"], location["longitude"] = loc["lat"], loc["lon"]
    if address:
        location["addresses"] = [address]
    if website and location["location_type"] == "virtual":
        location["url"] = website
    location["phones"] = [{"id": uid("phone", pid, number), "location_id": location_id, "number": number,
                           "type": "voice"} for number in record["phones"]]

    taken: set[str] = set()
    parts = [f"{title}: {', '.join(LABELS.get(c, c) for c in record[key])}."
             for key, title in (("modalities", "Forms of ketamine"), ("conditions", "Conditions treated"),
                                ("services", "Services")) if record[key]]
    service: dict[str, Any] = {
        "id": service_id, "organization_id": org_id, "name": f"Ketamine therapy at {record['name']}",
        "description": " ".join(parts) or "Ketamine therapy (details not listed).",
        "status": "inactive" if record.get("stale") else "active",
        "organization": organization,
        "service_at_locations": [{"id": uid("service_at_location", pid), "service_id": service_id,
                                  "location_id": location_id, "location": location}],
        "contacts": [_contact(pid, service_id, entry, taken) for entry in record["practitioners"]],
        "attributes": [_attribute(service_id, "service", key, taxonomy, code)
                       for key, taxonomy in _LINK_TYPES for code in record[key]],
        "metadata": _metadata(service_id, record),
    }
    if record.get("stale"):
        service["alert"] = "Not seen in recent checks of its sources: it may have closed or moved."
    if website:
        service["url"] = website
    if email:
        service["email"] = email
    if record["updated_at"]:
        service["last_modified"] = record["updated_at"]
    return service


def write(records: Iterable[Record], out: TextIO, stats: ExportStats, *, now: datetime | None = None) -> None:
    head = {"hsds_version": "3.0", "generator": USER_AGENT, "generated_at": iso(now or datetime.now(UTC)),
            "attribution": ATTRIBUTION, "taxonomies": taxonomy_objects(), "taxonomy_terms": taxonomy_terms()}
    out.write(dumps(head)[:-1])  # the header object, left open
    out.write(',"services":[')
    first = True
    for record in records:
        out.write("\n" if first else ",\n")
        out.write(dumps(service_of(record)))
        first = False
        stats.written += 1
    out.write(f'\n],"service_count":{stats.written}}}\n')
