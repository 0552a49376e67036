"""Any id on a public page that names nothing -- out of range, huge, negative, not a number, unpublished -- is a
404 page (400 with a JSON error in the API), never a 500. On SQLite and PostgreSQL (PostgreSQL's INTEGER is
where a huge id used to fail)."""

from __future__ import annotations

import re
from typing import Any

from web.ids import MAX_ID

#: Ids that can never name a provider (or a report).
BAD_IDS = ("0", "-1", "-2147483648", str(MAX_ID + 1), "9223372036854775808", "99999999999999999999",
           "1" * 400, "1.5", "1e3", "0x10", "abc", "%00", "%20", "١٢", "+1", "00000000000000000000001x")
#: In range, but no provider has them.
UNKNOWN_IDS = (str(MAX_ID), "987654")


def _csrf(client: Any, pid: int) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(f"/providers/{pid}").get_data(True))
    assert m
    return m.group(1)


def test_provider_pages_with_ids_out_of_range_are_404(client: Any, seeded: Any) -> None:
    """Every bad id on every public id route (one seeding for the whole walk)."""
    token = _csrf(client, seeded["sunrise"])
    walked = 0
    for bad in BAD_IDS + UNKNOWN_IDS:
        for method, path, data in (("GET", f"/providers/{bad}", None), ("GET", f"/providers/{bad}/report", None),
                                   ("POST", f"/providers/{bad}/report", {"csrf_token": token, "category": "other",
                                                                         "message": "closed"}),
                                   ("POST", f"/providers/{bad}/report", {"category": "other"})):
            r = client.open(path, method=method, data=data, follow_redirects=method == "GET")
            walked += 1
            if data is not None and "csrf_token" not in data and bad in UNKNOWN_IDS:
                assert r.status_code == 400, (method, path, r.status_code)  # the form's CSRF check answers first
                continue
            assert r.status_code == 404, (method, path, r.status_code)
            html = r.get_data(as_text=True)
            assert "We could not find this page" in html and "Go to the search page" in html
    assert walked == 4 * (len(BAD_IDS) + len(UNKNOWN_IDS))


def test_api_ids_out_of_range_are_400_with_the_reason(client: Any, seeded: Any) -> None:
    for bad in BAD_IDS:
        r = client.get(f"/api/v1/providers/{bad}")
        assert r.status_code in (400, 404), (bad, r.status_code)
        assert r.is_json and r.get_json()["error"], bad


def test_unpublished_and_merged_ids(client: Any, seeded: Any) -> None:
    assert client.get(f"/providers/{seeded['pending']}").status_code == 404
    token = _csrf(client, seeded["sunrise"])
    r = client.post(f"/providers/{seeded['pending']}/report", data={"csrf_token": token, "category": "other",
                                                                    "message": "closed"})
    assert r.status_code == 404
    assert client.get(f"/providers/{seeded['merged']}").status_code == 301


def test_a_real_id_still_works(client: Any, seeded: Any) -> None:
    """The walk above would pass on a site that answers 404 to everything."""
    assert client.get(f"/providers/{seeded['sunrise']}").status_code == 200
    assert client.get(f"/api/v1/providers/{seeded['sunrise']}").status_code == 200
