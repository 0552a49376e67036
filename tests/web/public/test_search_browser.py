"""Search in a real browser (Debian chromium through Playwright) on the web tests' standard data set: what
people type, disjunctive facet counts, the zero-result rescue, telehealth by state, place suggestions, the
390 px layout -- with axe-core kept clean."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db.models import Credential, Provider
from tests.web.conftest import axe_violations
from tests.web.seed import publish

pytestmark = pytest.mark.browser

SUNRISE = "Sunrise Ketamine Clinic"


def _names(page: Any) -> list[str]:
    return page.locator("#results .card-title a").all_inner_texts()


def _search(page: Any, base: str, **args: str) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    page.goto(f"{base}/search?{query}")
    page.wait_for_selector("#result-count")
    return _names(page)


def _typed(page: Any, text: str) -> list[str]:
    """Type in the search box and submit (Enter), as a patient does."""
    page.fill("#q", text)
    page.press("#q", "Enter")
    page.wait_for_function("(t) => new URLSearchParams(location.search).get('q') === t", arg=text)
    page.wait_for_load_state("networkidle")
    return _names(page)


def _update(live_server: Any, key: str, **values: Any) -> None:
    with live_server.db.session() as s:
        p = s.get(Provider, live_server.seeded[key])
        for name, value in values.items():
            setattr(p, name, value)
        s.commit()
    publish(live_server.db, live_server.backend)


@pytest.mark.parametrize(("typed", "expected"), [
    ("KAP", {"Blue Ridge KAP Collective", "Sam Patel, PMHNP-BC"}),
    ("TRD", {"Rose City Spravato Psychiatry"}),
    ("Spravato", {"Rose City Spravato Psychiatry"}),
    ("esketamine", {"Rose City Spravato Psychiatry"}),
    ("ketamine infusion", {SUNRISE, "Austin Ketamine Wellness", "Mile High Infusion Center"}),
    ("psychiatrist", {SUNRISE, "Rose City Spravato Psychiatry"}),
    ("nurse practitioner", {"Sam Patel, PMHNP-BC"}),
    ("Dr. Reyes", {SUNRISE, "Alan Reyes"}),
    ("Reyse", {SUNRISE, "Alan Reyes"}),  # one letter wrong
    ("Sunrise", {SUNRISE}),  # the first word of a clinic's name
    ("therapists", {SUNRISE, "Blue Ridge KAP Collective", "Maria Chen"}),
])
def test_what_people_type(live_server: Any, page: Any, typed: str, expected: set[str]) -> None:
    page.goto(live_server.url + "/")
    found = _typed(page, typed)
    assert expected <= set(found), (typed, found)
    if typed in ("TRD", "Spravato", "esketamine", "nurse practitioner", "Sunrise"):
        assert set(found) == expected, (typed, found)


def test_synonyms_and_a_place_in_the_text(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    assert sorted(_typed(page, "PTSD")) == sorted(_typed(page, "trauma")) != []
    found = _typed(page, "ketamine near 78701")
    assert {SUNRISE, "Austin Ketamine Wellness"} <= set(found) and "Mile High Infusion Center" not in found
    assert "78701 (Austin, TX)" in page.inner_text(".place-note")
    assert page.input_value("#q") == "ketamine near 78701"  # what was typed stays as typed
    assert _typed(page, "spravato portland") == ["Rose City Spravato Psychiatry"]
    assert "miles away" in page.inner_text("#results")


def _kind_counts(page: Any) -> int:
    """The sum of the counts in the "Show" drop-down (clinics, clinicians): every result has one kind."""
    texts = page.locator("#kind option").all_inner_texts()
    return sum(int(m.group(1)) for t in texts if (m := re.search(r"\((\d+)\)$", t)))


def _total(page: Any) -> int:
    return int(page.inner_text("#result-count").split()[0])


def test_disjunctive_facet_counts(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/search")
    before = int(page.inner_text("#fc-modalities-esketamine_nasal"))
    assert before >= 1
    assert _kind_counts(page) == _total(page) and page.inner_text("#filters-on") == ""
    page.check("input[name=modality][value=iv_infusion]")
    page.wait_for_function("() => new URLSearchParams(location.search).getAll('modality').length === 1")
    page.wait_for_load_state("networkidle")
    iv = len(_names(page))
    # the drop-downs' counts and the "Filters (N on)" label follow the live results too
    assert page.inner_text("#filters-on") == "(1 on)"
    assert _kind_counts(page) == _total(page) == iv
    assert "Rose City Spravato Psychiatry" not in _names(page)
    # the other boxes of the same group still count what ticking them gives: never (0) for a way out
    assert int(page.inner_text("#fc-modalities-esketamine_nasal")) == before
    page.check("input[name=modality][value=esketamine_nasal]")
    page.wait_for_function("() => new URLSearchParams(location.search).getAll('modality').length === 2")
    page.wait_for_load_state("networkidle")
    both = _names(page)
    assert "Rose City Spravato Psychiatry" in both and len(both) == iv + before  # IV infusion OR Spravato
    # another group narrows (AND) and its counts are taken within the ticked treatments
    ptsd = int(page.inner_text("#fc-conditions-ptsd"))
    page.check("input[name=condition][value=ptsd]")
    page.wait_for_function("() => new URLSearchParams(location.search).getAll('condition').length === 1")
    page.wait_for_load_state("networkidle")
    assert len(_names(page)) == ptsd
    assert page.inner_text("#filters-on") == "(3 on)" and _kind_counts(page) == _total(page) == ptsd
    assert axe_violations(page) == []


def test_zero_results_offer_the_nearest_fix(live_server: Any, page: Any) -> None:
    assert _search(page, live_server.url, q="sunrise", modality="esketamine_nasal") == []
    empty = page.inner_text("#results")
    assert "No providers match" in empty and "Remove “Treatment: Spravato (esketamine) nasal spray”" in empty
    assert "(1 provider)" in empty
    assert axe_violations(page) == []
    page.click("text=Remove “Treatment: Spravato (esketamine) nasal spray”")
    page.wait_for_selector("#results .card-title")
    assert _names(page) == [SUNRISE] and "q=sunrise" in page.url and "modality" not in page.url
    # a wider radius, with its count
    assert _search(page, live_server.url, q="infusion", near="Round+Rock,+TX", radius="10") == []
    fix = page.locator(".fixes a", has_text="Search within")
    assert fix.count() == 1
    fix.click()
    page.wait_for_selector("#results .card-title")
    assert SUNRISE in _names(page) and "radius=25" in page.url
    # a spelling too far off for the typo tolerance
    assert _search(page, live_server.url, q="sunrrrrise") == []
    page.click("text=Did you mean “sunrise”?")
    page.wait_for_selector("#results .card-title")
    assert _names(page) == [SUNRISE]


def test_a_place_not_understood_keeps_what_was_typed(live_server: Any, page: Any) -> None:
    _search(page, live_server.url, q="infusion", near="Atlantis,+XX", modality="iv_infusion")
    assert "We could not find the place “Atlantis, XX”" in page.inner_text("#place-error")
    assert page.input_value("#q") == "infusion" and page.input_value("#near") == "Atlantis, XX"
    assert page.is_checked("input[name=modality][value=iv_infusion]")
    assert SUNRISE in _names(page)  # searched without the place
    _search(page, live_server.url, q="ketamine", near="Austn")  # a typo, no state
    assert "within 50 miles of Austin, TX" in page.inner_text("#result-count")


def test_telehealth_in_my_state(live_server: Any, page: Any) -> None:
    # Sam Patel practises in Phoenix and is licensed in Arizona and Texas
    _update(live_server, "patel", licensed_states=["AZ", "TX"])
    page.goto(live_server.url + "/search")
    page.select_option("#telehealth_state", "TX")
    page.wait_for_function("() => location.search.includes('telehealth_state=TX')")
    page.wait_for_load_state("networkidle")
    assert _names(page) == ["Sam Patel, PMHNP-BC"]  # not the Texas clinics without telehealth
    # wherever the clinic sits: a place in Texas does not limit telehealth to a radius
    assert _search(page, live_server.url, near="78701", telehealth_state="TX") == ["Sam Patel, PMHNP-BC"]
    assert "miles away" in page.inner_text("#results")
    api = page.request.get(live_server.url + "/api/v1/providers?telehealth_state=AZ").json()
    assert [x["name"] for x in api["results"]] == ["Sam Patel, PMHNP-BC"]
    # derived from the place typed: "telehealth austin" -> Texas
    page.goto(live_server.url + "/search?q=ketamine+austin")
    page.select_option("#telehealth_state", "near")
    page.wait_for_function("() => location.search.includes('telehealth_state=near')")
    page.wait_for_load_state("networkidle")
    assert _names(page) == ["Sam Patel, PMHNP-BC"]
    api = page.request.get(live_server.url + "/api/v1/providers?near=85004&telehealth_state=near").json()
    assert [x["name"] for x in api["results"]] == ["Sam Patel, PMHNP-BC"]
    assert page.request.get(live_server.url + "/api/v1/providers?telehealth_state=near").status == 400


def test_place_suggestions_as_you_type(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.type("#near", "aust", delay=30)
    page.wait_for_function("() => document.querySelectorAll('#place-suggestions option').length > 0")
    values = page.eval_on_selector_all("#place-suggestions option", "os => os.map(o => o.value)")
    assert "Austin, TX" in values
    assert "/places" not in page.url  # suggestions never replace the page's address
    page.fill("#near", "787")
    page.wait_for_function("() => [...document.querySelectorAll('#place-suggestions option')]"
                           ".some(o => o.value === '78701')")


def test_cards_show_phone_price_and_honest_credentials(live_server: Any, page: Any) -> None:
    _update(live_server, "sunrise", price={"min": 450, "max": 2400, "currency": "USD", "unit": "infusion"})
    _search(page, live_server.url, q="sunrise")
    card = page.locator("#results .card").first
    text = card.inner_text()
    assert "from $450 per infusion" in text and "Call (512) 555-0101" in text
    assert card.locator("a[href='tel:+15125550101']").count() == 1
    assert "2 of 2 clinicians verified" in text and "Credentials verified" in text
    assert card.locator("a", has_text="View details").count() == 1
    # a clinician whose credential does not match: the card never claims verified credentials
    with live_server.db.session() as s:
        chen = s.scalars(select(Provider).where(Provider.name == "Maria Chen")).one()
        for credential in s.scalars(select(Credential).where(Credential.provider_id == chen.id)):
            credential.outcome = "mismatch"
        s.commit()
    publish(live_server.db, live_server.backend)
    _search(page, live_server.url, q="sunrise")
    text = page.locator("#results .card").first.inner_text()
    assert "1 of 2 clinicians verified · 1 credential does not match the registry" in " ".join(text.split())
    assert "Credentials verified" not in text and "Registry check: does not match" in text


def test_mobile_layout_results_first(live_server: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search?q=ketamine")
        page.wait_for_selector("#results .card")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no horizontal scroll
        first_card = page.locator("#results .card").first.bounding_box()
        summary = page.locator("#filters > summary").bounding_box()
        assert page.is_visible("#filters > summary") and not page.is_visible("input[name=modality]")
        assert summary["y"] < first_card["y"] < 844  # a "Filters" button, then results on the first screen
        assert axe_violations(page) == []
        page.click("#filters > summary")
        assert page.is_visible("input[name=modality][value=iv_infusion]")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # skip link for keyboard users
        page.goto(live_server.url + "/search?q=ketamine")
        skip = page.locator("a.skip-link-results")
        assert skip.get_attribute("href") == "#result-count"
    finally:
        context.close()


def test_wide_screen_filters_open_without_javascript(live_server: Any, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search")
        assert page.is_visible("input[name=modality][value=iv_infusion]")
        page.check("input[name=modality][value=iv_infusion]")
        page.check("input[name=modality][value=esketamine_nasal]")
        page.click("button:has-text('Search')")
        page.wait_for_url(re.compile(r"modality=esketamine_nasal"))
        names = page.locator("#results .card-title a").all_inner_texts()
        assert SUNRISE in names and "Rose City Spravato Psychiatry" in names
    finally:
        context.close()
