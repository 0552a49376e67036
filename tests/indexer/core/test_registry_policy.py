"""Registry records are evidence, never providers of their own; the conflict policy is per field."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from indexer.db import Database
from indexer.db.models import (
    FieldEvidence,
    MatchLink,
    Observation,
    Override,
    Provider,
    RegistryPending,
    Source,
)
from indexer.provenance import Candidate, select_values
from indexer.recompute import recompute_provider
from kdir.common.names import registry_display_name
from tests.indexer.core.conftest import addr, crawl, item, providers

BOSTON = addr("200 Boylston Street, Suite 5", "Boston", "MA", "02116")


def npi(base9: str) -> str:
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return base9 + str((10 - total % 10) % 10)


ORG_NPI, DOE_NPI, LONE_NPI, EVER_NPI = npi("123456780"), npi("198765432"), npi("155555555"), npi("176543210")


def site_items() -> list[dict]:  # type: ignore[type-arg]
    return [
        # Prints a mistyped NPI (bad check digit): the registry's number must win for the npi field.
        item(name="Stillwater Ketamine Clinic", source_url="https://stillwater.test/", website="https://stillwater.test/",
             npi=ORG_NPI[:9] + str((int(ORG_NPI[9]) + 1) % 10), phones=["(617) 555-0142"], address=BOSTON,
             practitioners=[{"name": "Dr. Jane Doe, MD", "credentials": ["MD"], "role": "Medical Director",
                             "npi": DOE_NPI}]),
        item(name="Evergreen Ketamine Centers – Boston", source_url="https://evergreen.test/boston", npi=EVER_NPI,
             phones=["617-555-0190"], address=addr("9 Tremont St", "Boston", "MA", "02108")),
    ]


def registry_items() -> list[dict]:  # type: ignore[type-arg]
    api = "https://npiregistry.test/api/?version=2.1&number="
    return [
        item(name="STILLWATER KETAMINE CLINIC PLLC", source_url=api + ORG_NPI, npi=ORG_NPI, location_key=f"npi:{ORG_NPI}",
             phones=["617.555.0142", "617.555.9999"], address=addr("PO BOX 77", "BOSTON", "MA", "02116-0077")),
        item(name="Jane Q Doe", kind="practitioner", source_url=api + DOE_NPI, npi=DOE_NPI,
             location_key=f"npi:{DOE_NPI}", address=addr("1 Mailing Way", "Newton", "MA", "02458"),
             practitioners=[{"name": "Jane Q Doe", "credentials": ["M.D."], "role": "Psychiatry", "npi": DOE_NPI}]),
        item(name="EVERGREEN KETAMINE CENTERS LLC", source_url=api + EVER_NPI, npi=EVER_NPI,
             location_key=f"npi:{EVER_NPI}", address=addr("1 Corporate Dr", "Hartford", "CT", "06103")),
        # A psychiatrist in the sliced taxonomy with no evidence of ketamine therapy: never a provider.
        item(name="Lone Shrink", kind="practitioner", source_url=api + LONE_NPI, npi=LONE_NPI,
             location_key=f"npi:{LONE_NPI}", address=addr("5 Elm St", "Worcester", "MA", "01608"),
             practitioners=[{"name": "Lone Shrink", "credentials": ["MD"], "npi": LONE_NPI}]),
    ]


def snapshot(db: Database) -> list[tuple]:  # type: ignore[type-arg]
    with db.session() as s:
        reg = s.scalar(select(Source.id).where(Source.kind == "registry"))
        out = []
        for p in s.scalars(select(Provider).order_by(Provider.kind, Provider.match_name)):
            ev = sorted(s.scalars(select(FieldEvidence.field).where(FieldEvidence.provider_id == p.id,
                                                                    FieldEvidence.source_id == reg)))
            out.append((p.kind, p.name, p.npi, tuple(p.phones), p.street, p.postal_code, tuple(ev)))
        return out


@pytest.mark.parametrize("order", ["registry_first", "site_first", "together"])
def test_registry_never_creates_providers_and_crawl_order_does_not_matter(db: Database, index, order: str) -> None:  # type: ignore[no-untyped-def]
    if order == "registry_first":
        crawl(db, "registry", registry_items())
        first = index()
        assert first.providers_created == 0 and providers(db) == [] and first.registry_pending == 4
        crawl(db, "clinic_site", site_items())
        index()
    elif order == "site_first":
        crawl(db, "clinic_site", site_items())
        index()
        crawl(db, "registry", registry_items())
        index()
    else:
        crawl(db, "registry", registry_items())
        crawl(db, "clinic_site", site_items())
        index()
    got = snapshot(db)
    assert [(k, n) for k, n, *_ in got] == [("clinic", "Evergreen Ketamine Centers – Boston"),
                                           ("clinic", "Stillwater Ketamine Clinic"), ("practitioner", "Dr. Jane Doe, MD")]
    still = got[1]
    assert still[2] == ORG_NPI  # identity: the registry's number beats the site's mistyped one
    assert still[3] == ("+16175550142",)  # contact: the site's phones only
    assert still[4] == "200 Boylston St Ste 5" and still[5] == "02116"  # the site's address, not the PO box
    assert "npi" in still[6] and "name" in still[6]  # the registry's evidence is attached (and kept)
    assert got[2][2] == DOE_NPI and "credentials" in got[2][6]
    with db.session() as s:  # the unmatched registry record is kept and waits for a provider
        assert s.scalar(select(func.count()).select_from(Observation)) == 6
        pending = s.scalars(select(RegistryPending.npi)).all()
        assert pending == [LONE_NPI]
    # ... and attaches when a clinic naming that person appears later.
    crawl(db, "clinic_site", [*site_items(), item(
        name="Worcester Ketamine", source_url="https://wk.test/", address=addr("5 Elm St", "Worcester", "MA", "01608"),
        practitioners=[{"name": "Lone Shrink MD", "credentials": ["MD"]}])])
    report = index()
    assert report.registry_pending == 0
    lone = [p for p in providers(db, "practitioner") if p.match_name == "lone shrink"]
    assert len(lone) == 1 and lone[0].npi == LONE_NPI


def test_snapshot_is_identical_across_orders(db: Database, index, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Site first then registry, and registry first then site, in two databases: the same providers."""
    crawl(db, "registry", registry_items())
    index()
    crawl(db, "clinic_site", site_items())
    index()
    a = snapshot(db)
    other = Database.connect(f"sqlite:///{tmp_path / 'other.sqlite3'}", migrate=True)
    crawl(other, "clinic_site", site_items())
    from indexer.pipeline import run_index
    from kdir.common.config import Settings

    settings = Settings.from_env({"KDIR_ENV": "test"})
    run_index(other, settings, verify=False)
    crawl(other, "registry", registry_items())
    run_index(other, settings, verify=False)
    assert snapshot(other) == a


def test_moderator_override_beats_every_source(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", site_items())
    crawl(db, "registry", registry_items())
    index()
    pid = next(p.id for p in providers(db) if p.match_name == "stillwater ketamine clinic")
    with db.session() as s:
        s.add(Override(provider_id=pid, field="npi", value="1111111112"))
        s.add(Override(provider_id=pid, field="name", value="Stillwater Clinic (Back Bay)"))
        s.flush()
        assert recompute_provider(s, pid) is True
        s.commit()
        p = s.get(Provider, pid)
        assert (p.name, p.npi) == ("Stillwater Clinic (Back Bay)", "1111111112")


def _cand(field: str, value: object, kind: str, tier: int, oid: int) -> Candidate:
    return Candidate(field, value, oid, oid, None, tier, datetime(2026, 1, oid, tzinfo=UTC), kind=kind)


def test_field_policy_table() -> None:
    reg = [_cand("name", "STILLWATER KETAMINE CLINIC PLLC", "registry", 3, 9), _cand("npi", "1234567893", "registry", 3, 9),
           _cand("address", {"street": "PO Box 77"}, "registry", 3, 9), _cand("phones", ["+16175559999"], "registry", 3, 9)]
    site = [_cand("name", "Stillwater Ketamine Clinic", "clinic_site", 2, 1), _cand("npi", "1234567890", "clinic_site", 2, 1),
            _cand("address", {"street": "200 Boylston St"}, "clinic_site", 2, 1)]
    directory = [_cand("phones", ["+16175550142"], "directory", 1, 2), _cand("name", "Stillwater", "directory", 1, 3)]
    sel = select_values(reg + site + directory)
    assert sel["name"].value == "Stillwater Ketamine Clinic"  # site > directory > registry
    assert sel["npi"].value == "1234567893"  # registry > site
    assert sel["address"].value == {"street": "200 Boylston St"}
    assert sel["phones"].value == ["+16175550142"]  # a directory beats the registry for contact facts
    last_resort = select_values(reg)
    assert last_resort["name"].value == "Stillwater Ketamine Clinic"  # title case, no legal suffix
    assert registry_display_name("Mind & Body, LLC") == "Mind & Body"  # not all caps: kept as written


def test_chain_npi_on_every_location_keeps_the_locations_apart(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    """A chain prints its organisation NPI on each location page: one provider per location, and the
    registry's organisation record attaches to the location at its address only."""
    sites = [item(name=f"Evergreen Ketamine Centers – {city}", source_url=f"https://evergreen.test/{city}", npi=EVER_NPI,
                  phones=[phone], address=addr(street, city, state, zip_code))
             for city, street, state, zip_code, phone in (
                 ("Boston", "45 Tremont St, Suite 600", "MA", "02108", "617-555-0190"),
                 ("Cambridge", "1 Kendall Sq, Building 200", "MA", "02139", "617-555-0191"),
                 ("Providence", "100 Westminster St, Suite 350", "RI", "02903", "401-555-0192"))]
    crawl(db, "clinic_site", sites)
    crawl(db, "registry", [item(name="EVERGREEN KETAMINE CENTERS LLC", npi=EVER_NPI, location_key=f"npi:{EVER_NPI}",
                                source_url="https://npiregistry.test/x",
                                address=addr("45 TREMONT ST SUITE 600", "BOSTON", "MA", "02108"))])
    report = index()
    assert report.providers_created == 3 and report.registry_pending == 0
    names = [p.name for p in providers(db)]
    assert names == [f"Evergreen Ketamine Centers – {c}" for c in ("Boston", "Cambridge", "Providence")]
    with db.session() as s:
        reg = s.scalar(select(Source.id).where(Source.kind == "registry"))
        attached = s.scalars(select(Observation.provider_id).where(Observation.source_id == reg)).all()
        boston = next(p.id for p in providers(db) if p.name.endswith("Boston"))
        assert attached == [boston]


class _Registry(BaseHTTPRequestHandler):
    body = ""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def registry_url() -> Iterator[str]:
    record = {"number": DOE_NPI, "enumeration_type": "NPI-1",
              "basic": {"first_name": "JANE", "middle_name": "QUINN", "last_name": "DOE", "credential": "M.D.",
                        "status": "A"},
              "taxonomies": [{"code": "2084P0800X", "desc": "Psychiatry", "primary": True, "state": "MA",
                              "license": "M1"}], "addresses": [{"address_purpose": "LOCATION", "state": "MA"}]}
    handler = type("H", (_Registry,), {"body": json.dumps({"result_count": 1, "results": [record]})})
    server = ThreadingHTTPServer(("127.0.0.78", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.78:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


def test_npi_found_by_verification_attaches_the_waiting_registry_record(db: Database, index, registry_url: str) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [item(name="Back Bay Ketamine", source_url="https://bbk.test/", address=BOSTON,
                                   practitioners=[{"name": "Dr. Jane Doe, MD", "credentials": ["MD"]}])])
    crawl(db, "registry", [item(name="Jane Quinn Doe", kind="practitioner", npi=DOE_NPI, location_key=f"npi:{DOE_NPI}",
                                source_url="https://npiregistry.test/doe", address=addr("1 Mailing Way", "Newton", "MA", "02458"),
                                practitioners=[{"name": "Jane Quinn Doe", "credentials": ["MD"], "npi": DOE_NPI}])])
    assert index().registry_pending == 1  # "jane quinn doe" is not "jane doe" for the match rules
    from indexer.pipeline import run_index
    from indexer.verify.nppes import NppesClient
    from kdir.common.config import Settings

    report = run_index(db, Settings.from_env({"KDIR_ENV": "test"}), verify=True,
                       registry=NppesClient(registry_url, pause_s=0.0))
    assert report.credentials.get("verified") == 1
    jane = providers(db, "practitioner")
    assert len(jane) == 1 and jane[0].npi == DOE_NPI and jane[0].name == "Dr. Jane Doe, MD"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(RegistryPending)) == 0
        rule = s.scalar(select(MatchLink.rule).where(MatchLink.location_key == f"npi:{DOE_NPI}"))
        assert rule == "npi_verified"
