"""Compare crawled clinic-site observations with the sample web's ground truth, field by field."""

from __future__ import annotations

from typing import Any

from kdir.common.address import normalize_street
from kdir.sampleweb.truth import SiteTruth


def _street(s: str | None) -> str:
    """Streets compare after the project's one normalisation (Suite/Ste/#, USPS suffixes, case)."""
    return (normalize_street(s) or "").lower() if s else ""


def site_problems(site: SiteTruth, items: list[dict[str, Any]], *, people: bool = False) -> list[str]:
    """What a crawl got wrong about one site (empty when it matches the truth).

    ``items``: observation payloads of the ``clinic_site`` source; ``people``: also check practitioners (names,
    credentials, printed NPIs), conditions, services and e-mail.
    """
    problems: list[str] = []
    got = [o for o in items if o["source_url"].startswith(site.base_url)]
    if not site.provider:
        return [f"{site.name}: not a provider but yielded {len(got)} items"] if got else []
    if len(got) != len(site.listings):
        problems.append(f"{site.name}: {len(got)} items, expected {len(site.listings)}")
    for expected in site.listings:
        where = f"{site.name}/{expected.slug}"
        match = next((o for o in got if o.get("address") and expected.address.postal_code
                      and (o["address"].get("postal_code") or "")[:5] == expected.address.postal_code[:5]), None)
        if match is None:
            problems.append(f"{where}: no item at ZIP {expected.address.postal_code}")
            continue
        names = {expected.name, *expected.aliases}
        if match["name"] not in names:
            problems.append(f"{where}: name {match['name']!r} not in {sorted(names)}")
        if set(expected.phones) - set(match["phones"]):
            problems.append(f"{where}: phones {match['phones']} miss {expected.phones}")
        if _street(match["address"].get("street")) != _street(expected.address.street):
            problems.append(f"{where}: street {match['address'].get('street')!r} != {expected.address.street!r}")
        if match["address"].get("region") != expected.address.region:
            problems.append(f"{where}: region {match['address'].get('region')}")
        if set(expected.modalities) - set(match["modalities"]):
            problems.append(f"{where}: modalities {match['modalities']} miss {expected.modalities}")
        if set(expected.negated_modalities) & set(match["modalities"]):
            problems.append(f"{where}: negated modality extracted")
        if match["kind"] != expected.kind:
            problems.append(f"{where}: kind {match['kind']} != {expected.kind}")
        if people:
            problems += _people_problems(where, expected, match)
    for o in got:
        if set(site.forbidden_phones) & set(o["phones"]):
            problems.append(f"{site.name}: phone from a robots-disallowed page")
    return problems


def _people_problems(where: str, expected: Any, match: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for field in ("conditions", "services"):
        missing = set(getattr(expected, field)) - set(match.get(field) or [])
        if missing:
            problems.append(f"{where}: {field} miss {sorted(missing)}")
    if expected.email and match.get("email") != expected.email:
        problems.append(f"{where}: email {match.get('email')!r} != {expected.email!r}")
    crawled = {p["name"]: p for p in match.get("practitioners") or []}
    for person in expected.practitioners:
        got = crawled.get(person.name)
        if got is None:
            problems.append(f"{where}: practitioner {person.name} missing (got {sorted(crawled)})")
            continue
        if set(person.credentials) - set(got.get("credentials") or []):
            problems.append(f"{where}: {person.name} credentials {got.get('credentials')} miss {person.credentials}")
        if person.npi and got.get("npi") != person.npi:
            problems.append(f"{where}: {person.name} NPI {got.get('npi')!r} != {person.npi!r}")
    return problems
