from __future__ import annotations

import requests

from kdir.sampleweb.ground_truth import get_truth
from kdir.sampleweb.server import SampleWeb

QUERY = '[out:json][timeout:25];(nwr["healthcare"="clinic"](24,-125,50,-66););out center tags;'


def test_get_and_post_answer_in_overpass_json(web: SampleWeb, http: requests.Session) -> None:
    by_get = http.get(web.overpass_url, params={"data": QUERY}, timeout=5)
    by_post = http.post(web.overpass_url, data={"data": QUERY}, timeout=5)
    for r in (by_get, by_post):
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
        body = r.json()
        assert body["version"] == 0.6 and body["generator"].startswith("Overpass API")
        kinds = {e["type"] for e in body["elements"]}
        assert kinds == {"node", "way"}
        for e in body["elements"]:
            assert isinstance(e["id"], int) and isinstance(e["tags"], dict)
            if e["type"] == "node":
                assert isinstance(e["lat"], float) and isinstance(e["lon"], float)
            else:
                assert set(e["center"]) == {"lat", "lon"}
    assert by_get.json() == by_post.json()


def test_website_tags_are_live_and_truth_covers_every_element(web: SampleWeb, http: requests.Session) -> None:
    elements = http.get(web.overpass_url, params={"data": QUERY}, timeout=5).json()["elements"]
    sites = [e["tags"].get("website") or e["tags"].get("contact:website") for e in elements]
    live = [s for s in sites if s]
    assert live and all(s.startswith("http://127.") for s in live)
    for s in live:
        assert http.get(s, timeout=5).status_code == 200
    truth = get_truth(web)
    assert [o.osm_id for o in truth.osm] == [f"{e['type']}/{e['id']}" for e in elements]
    kept = [o for o in truth.osm if o.keep]
    assert kept and all("Ketamine" in (o.name or "") for o in kept)
    assert any(not o.keep for o in truth.osm)


def test_empty_query_is_an_error(web: SampleWeb, http: requests.Session) -> None:
    assert http.post(web.overpass_url, data={"data": ""}, timeout=5).status_code == 400
    assert http.get(web.urls["overpass"] + "/elsewhere", timeout=5).status_code == 404
