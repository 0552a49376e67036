"""Provider pages, "Report a problem" and the API's detail endpoint: on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select

from indexer.db.models import Flag


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)


def _check(client: Any, name: str, body: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


def test_detail_conforms_with_evidence_and_credentials(client: Any, seeded: Any) -> None:
    body = client.get(f"/api/v1/providers/{seeded['sunrise']}").get_json()
    _check(client, "ProviderDetail", body)
    assert body["name"] == "Sunrise Ketamine Clinic"
    reyes = next(p for p in body["practitioners"] if p["name"] == "Alan Reyes")
    assert reyes["credentials"][0]["verification"] == "verified"
    assert reyes["credentials"][0]["registry_url"] == "https://npiregistry.cms.hhs.gov/provider-view/1234567893"
    record = reyes["credentials"][0]["registry"]
    assert record["npi"] == "1234567893" and record["url"] == reyes["credentials"][0]["registry_url"]
    assert record["taxonomy"] == "Psychiatry & Neurology, Psychiatry" and record["active"] is True
    assert record["states"] and record["last_updated"]
    assert {s["source"] for s in body["rating"]["sources"]} == {"KetamineFinder Sample", "Other Sample Directory"}
    assert body["evidence"]["name"][0]["source"] == "Clinic websites"
    assert any(s["code"] == "psychiatrist" for s in body["signals"])


def test_detail_not_public_merged_and_bad_ids(client: Any, seeded: Any) -> None:
    r = client.get(f"/api/v1/providers/{seeded['pending']}")
    assert r.status_code == 404 and r.get_json()["parameter"] == "id"
    r = client.get(f"/api/v1/providers/{seeded['merged']}")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/api/v1/providers/{seeded['sunrise']}")
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999", "%00", "١٢"):
        r = client.get(f"/api/v1/providers/{bad}")
        assert r.status_code == 400, bad
        assert r.get_json() == {"error": "id must be a whole number from 1 to 2147483647", "parameter": "id"}
    assert client.get("/api/v1/providers/987654").status_code == 404


def test_provider_page_shows_evidence_credentials_ratings(client: Any, seeded: Any) -> None:
    r = client.get(f"/providers/{seeded['sunrise']}")
    html = " ".join(r.get_data(as_text=True).split())
    assert r.status_code == 200
    assert "Alan Reyes" in html and "Verified in the NPI registry" in html
    assert 'href="https://npiregistry.cms.hhs.gov/provider-view/1234567893" rel="nofollow noopener ugc"' in html
    reyes = html[html.index('data-person="Alan Reyes"'):html.index('data-person="Maria Chen"')]
    assert 'data-status="verified"' in reyes and "Verified in the NPI registry" in reyes
    assert re.search(r"<dt>NPI:</dt> <dd>1234567893</dd><dt>Name in the registry:</dt> <dd>ALAN REYES</dd>"
                     r"<dt>Registered as:</dt> <dd>Psychiatry &amp; Neurology, Psychiatry</dd><dt>State:</dt> "
                     r"<dd>TX</dd>", reyes), reyes
    assert ">NPI Registry record</a>" in reyes
    assert "KetamineFinder Sample: 4.8 out of 5 (24 reviews)" in html
    assert 'href="https://directory.example/sunrise" rel="nofollow noopener ugc"' in html
    assert "Caring staff" in html and "I told them about my diagnosis" not in html  # hidden review
    assert "Where each fact comes from" in html and "the clinic&#39;s website" in html and "seen 2026-11-01" in html
    assert "Clinic websites" not in html  # a source is named for what it is, not by its stored name
    assert '<script type="application/ld+json">' in html and '"@type":"MedicalClinic"' in html
    assert '<a href="tel:+15125550101">(512) 555-0101</a>' in html
    assert '<a href="mailto:info@sunrise-ketamine.example">info@sunrise-ketamine.example</a>' in html
    mile = client.get(f"/providers/{seeded['mile_high']}").get_data(as_text=True)
    assert "The NPI printed is not a valid number" in mile and "npiregistry" not in mile


def test_provider_notices(client: Any, seeded: Any) -> None:
    html = client.get(f"/providers/{seeded['patel']}").get_data(as_text=True)
    assert "About at-home ketamine" in html and "October 2023" in html
    html = client.get(f"/providers/{seeded['stale']}").get_data(as_text=True)
    assert "This listing may be out of date" in html
    html = client.get(f"/providers/{seeded['sunrise']}").get_data(as_text=True)
    assert "About at-home ketamine" not in html and "may be out of date" not in html


def test_unpublished_is_404_and_merged_redirects(client: Any, seeded: Any) -> None:
    assert client.get(f"/providers/{seeded['pending']}").status_code == 404
    assert client.get("/providers/99999").status_code == 404
    r = client.get(f"/providers/{seeded['merged']}")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/providers/{seeded['sunrise']}")


def test_report_a_problem_creates_flag(client: Any, web_db: Any, seeded: Any) -> None:
    pid = seeded["sunrise"]
    html = client.get(f"/providers/{pid}").get_data(as_text=True)
    token = _csrf(html)
    r = client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "closed",
                                                      "message": "<b>Closed</b> since May", "contact": ""})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/providers/{pid}")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    # The confirmation replaces the form, inside the report section, and takes the focus; not at the page top.
    report = page[page.index('id="report"'):]
    assert re.search(r'id="report-confirmation" class="confirmation" role="status" tabindex="-1" autofocus', report)
    assert "A moderator will look at your report" in report and "<form" not in report
    assert "A moderator will look at your report" not in page[:page.index('id="report"')]
    assert "A moderator will look at your report" not in client.get(f"/providers/{pid}").get_data(as_text=True)
    with web_db.session() as s:
        flags = list(s.scalars(select(Flag)))
    assert [(f.provider_id, f.category, f.message, f.contact, f.status) for f in flags] == \
        [(pid, "closed", "<b>Closed</b> since May", None, "open")]


def test_report_rejects_missing_csrf_bad_input_and_unpublished(client: Any, web_db: Any, seeded: Any) -> None:
    pid = seeded["sunrise"]
    assert client.post(f"/providers/{pid}/report", data={"category": "closed"}).status_code == 400
    token = _csrf(client.get(f"/providers/{pid}").get_data(as_text=True))
    r = client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "bogus", "message": "x"})
    assert r.status_code == 400
    r = client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "other",
                                                      "contact": "not an email"})
    assert r.status_code == 400 and "Not an email address" in r.get_data(as_text=True)
    r = client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "other",
                                                      "message": "x" * 2001})
    assert r.status_code == 400
    r = client.post(f"/providers/{seeded['pending']}/report", data={"csrf_token": token, "category": "other",
                                                                    "message": "x"})
    assert r.status_code == 404
    with web_db.session() as s:
        assert s.scalars(select(Flag)).first() is None


def test_an_empty_report_is_refused_with_a_clear_message_and_the_form_refilled(client: Any, web_db: Any,
                                                                             seeded: Any) -> None:
    pid = seeded["sunrise"]
    token = _csrf(client.get(f"/providers/{pid}").get_data(as_text=True))
    for message in ("", "   \n  "):
        r = client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "unsafe",
                                                          "message": message, "contact": "me@example.org"})
        html = r.get_data(as_text=True)
        assert r.status_code == 400
        assert "Your report was not sent." in html and "Please describe the problem: the report is empty." in html
        assert re.search(r'<option selected value="unsafe">', html)  # re-filled
        assert 'value="me@example.org"' in html
        assert re.search(r'<textarea aria-describedby="message-error" aria-invalid="true"', html)
    with web_db.session() as s:
        assert s.scalars(select(Flag)).first() is None


def test_report_is_rate_limited(client: Any, web_db: Any, seeded: Any) -> None:
    pid = seeded["blue_ridge"]
    token = _csrf(client.get(f"/providers/{pid}").get_data(as_text=True))
    codes = [client.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "other",
                                                                   "message": "closed"}).status_code
             for _ in range(12)]
    assert codes[:10] == [303] * 10 and codes[10:] == [429, 429]
    with web_db.session() as s:
        assert len(list(s.scalars(select(Flag)))) == 10


@pytest.mark.redis
def test_report_rate_limit_is_shared_through_redis(web_db: Any, search_backend: Any, seeded: Any, tmp_path: Any,
                                                   redis_url: str) -> None:
    """Two app instances (two gunicorn workers) share one Redis counter."""
    import uuid

    from tests.web.conftest import make_app, make_settings

    settings = make_settings(web_db, tmp_path, redis_url=redis_url)
    prefix = f"kdir-test-{uuid.uuid4().hex[:12]}"
    apps = [make_app(settings, web_db, search_backend, KDIR_RATELIMIT_PREFIX=prefix) for _ in range(2)]
    clients = [a.test_client() for a in apps]
    pid = seeded["rose_city"]
    codes = []
    for i in range(12):
        c = clients[i % 2]
        token = _csrf(c.get(f"/providers/{pid}").get_data(as_text=True))
        resp = c.post(f"/providers/{pid}/report", data={"csrf_token": token, "category": "other",
                                                           "message": "closed"})
        codes.append(resp.status_code)
        if resp.status_code == 303:  # the confirmation replaces the form once, where the patient is looking
            assert "A moderator will look at your report" in c.get(resp.location).get_data(as_text=True)
    assert codes == [303] * 10 + [429, 429]


def test_unpublished_practitioner_is_not_shown_on_a_clinic_page(client: Any, web_db: Any, seeded: Any) -> None:
    from indexer.db.models import Provider
    from tests.web.seed import PractitionerSpec, add_practitioner

    with web_db.session() as s:
        clinic = s.get(Provider, seeded["blue_ridge"])
        prac = add_practitioner(s, clinic, PractitionerSpec("Rejected Person", "MD", None, outcome="mismatch"))
        prac.status = "rejected"
        s.commit()
    html = client.get(f"/providers/{seeded['blue_ridge']}").get_data(as_text=True)
    assert "Rejected Person" not in html
    body = client.get(f"/api/v1/providers/{seeded['blue_ridge']}").get_json()
    assert [p["name"] for p in body["practitioners"]] == []
