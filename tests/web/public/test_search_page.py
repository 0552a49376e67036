"""Search page and guide through the Flask test client (search backend only: SQLite)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.seed import add_many, publish


@pytest.fixture
def web_db(sqlite_db: Any) -> Any:
    """Search-only tests: SQLite is enough (the database is not their subject)."""
    return sqlite_db


def _result_names(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="/providers/\d+">(.*?)</a></h2>', html)


def test_search_page_defaults_and_footer(client: Any, seeded: Any) -> None:
    r = client.get("/")
    html = " ".join(r.get_data(as_text=True).split())
    assert r.status_code == 200
    assert 'role="search"' in html and 'method="get"' in html
    assert 'aria-live="polite"' in html and "12 providers found" in html
    assert "Not medical advice" in html and 'href="tel:988"' in html and "Call or text" in html
    assert "Hidden Pending Clinic" not in html and "Old Town Ketamine" not in html
    assert "/static/vendor/htmx/htmx.min.js" in html and "/static/vendor/leaflet/leaflet.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_search_text_highlight_badges_and_rating(client: Any, seeded: Any) -> None:
    html = " ".join(client.get("/search?q=sunrise").get_data(as_text=True).split())
    names = _result_names(html)
    assert names and "<mark>Sunrise</mark>" in names[0]
    assert "Credentials verified" in html and "Psychiatrist involved" in html
    assert "Licensed therapist on the team" in html
    assert "Rated 4.7 out of 5 from 34 reviews (2 independent sources)" in html
    assert "last verified 2026-11-01" in html
    html = client.get("/search?q=rose").get_data(as_text=True)
    assert "Spravato REMS (claimed)" in html and "Accepts insurance" in html


def test_search_place_radius_sort_and_distance(client: Any, seeded: Any) -> None:
    html = " ".join(client.get("/search?near=Austin,+TX&radius=25&sort=distance&kind=clinic").get_data(as_text=True).split())
    names = _result_names(html)
    assert names[:2] == ["Sunrise Ketamine Clinic", "Austin Ketamine Wellness"]
    assert "miles away" in html and "within 25 miles of Austin, TX" in html
    assert "Mile High" not in html


def test_filters_and_facet_counts(client: Any, seeded: Any) -> None:
    html = client.get("/search?modality=esketamine_nasal").get_data(as_text=True)
    assert _result_names(html) == ["Rose City Spravato Psychiatry"]
    assert 'id="fc-modalities-esketamine_nasal">1<' in html
    assert 'value="esketamine_nasal" checked' in html  # the URL holds the whole search
    html = client.get("/search?verified=1&therapist=1&kind=clinic").get_data(as_text=True)
    assert _result_names(html) == ["Sunrise Ketamine Clinic"]
    html = client.get("/search").get_data(as_text=True)
    assert re.search(r'id="fc-modalities-iv_infusion">(\d+)<', html).group(1) == "4"  # type: ignore[union-attr]
    html = client.get("/search?min_rating=4.5&kind=clinic").get_data(as_text=True)
    assert _result_names(html) == ["Sunrise Ketamine Clinic"] or "Sunrise Ketamine Clinic" in _result_names(html)
    assert "Mile High Infusion Center" not in _result_names(html)


def test_bad_search_parameters_are_explained(client: Any, seeded: Any) -> None:
    # a place not understood: everything typed stays on the form, the page says so in plain words
    r = client.get("/search?q=ketamine&near=Atlantis,+XX&modality=iv_infusion")
    html = " ".join(r.get_data(as_text=True).split())
    assert r.status_code == 200
    assert "We could not find the place “Atlantis, XX”" in html and "ZIP code" in html and 'role="alert"' in html
    assert 'value="ketamine"' in html and 'value="Atlantis, XX"' in html
    assert 'value="iv_infusion" checked' in html and _result_names(html)  # searched without the place
    # a bad parameter: 400, the rest of the search kept
    r = client.get("/search?modality=laser&page=x&q=sunrise")
    assert r.status_code == 400
    assert _result_names(r.get_data(as_text=True)) == ["<mark>Sunrise</mark> Ketamine Clinic"]


def test_htmx_partial_updates_results_count_and_facets(client: Any, seeded: Any) -> None:
    r = client.get("/search?q=sunrise", headers={"HX-Request": "true", "HX-Target": "results"})
    html = r.get_data(as_text=True)
    assert "<html" not in html and 'class="result-list"' in html
    assert 'id="result-count" hx-swap-oob="innerHTML"' in html
    assert 'id="fc-modalities-iv_infusion" hx-swap-oob="innerHTML"' in html


def test_pagination_links_keep_the_search(client: Any, web_db: Any, search_backend: Any, seeded: Any) -> None:
    add_many(web_db, 25)
    publish(web_db, search_backend)
    html = client.get("/search?q=filler&modality=iv_infusion").get_data(as_text=True)
    assert "Page 1 of 2" in html and len(_result_names(html)) == 20
    m = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert m
    href = m.group(1).replace("&amp;", "&")
    assert "q=filler" in href and "modality=iv_infusion" in href and "page=2" in href
    html2 = client.get("/search" + href).get_data(as_text=True)
    assert len(_result_names(html2)) == 5 and 'rel="prev"' in html2


def test_guide(client: Any, seeded: Any) -> None:
    html = client.get("/guide").get_data(as_text=True)
    for text in ("Questions for the first consultation", "Credentials verified", "Spravato REMS (claimed)",
                 "Red flags", "cure", "no paid placement", "Bayesian average", "988"):
        assert text in html, text



def test_search_outage_is_explained_not_a_crash(web_db: Any, tmp_path: Any) -> None:
    """A real backend that cannot open its index: the page says so (503), the API answers 503 JSON."""
    from tests.web.conftest import make_app, make_settings, open_search

    settings = make_settings(web_db, tmp_path, search_path="/proc/nonexistent/search.sqlite3")
    backend = open_search(settings)
    client = make_app(settings, web_db, backend).test_client()
    r = client.get("/search?q=sunrise")
    assert r.status_code == 503 and "Search is unavailable right now" in r.get_data(as_text=True)
    r = client.get("/api/v1/providers?q=sunrise")
    assert r.status_code == 503 and r.get_json()["parameter"] is None
    assert client.get("/guide").status_code == 200


def test_kind_filter(client: Any, seeded: Any) -> None:
    html = client.get("/search?kind=practitioner&q=patel").get_data(as_text=True)
    assert _result_names(html) == ["Sam <mark>Patel</mark>, PMHNP-BC"]
    assert '<option value="practitioner" selected>' in html


def test_staff_links_follow_the_login_state(client: Any, web_db: Any, seeded: Any) -> None:
    from web.auth.accounts import create_user

    html = client.get("/guide").get_data(as_text=True)
    assert 'href="/login">Log in' in html and "Moderation" not in html
    with web_db.session() as s:
        create_user(s, "alice", "correct horse battery", "moderator")
        create_user(s, "root", "correct horse battery", "admin")
        s.commit()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"csrf_token": token, "username": "alice", "password": "correct horse battery"})
    assert r.status_code == 302
    html = client.get("/guide").get_data(as_text=True)
    assert 'href="/moderation">Moderation' in html and ">Ops<" not in html and "Log in" not in html
    token = re.search(r'action="/logout">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                      html).group(1)  # type: ignore[union-attr]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "Moderation" not in client.get("/guide").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',  # logout emptied the session: new token
                      client.get("/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"csrf_token": token, "username": "root", "password": "correct horse battery"})
    assert 'href="/ops">Ops' in client.get("/guide").get_data(as_text=True)


def test_api_takes_a_place_from_the_words(client: Any, seeded: Any) -> None:
    body = client.get("/api/v1/providers?q=ketamine+near+78701").get_json()
    assert body["near"]["label"] == "78701 (Austin, TX)" and body["near"]["from_q"] == "78701"
    assert body["q"] == "ketamine"
    names = {x["name"] for x in body["results"]}
    assert {"Sunrise Ketamine Clinic", "Austin Ketamine Wellness"} <= names and "Mile High Infusion Center" not in names
    assert all(x["distance_km"] is not None and x["distance_km"] < 81 for x in body["results"])


def test_hidden_options_and_disjunctive_counts_on_the_page(client: Any, seeded: Any) -> None:
    html = client.get("/search").get_data(as_text=True)
    # no live listing treats eating disorders: the option is not offered; one that some listing has is
    assert 'value="eating_disorders"' not in html and 'value="ptsd"' in html
    # duplicated filters are gone: insurance and telehealth are services only
    assert 'name="insurance"' not in html and 'name="telehealth"' not in html
    assert 'name="service" value="accepts_insurance"' in html and 'name="service" value="telehealth"' in html
    one = client.get("/search?modality=iv_infusion").get_data(as_text=True)
    spravato = re.search(r'id="fc-modalities-esketamine_nasal">(\d+)<', one)
    assert spravato and spravato.group(1) == "1"  # ticking Spravato too would add Rose City
    both = client.get("/search?modality=iv_infusion&modality=esketamine_nasal").get_data(as_text=True)
    assert len(_result_names(both)) == len(_result_names(one)) + 1


def test_price_sort_and_card_price_line(client: Any, web_db: Any, search_backend: Any, seeded: Any) -> None:
    from indexer.db.models import Provider

    with web_db.session() as s:
        for key, amount in (("mile_high", 400), ("austin_wellness", 650)):
            s.get(Provider, seeded[key]).price = {"min": amount, "currency": "USD", "unit": "session"}
        s.commit()
    publish(web_db, search_backend)
    html = " ".join(client.get("/search?sort=price&kind=clinic").get_data(as_text=True).split())
    names = _result_names(html)
    assert names[:2] == ["Mile High Infusion Center", "Austin Ketamine Wellness"]  # unpriced after
    assert "from $400 per session" in html and 'href="tel:+13035550103">Call (303) 555-0103' in html


def test_api_refuses_empty_typed_parameters(client: Any, seeded: Any) -> None:
    r = client.get("/api/v1/providers?service=&min_rating=&psychiatrist=false")
    assert r.status_code == 400 and r.get_json()["parameter"] in ("service", "min_rating")
    assert client.get("/api/v1/providers?q=&near=").status_code == 200  # empty text is still text
    assert client.get("/search?service=&min_rating=").status_code == 200  # the page's form may send empties


def test_an_option_appears_as_soon_as_a_listing_has_it(client: Any, web_db: Any, search_backend: Any,
                                                       seeded: Any) -> None:
    from indexer.db.models import Provider

    assert 'value="eating_disorders"' not in client.get("/search").get_data(as_text=True)
    with web_db.session() as s:
        s.get(Provider, seeded["sunrise"]).conditions = ["depression", "eating_disorders"]
        s.commit()
    publish(web_db, search_backend)
    assert 'value="eating_disorders"' in client.get("/search").get_data(as_text=True)
