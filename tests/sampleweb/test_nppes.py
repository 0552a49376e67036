from __future__ import annotations

from typing import Any

import requests

from kdir.common.npi import is_valid_npi
from kdir.sampleweb.nppes_data import GENERATED_COUNT, registry_records
from kdir.sampleweb.server import SampleWeb

RESULT_KEYS = {"number", "enumeration_type", "created_epoch", "last_updated_epoch", "basic", "addresses",
               "practiceLocations", "taxonomies", "identifiers", "endpoints", "other_names"}


def q(web: SampleWeb, http: requests.Session, **params: Any) -> dict[str, Any]:
    r = http.get(web.nppes_url, params={"version": "2.1", **params}, timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    return r.json()


def test_lookup_by_number_has_real_format(web: SampleWeb, http: requests.Session) -> None:
    body = q(web, http, number="1583014422")
    assert body["result_count"] == 1
    rec = body["results"][0]
    assert set(rec) >= RESULT_KEYS
    assert str(rec["number"]) == "1583014422" and rec["enumeration_type"] == "NPI-1"
    assert rec["basic"]["first_name"] == "HELEN" and rec["basic"]["status"] == "A"
    purposes = {a["address_purpose"] for a in rec["addresses"]}
    assert purposes == {"LOCATION", "MAILING"}
    assert rec["addresses"][0]["state"] == "TX" and rec["addresses"][0]["telephone_number"] == "512-555-0101"
    tax = rec["taxonomies"][0]
    assert tax["code"] == "207L00000X" and tax["primary"] is True and tax["desc"] == "Anesthesiology"


def test_deactivated_and_absent_numbers(web: SampleWeb, http: requests.Session) -> None:
    # Like the real registry, a deactivated number answers exactly like an unknown one.
    assert q(web, http, number="1872063411") == {"result_count": 0, "results": []}
    assert q(web, http, number="1633741826") == {"result_count": 0, "results": []}
    assert q(web, http, last_name="Olsen", state="AZ") == {"result_count": 0, "results": []}


def test_name_search_is_case_insensitive_and_finds_namesakes(web: SampleWeb, http: requests.Session) -> None:
    both = q(web, http, first_name="helen", last_name="Park", name_purpose="PROVIDER")
    assert both["result_count"] == 2
    assert {r["addresses"][0]["state"] for r in both["results"]} == {"TX", "WA"}
    assert q(web, http, first_name="Helen", last_name="Park", state="TX")["result_count"] == 1
    assert q(web, http, first_name="Michael", last_name="Brennan", state="MA")["result_count"] == 2
    # the registry spells names without accents
    assert q(web, http, first_name="Jose", last_name="Nunez", state="NM")["result_count"] == 1


def test_name_purpose_separates_providers_from_authorized_officials(web: SampleWeb,
                                                                     http: requests.Session) -> None:
    # Caroline Ashby is a psychiatrist and the authorized official of the Tidewater clinic.
    own = q(web, http, first_name="Caroline", last_name="Ashby", name_purpose="PROVIDER")
    assert [str(r["number"]) for r in own["results"]] == ["1406289532"]
    official = q(web, http, last_name="Ashby", name_purpose="AO")
    assert [r["basic"]["organization_name"] for r in official["results"]] == [
        "TIDEWATER KETAMINE & SPRAVATO CENTER LLC"]
    assert q(web, http, last_name="Ashby", name_purpose="X")["Errors"][0]["field"] == "name_purpose"


def test_wildcards(web: SampleWeb, http: requests.Session) -> None:
    body = q(web, http, organization_name="evergreen*")
    names = [r["basic"]["organization_name"] for r in body["results"]]
    assert "EVERGREEN KETAMINE CENTERS LLC" in names and all(n.startswith("EVERGREEN") for n in names)
    assert q(web, http, organization_name="Evergreen")["result_count"] == 0  # no implicit wildcard
    assert q(web, http, last_name="Natara*")["results"][0]["basic"]["last_name"] == "NATARAJAN"
    err = q(web, http, last_name="N*")
    assert err["Errors"][0]["field"] == "last_name" and "result_count" not in err


def test_state_and_taxonomy_slicing_with_limit_and_skip(web: SampleWeb, http: requests.Session) -> None:
    params = {"state": "MA", "taxonomy_description": "psychiatry"}
    everything = q(web, http, limit="200", **params)
    total = everything["result_count"]
    assert total > 10
    assert all(any("PSYCHIATRY" in t["desc"].upper() for t in r["taxonomies"]) for r in everything["results"])
    assert all(any(a["state"] == "MA" for a in r["addresses"]) for r in everything["results"])
    assert q(web, http, **params)["result_count"] == 10  # default limit
    seen: list[str] = []
    skip = 0
    while True:
        page = q(web, http, limit="4", skip=str(skip), **params)
        seen += [str(r["number"]) for r in page["results"]]
        if page["result_count"] < 4:
            break
        skip += 4
    assert seen == [str(r["number"]) for r in everything["results"]]
    one = q(web, http, enumeration_type="NPI-2", **params)
    assert one["result_count"] == 0 or all(r["enumeration_type"] == "NPI-2" for r in one["results"])


def test_errors_come_back_with_http_200(web: SampleWeb, http: requests.Session) -> None:
    cases = [({}, "generic"), ({"state": "TX"}, "state"), ({"enumeration_type": "NPI-1"}, "enumeration_type"),
             ({"city": "Austin", "limit": "201"}, "limit"), ({"city": "Austin", "limit": "0"}, "limit"),
             ({"city": "Austin", "skip": "1001"}, "skip"), ({"number": "12345"}, "number"),
             ({"city": "Austin", "enumeration_type": "NPI-3"}, "enumeration_type")]
    for params, field in cases:
        body = q(web, http, **params)
        assert set(body) == {"Errors"}, params
        assert body["Errors"][0]["field"] == field and body["Errors"][0]["description"], params
    body = http.get(web.nppes_url, params={"version": "1.0", "number": "1583014422"}, timeout=5).json()
    assert body["Errors"][0]["field"] == "version"


def test_postal_code_and_city(web: SampleWeb, http: requests.Session) -> None:
    body = q(web, http, postal_code="78701", last_name="Ellis")
    assert body["result_count"] == 1 and body["results"][0]["addresses"][0]["postal_code"] == "787011432"
    assert q(web, http, city="austin", last_name="Park", name_purpose="PROVIDER")["result_count"] == 1


def test_registry_data_is_valid_and_drifts_like_the_real_one() -> None:
    recs = registry_records()
    assert len(recs) >= GENERATED_COUNT
    assert all(is_valid_npi(str(r["number"])) for r in recs)
    assert len({str(r["number"]) for r in recs}) == len(recs)
    assert {type(r["number"]) for r in recs} == {int, str}
    assert {type(r["created_epoch"]) for r in recs} == {int, str}
    assert any("sex" in r["basic"] for r in recs) and any("gender" in r["basic"] for r in recs)
    assert {r["enumeration_type"] for r in recs} == {"NPI-1", "NPI-2"}


def test_unknown_paths(web: SampleWeb, http: requests.Session) -> None:
    assert http.get(web.urls["nppes"] + "/other", timeout=5).status_code == 404
