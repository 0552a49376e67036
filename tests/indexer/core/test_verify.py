from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import Credential, Provider, RegistryCache
from indexer.pipeline import run_index
from indexer.verify.nppes import NppesClient, RegistryError, parse_result
from kdir.common.config import Settings
from kdir.sampleweb.ground_truth import get_truth
from kdir.sampleweb.server import SampleWeb
from tests.indexer.core.conftest import crawl, item


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    w = SampleWeb(first_octet=120, port=0).start()
    yield w
    w.stop()


class _Scripted(BaseHTTPRequestHandler):
    """Answers from a script of (status, body) pairs, then repeats the last one."""

    script: list[tuple[int, str]] = []
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append(self.path)
        status, body = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[_Scripted]]]:
    handler = type("H", (_Scripted,), {"script": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.77", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.77:{server.server_address[1]}/api/", handler
    server.shutdown()
    server.server_close()


def test_truth_outcomes_against_the_sample_registry(db: Database, web: SampleWeb) -> None:
    truth = get_truth(web.urls)
    items = []
    for lst in truth.listings():
        if not lst.practitioners:
            continue
        items.append(item(
            kind=lst.kind, npi=lst.npi, name=lst.name, source_url=f"{web.sites[lst.site]}/{lst.slug}", phones=list(lst.phones),
            address={"street": lst.address.street, "city": lst.address.city, "region": lst.address.region,
                     "postal_code": lst.address.postal_code, "country": "US"},
            practitioners=[{"name": p.name, "credentials": list(p.credentials), "role": p.role, "npi": p.npi}
                           for p in lst.practitioners]))
    crawl(db, "clinic_site", items)
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_NPPES_URL": web.nppes_url})
    client = NppesClient(web.nppes_url, pause_s=0.0, backoff_s=0.0)
    report = run_index(db, settings, verify=True, registry=client)
    assert sum(report.credentials.values()) > 0
    with db.session() as s:
        got = {(p.match_name, c.credential): (c.outcome, c.reason, c.registry_taxonomies, c.registry_npi)
               for c, p in s.execute(select(Credential, Provider).join(Provider, Provider.id == Credential.provider_id)
                                     .where(Provider.kind == "practitioner"))}
    from kdir.common.names import person_match_name

    checked = 0
    for _lst, p in truth.practitioners():
        key = (person_match_name(p.name), p.credentials[0])
        assert key in got, key
        outcome, reason, taxonomies, registry_npi = got[key]
        assert outcome == p.verification, (p.name, p.trap, outcome, reason)
        if p.registry_npi:  # every verified/mismatch outcome names the record it rests on
            assert registry_npi == p.registry_npi, (p.name, registry_npi)
        if outcome == "mismatch":
            assert reason
        if outcome == "verified":
            assert taxonomies and all("code" in t for t in taxonomies)
        checked += 1
    assert checked >= 10
    # Each practitioner's "licensed in" list is the states of the registry's licences (Sam Patel: NC and SC).
    with db.session() as s:
        licensed = {p.match_name: p.licensed_states for p in s.scalars(select(Provider))}
    expected = [(lst, p) for lst, p in truth.practitioners() if lst.licensed_states]
    assert expected
    for lst, p in expected:
        assert licensed[person_match_name(p.name)] == sorted(lst.licensed_states), p.name
    # Rerun: nothing is re-checked before the TTL, and the cache spares the registry.
    before = client.requests_made
    again = run_index(db, settings, verify=True, registry=client)
    assert again.credentials == {} and client.requests_made == before


def test_client_handles_errors_with_http_200_retries_and_cache(db: Database, scripted) -> None:  # type: ignore[no-untyped-def]
    url, handler = scripted
    client = NppesClient(url, pause_s=0.0, backoff_s=0.01, retries=2)
    handler.script[:] = [(200, json.dumps({"Errors": [{"description": "No valid search criteria",
                                                       "field": "state", "number": "04"}]}))]
    with db.session() as s, pytest.raises(RegistryError, match="No valid search criteria"):
        client.lookup(s, state="TX")
    record = {"number": 1234567893, "enumeration_type": "NPI-1", "last_updated_epoch": "1700000000000",
              "basic": {"first_name": "HELEN", "last_name": "PARK", "credential": "M.D.", "status": "A"},
              "taxonomies": [{"code": "2084P0800X", "desc": "Psychiatry", "primary": "true", "state": "TX",
                              "license": "X1"}], "addresses": [{"state": "TX"}]}
    handler.script[:] = [(503, "down"), (200, "not json"), (200, json.dumps({"result_count": 1,
                                                                             "results": [record]}))]
    handler.seen.clear()
    with db.session() as s:
        (rec,) = client.lookup(s, number="1234567893")
        s.commit()
    assert len(handler.seen) == 3 and "version=2.1" in handler.seen[-1]
    assert rec.number == "1234567893" and rec.taxonomies[0].primary and rec.last_updated is not None
    with db.session() as s:  # cached: no request
        assert client.lookup(s, number="1234567893")[0].name == "HELEN PARK"
        assert s.scalar(select(RegistryCache)) is not None
    assert len(handler.seen) == 3
    expired = NppesClient(url, pause_s=0.0, backoff_s=0.0, retries=0, cache_ttl=timedelta(0))
    handler.script[:] = [(500, "boom")]
    with db.session() as s, pytest.raises(RegistryError, match="unreachable"):
        expired.lookup(s, number="1234567893")
    assert parse_result({"number": "12"}) is None and parse_result("x") is None


def test_qualification_signals_from_verified_credentials(db: Database, web: SampleWeb) -> None:
    truth = get_truth(web.urls)
    lst = next(x for x in truth.listings() if any(p.name == "Helen Park" for p in x.practitioners))
    crawl(db, "clinic_site", [item(
        name=lst.name, source_url=web.sites[lst.site] + "/", phones=list(lst.phones),
        address={"street": lst.address.street, "city": lst.address.city, "region": lst.address.region,
                 "postal_code": lst.address.postal_code},
        services=["integration_therapy", "spravato_rems_certified"], modalities=["iv_infusion", "at_home"],
        price={"min": 400, "max": 450, "currency": "USD", "unit": "session"},
        practitioners=[{"name": p.name, "credentials": list(p.credentials), "role": p.role, "npi": p.npi}
                       for p in lst.practitioners] + [{"name": "Robin Hale", "credentials": ["LCSW"],
                                                        "role": "Integration Therapist"}])])
    settings = Settings.from_env({"KDIR_ENV": "test"})
    unverified = run_index(db, settings, verify=False)
    assert unverified.credentials == {}
    with db.session() as s:
        clinic = s.scalars(select(Provider).where(Provider.kind == "clinic")).one()
        signals = {x["code"]: x for x in clinic.qualification["signals"]}
        assert clinic.qualification["verified"] is False
        assert signals["medical_director"]["verified"] is False
        assert signals["licensed_therapist"]["verified"] is False  # claimed LCSW
        assert {"integration_therapy", "rems_claimed", "at_home_context", "transparent_pricing"} <= set(signals)
        assert signals["rems_claimed"]["evidence"][0]["url"] == web.sites[lst.site] + "/"
    run_index(db, settings, verify=True, registry=NppesClient(web.nppes_url, pause_s=0.0))
    with db.session() as s:
        clinic = s.scalars(select(Provider).where(Provider.kind == "clinic")).one()
        signals = {x["code"]: x for x in clinic.qualification["signals"]}
        assert clinic.qualification["verified"] is True and clinic.last_verified_at is not None
        assert signals["prescriber_verified"]["verified"] and signals["medical_director"]["verified"]
        assert signals["anesthesiologist"]["verified"]  # Helen Park's registry taxonomy is anesthesiology
        assert "psychiatrist" not in signals


def test_default_client_is_fast_on_loopback_and_outcomes_are_reported(db: Database, web: SampleWeb) -> None:
    from indexer.verify.credentials import default_client

    assert default_client(Settings.from_env({"KDIR_ENV": "test"})).pause_s > 0  # the public registry
    crawl(db, "clinic_site", [item(name="Solo Practice", kind="practitioner", source_url="https://solo.test/",
                                   address={"street": "1 Main St", "city": "Austin", "region": "TX",
                                            "postal_code": "78701"},
                                   practitioners=[{"name": "Dan Kim", "credentials": ["PA-C"],
                                                   "npi": "1744059830"}])])
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_NPPES_URL": web.nppes_url})
    assert default_client(settings).pause_s == 0
    report = run_index(db, settings, verify=True)
    assert report.credentials == {"invalid_number": 1}
    with db.session() as s:
        (p,) = s.scalars(select(Provider)).all()
        assert p.name == "Dan Kim" and p.qualification["verified"] is False
