"""JSON API: every parameter, bad values (400 naming the parameter, never a 500), OpenAPI conformance."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from tests.web.seed import XSS_NAME, add_many


@pytest.fixture
def web_db(sqlite_db: Any) -> Any:
    """Search-only tests: SQLite is enough (the database is not their subject)."""
    return sqlite_db


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """A component schema with the document's components, resolvable by jsonschema."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": f"#/components/schemas/{name}",
            "components": doc["components"]}


@pytest.fixture
def spec(client: Any) -> dict[str, Any]:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def _check(spec: dict[str, Any], name: str, body: Any) -> None:
    jsonschema.validate(body, _schema(spec, name), cls=jsonschema.Draft202012Validator)


def _names(body: dict[str, Any]) -> list[str]:
    return [r["name"] for r in body["results"]]


def test_openapi_document_is_valid(spec: dict[str, Any]) -> None:
    validate(spec)
    params = {p["name"] for p in spec["paths"]["/api/v1/providers"]["get"]["parameters"]}
    assert {"q", "near", "radius_km", "modality", "condition", "service", "verified", "min_rating", "sort",
            "page", "per_page"} <= params


def test_list_conforms_and_is_published_only(client: Any, spec: dict[str, Any], seeded: Any) -> None:
    r = client.get("/api/v1/providers?per_page=50")
    assert r.status_code == 200
    body = r.get_json()
    _check(spec, "ProviderList", body)
    ids = {x["id"] for x in body["results"]}
    assert seeded["sunrise"] in ids and seeded["hostile"] in ids
    assert seeded["pending"] not in ids and seeded["merged"] not in ids
    assert seeded["stale"] not in ids  # stale listings are hidden from default search
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert XSS_NAME in _names(body)  # JSON carries the raw text; escaping is the client's job


def test_text_query(client: Any, seeded: Any) -> None:
    body = client.get("/api/v1/providers?q=sunrise").get_json()
    assert body["results"][0]["id"] == seeded["sunrise"]
    assert "\x02" not in body["results"][0]["name"]


def test_near_radius_and_distance_sort(client: Any, spec: dict[str, Any], seeded: Any) -> None:
    body = client.get("/api/v1/providers?near=78701&radius_km=30&sort=distance&kind=clinic").get_json()
    _check(spec, "ProviderList", body)
    assert body["near"]["label"].startswith("78701")
    ids = [x["id"] for x in body["results"]]
    assert ids[:2] == [seeded["sunrise"], seeded["austin_wellness"]]
    assert seeded["mile_high"] not in ids
    dists = [x["distance_km"] for x in body["results"]]
    assert dists == sorted(dists) and dists[0] < 2
    body = client.get("/api/v1/providers?near=Denver,%20CO&radius_km=50&kind=clinic").get_json()
    assert [x["id"] for x in body["results"]] == [seeded["mile_high"]]


FILTER_CASES = [
    ("modality=esketamine_nasal", {"rose_city"}, {"sunrise"}),
    # values of one filter: ANY OF; filters: AND
    ("modality=iv_infusion&modality=im_injection", {"sunrise", "mile_high"}, {"rose_city", "patel"}),
    ("modality=iv_infusion,esketamine_nasal", {"sunrise", "mile_high", "rose_city"}, {"patel"}),
    ("modality=iv_infusion,esketamine_nasal&service=spravato_rems_certified", {"rose_city"}, {"sunrise"}),
    ("condition=ptsd&kind=clinic", {"sunrise", "blue_ridge"}, {"mile_high"}),
    ("service=spravato_rems_certified", {"rose_city"}, {"sunrise"}),
    ("verified=true&kind=clinic", {"sunrise", "rose_city"}, {"mile_high", "blue_ridge"}),
    ("psychiatrist=1&kind=clinic", {"sunrise", "rose_city"}, {"blue_ridge"}),
    ("therapist=yes", {"sunrise", "blue_ridge"}, {"rose_city"}),
    ("insurance=true", {"mile_high", "rose_city"}, {"sunrise"}),  # the old flag: service=accepts_insurance
    ("service=accepts_insurance", {"mile_high", "rose_city"}, {"sunrise"}),
    ("telehealth=true", {"patel"}, {"sunrise"}),
    ("service=telehealth", {"patel"}, {"sunrise"}),
    ("kind=practitioner", {"patel"}, {"sunrise"}),
    ("min_rating=4.4", {"sunrise", "rose_city"}, {"mile_high", "hostile"}),
]


def test_filters(client: Any, seeded: Any) -> None:
    for query, expected, absent in FILTER_CASES:
        r = client.get(f"/api/v1/providers?per_page=50&{query}")
        assert r.status_code == 200, (query, r.get_json())
        ids = {x["id"] for x in r.get_json()["results"]}
        assert {seeded[k] for k in expected} <= ids, query
        assert not ({seeded[k] for k in absent} & ids), query


def test_rating_sort(client: Any, seeded: Any) -> None:
    body = client.get("/api/v1/providers?sort=rating&kind=clinic&per_page=3").get_json()
    bayes = [x["rating_bayes"] for x in body["results"]]
    assert bayes == sorted(bayes, reverse=True)
    # Bayesian average, prior m=4.0 C=10: Sunrise (4.8 x 24, 4.5 x 10) 4.55 > Rose City (4.6 x 40) 4.48
    assert [x["id"] for x in body["results"][:2]] == [seeded["sunrise"], seeded["rose_city"]]


def test_pagination_and_per_page_cap(client: Any, web_db: Any, search_backend: Any, seeded: Any) -> None:
    from tests.web.seed import publish

    add_many(web_db, 30)
    publish(web_db, search_backend)
    first = client.get("/api/v1/providers?q=filler&per_page=20").get_json()
    second = client.get("/api/v1/providers?q=filler&per_page=20&page=2").get_json()
    assert first["total"] == 30 and first["pages"] == 2
    assert len(first["results"]) == 20 and len(second["results"]) == 10
    assert not ({x["id"] for x in first["results"]} & {x["id"] for x in second["results"]})
    r = client.get("/api/v1/providers?per_page=51")
    assert r.status_code == 400 and r.get_json()["parameter"] == "per_page"
    assert len(client.get("/api/v1/providers?per_page=50").get_json()["results"]) == 42  # 12 live seeded + 30


BAD_CASES = [
    ("near=00000", "near"), ("near=Atlantis,%20XX", "near"), ("near=Nowhereville", "near"),
    ("radius_km=-5&near=78701", "radius_km"), ("radius_km=abc", "radius_km"), ("radius_km=nan", "radius_km"),
    ("radius_km=1e9", "radius_km"), ("modality=laser", "modality"), ("condition=flu", "condition"),
    ("service=massage", "service"), ("verified=maybe", "verified"), ("telehealth=2", "telehealth"),
    ("min_rating=6", "min_rating"), ("min_rating=four", "min_rating"), ("min_rating=inf", "min_rating"),
    ("sort=cheapest", "sort"), ("sort=distance", "sort"), ("telehealth_state=XX", "telehealth_state"), ("page=0", "page"), ("page=-1", "page"),
    ("page=1.5", "page"), ("page=999999", "page"), ("per_page=0", "per_page"), ("per_page=x", "per_page"),
    ("kind=robot", "kind"), ("q=" + "a" * 201, "q"), ("q=a&q=b", "q"), ("q=%00", "q"), ("color=red", "color"),
]


def test_bad_parameters(client: Any, spec: dict[str, Any], seeded: Any) -> None:
    for query, parameter in BAD_CASES:
        r = client.get(f"/api/v1/providers?{query}")
        assert r.status_code == 400, query
        body = r.get_json()
        _check(spec, "Error", body)
        assert body["parameter"] == parameter, query


HOSTILE_QUERIES = ['"', "NEAR(", "*", "a OR", "))((", "-", "sunrise*", "'; DROP TABLE providers;--", "<script>",
                   "\u202e", "ke\u0301tamine", "\x02sunrise\x03", "a" * 200, "AND AND", "name:sunrise", "^"]


def test_hostile_query_text_never_fails(client: Any, seeded: Any) -> None:
    for q in HOSTILE_QUERIES:
        r = client.get("/api/v1/providers", query_string={"q": q})
        assert r.status_code == 200, (q, r.get_json())


PARAMS = ["q", "near", "radius_km", "modality", "condition", "service", "verified", "psychiatrist", "therapist",
          "insurance", "telehealth", "telehealth_state", "kind", "min_rating", "sort", "page", "per_page"]
VALUES = st.one_of(st.text(max_size=30), st.sampled_from(["1", "0", "true", "78701", "Austin, TX", "distance",
                                                          "iv_infusion", "nan", "-0", "1e308", "50", "٣"]))


def test_fuzzed_parameters_never_cause_a_server_error(web_settings: Any, web_db: Any, search_backend: Any,
                                                       seeded: Any) -> None:
    from tests.web.conftest import make_app

    client = make_app(web_settings, web_db, search_backend, RATELIMIT_ENABLED=False).test_client()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(st.tuples(st.sampled_from(PARAMS), VALUES), max_size=5))
    def run(pairs: list[tuple[str, str]]) -> None:
        r = client.get("/api/v1/providers", query_string=pairs)
        assert r.status_code in (200, 400), (pairs, r.get_json())
        page = client.get("/search", query_string=pairs)
        assert page.status_code in (200, 400), pairs

    run()


def test_public_rate_limit_answers_429_json(web_db: Any, search_backend: Any, seeded: Any, tmp_path: Any) -> None:
    from tests.web.conftest import make_app, make_settings

    client = make_app(make_settings(web_db, tmp_path, ratelimit="3/minute"), web_db, search_backend).test_client()
    codes = [client.get("/api/v1/providers?q=sunrise").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get("/api/v1/providers")
    assert r.status_code == 429 and r.get_json() == {"error": "too many requests", "parameter": None}
    assert client.get("/api/v1/openapi.json").status_code == 200  # the document is exempt
    assert client.get("/static/css/site.css").status_code == 200
