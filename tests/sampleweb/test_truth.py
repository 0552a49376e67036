from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING

import pytest
import requests
import zipcodes

from kdir.common.npi import is_valid_npi
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES
from kdir.sampleweb.ground_truth import get_truth
from kdir.sampleweb.nppes import search
from kdir.sampleweb.server import SampleWeb
from kdir.sampleweb.sites import CLINIC_SITES, page_paths, spa_sites
from kdir.sampleweb.truth import ExpectedListing, Truth

from .conftest import browser_page, digits, rendered_text

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PHONE_555 = re.compile(r"^\+1\d{3}5550[1]\d\d$")


@pytest.fixture(scope="module")
def truth(web: SampleWeb) -> Truth:
    return get_truth(web)


@pytest.fixture(scope="module")
def site_text(web: SampleWeb, http: requests.Session) -> dict[str, str]:
    """All allowed pages of each static clinic site, decoded, entity-unescaped, concatenated."""
    out = {}
    disallowed = {name: site.robots_disallow for name, site in get_truth().sites.items()}
    for spec in CLINIC_SITES:
        if spec.app:
            continue  # a single-page app's pages are an empty shell: see spa_text
        parts = []
        for path in page_paths(spec.name):
            if path.startswith(disallowed[spec.name]):
                continue
            r = http.get(web.sites[spec.name] + path, timeout=5)
            parts.append(html.unescape(r.content.decode(spec.encoding)))
        out[spec.name] = "\n".join(parts)
    return out


@pytest.fixture(scope="module")
def spa_text(web: SampleWeb, browser: Browser) -> dict[str, str]:
    """What the browser shows on every client-side route of each single-page-app site, concatenated."""
    out = {}
    for spec in spa_sites():
        with browser_page(browser) as page:
            out[spec.name] = "\n".join(rendered_text(page, web.sites[spec.name] + route) for route in spec.routes)
    return out


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def test_truth_covers_every_site_and_locations(truth: Truth) -> None:
    assert set(truth.sites) == {s.name for s in CLINIC_SITES}
    assert truth.non_providers() == ["brightsmile"] and truth.sites["brightsmile"].listings == ()
    assert len(truth.sites["evergreen"].listings) == 3
    kinds = {x.kind for x in truth.listings()}
    assert kinds == {"clinic", "practitioner"}
    keys = [(x.site, x.slug) for x in truth.listings()]
    assert len(keys) == len(set(keys))


def test_codes_are_from_the_vocabulary(truth: Truth) -> None:
    for x in truth.listings():
        assert set(x.modalities) <= set(MODALITIES) and set(x.negated_modalities) <= set(MODALITIES)
        assert not set(x.modalities) & set(x.negated_modalities)
        assert set(x.conditions) <= set(CONDITIONS) and x.conditions
        assert set(x.services) <= set(SERVICES) and x.services


def test_phones_zips_and_addresses_are_plausible(truth: Truth) -> None:
    for x in truth.listings():
        assert x.phones and all(PHONE_555.match(p) for p in x.phones), x.name
        assert x.address.region and zipcodes.matching(x.address.postal_code)[0]["state"] == x.address.region
    for d in truth.directory:
        assert PHONE_555.match(d.phone) and zipcodes.matching(d.address.postal_code)[0]["state"] == d.address.region


def _check_facts(x: ExpectedListing, text: str) -> None:
    """Every fact of listing ``x`` is printed in ``text``."""
    flat = digits(text)
    for p in x.phones:
        assert p[2:] in flat, (x.name, p)
    assert x.name in text or any(a in text for a in x.aliases), x.name
    assert x.address.street and all(part in text for part in x.address.street.split(", ")), x.address
    assert x.address.postal_code in text and x.address.city in text
    for price in (x.price_min, x.price_max):
        if price is not None:
            assert f"${price:,.0f}" in text, (x.name, price)
    if x.rating_value is not None:
        assert str(x.rating_value) in text and str(x.rating_count) in text, x.name
    if x.email:
        user, domain = x.email.split("@")
        assert user in text and domain.split(".")[0] in text, x.email
    if x.npi:
        assert x.npi in text
    for p in x.practitioners:
        assert p.name in text, p.name
        assert all(c in text for c in p.credentials), p
        if p.npi:
            assert p.npi in text
    for ins in x.insurance:
        assert ins in text
    assert x.canonical_website is None or x.canonical_website.split("/")[2] in text


def test_facts_appear_on_the_site(truth: Truth, site_text: dict[str, str]) -> None:
    for x in truth.listings():
        if not truth.sites[x.site].needs_browser:
            _check_facts(x, site_text[x.site])


def test_needs_browser_marks_the_single_page_apps(truth: Truth) -> None:
    apps = {s.name for s in spa_sites()}
    assert apps == {"aurora", "tidewater"}
    assert {s.name for s in truth.sites.values() if s.needs_browser} == apps
    assert {s.app for s in spa_sites()} == {"hash", "history"}


@pytest.mark.browser
def test_facts_appear_on_spa_sites_in_the_browser(truth: Truth, spa_text: dict[str, str]) -> None:
    for x in truth.listings():
        if truth.sites[x.site].needs_browser:
            _check_facts(x, spa_text[x.site])
    assert "We do not prescribe at-home ketamine" in spa_text["tidewater"]
    assert "REMS" in spa_text["tidewater"] and "esketamine" in spa_text["tidewater"]
    assert "IM ketamine" in spa_text["aurora"] and "IV ketamine infusion" in spa_text["aurora"]


def test_traps_are_on_the_pages(truth: Truth, site_text: dict[str, str], web: SampleWeb,
                                http: requests.Session) -> None:
    assert "We do not offer at-home ketamine" in site_text["cascade"]
    assert "ketamine" in site_text["brightsmile"].lower()
    for site in truth.sites.values():
        for phone in site.forbidden_phones:
            assert phone[2:] not in digits(site_text[site.name])
            private = [http.get(web.sites[site.name] + path, timeout=5).text for path in page_paths(site.name)
                       if path.startswith(site.robots_disallow)]
            assert private and phone[2:] in digits("\n".join(private))
        for fax in site.fax_numbers:
            assert fax[2:] in digits(site_text[site.name])


def test_npis_check_digits(truth: Truth) -> None:
    outcomes = {p.verification for _, p in truth.practitioners()}
    assert outcomes == {"verified", "mismatch", "not_found", "ambiguous", "invalid_number"}
    for _x, p in truth.practitioners():
        if p.npi is None:
            continue
        assert is_valid_npi(p.npi) == (p.verification != "invalid_number"), p
    for x in truth.listings():
        assert x.npi is None or is_valid_npi(x.npi)


def _registry_outcome(p_name: str, npi: str | None, state: str, credentials: tuple[str, ...]) -> str:
    """A small reference verifier, to check the truth against the registry data (not a crawler test)."""
    if npi is not None and not is_valid_npi(npi):
        return "invalid_number"
    first, last = fold(p_name).split()[0], fold(p_name).split()[-1]
    if npi is None:
        found = search({"first_name": first, "last_name": last, "state": state})["results"]
        return "ambiguous" if len(found) > 1 else "not_found" if not found else "verified"
    found = search({"number": npi})["results"]
    if not found or found[0]["basic"].get("status") != "A":
        return "not_found"
    rec = found[0]
    same_person = (rec["basic"]["first_name"], rec["basic"]["last_name"]) == (first, last)
    in_state = any(a["state"] == state for a in rec["addresses"])
    codes = {t["code"] for t in rec["taxonomies"]}
    physician = any(c.startswith("20") for c in codes)
    claims_physician = bool({"MD", "DO"} & set(credentials))
    if not (same_person and in_state) or claims_physician != physician:
        return "mismatch"
    return "verified"


def test_verification_outcomes_match_the_registry(truth: Truth) -> None:
    for _x, p in truth.practitioners():
        assert _registry_outcome(p.name, p.npi, p.state, p.credentials) == p.verification, p
        if p.registry_npi:
            assert search({"number": p.registry_npi})["result_count"] == 1
    for x in truth.listings():
        if x.npi:
            rec = search({"number": x.npi})["results"][0]
            assert rec["basic"]["status"] == "A"
            places = rec["addresses"] + rec["practiceLocations"]
            assert any(a["state"] == x.address.region for a in places)


def test_directory_truth_matches_sites(truth: Truth, web: SampleWeb, http: requests.Session) -> None:
    assert len(truth.directory) >= 12
    only_here = [d for d in truth.directory if d.same_as is None]
    assert 2 <= len(only_here) < len(truth.directory)
    for d in truth.directory:
        page = html.unescape(http.get(d.url, timeout=5).text)
        assert d.printed_name in page and d.address.street in page and d.phone[2:] in digits(page)
        assert d.name in d.printed_name and all(c in d.printed_name for c in d.credentials)
        for person in d.practitioners:  # printed with its credentials ("M.D." for MD is fine)
            assert person.name in page, (d.url, person.name)
        if d.same_as:
            listing: ExpectedListing = truth.listing(*d.same_as)
            assert d.phone in listing.phones and d.address.postal_code == listing.address.postal_code
            assert d.website == listing.website
            on_site = {p.name: p for p in listing.practitioners}
            for person in d.practitioners:  # the same people as the clinic's own site, same credentials
                assert person.name in on_site and tuple(person.credentials) == on_site[person.name].credentials
            if d.kind == "practitioner":
                assert listing.kind == "practitioner" and d.name in listing.aliases
    kinds = {d.kind for d in truth.directory}
    assert kinds == {"clinic", "practitioner"}
    assert any(p.role == "Medical Director" for d in truth.directory for p in d.practitioners)
    styles = {d.address.street.split(",")[-1].split()[0] for d in truth.directory if "," in d.address.street}
    assert {"Ste", "Suite"} <= styles  # formatting differs from the clinic sites


def test_directory_reviews_shared_with_sites(truth: Truth, site_text: dict[str, str],
                                            http: requests.Session) -> None:
    shared = [(d, t) for d in truth.directory for t in d.shared_review_texts]
    assert len(shared) >= 2
    for d, text in shared:
        assert d.same_as and text in site_text[d.same_as[0]]
        assert text in html.unescape(http.get(d.url, timeout=5).text)
    for d in truth.directory:
        for review in d.reviews:
            assert review.rating and 1 <= review.rating <= 5 and review.text
            if review.text not in d.shared_review_texts and d.same_as:
                assert review.text not in site_text[d.same_as[0]]


def test_as_item_round_trips_through_the_item_contract(truth: Truth) -> None:
    from kdir.common.record import ProviderItem

    for x in truth.listings():
        item = x.as_item(source="clinic_site")
        again = ProviderItem.from_dict(item.to_dict())
        assert again == item and again.location_key == f"{x.site}:{x.slug}"
        assert again.kind == x.kind and again.phones == list(x.phones)


def test_live_websites_answer(truth: Truth, http: requests.Session) -> None:
    for x in truth.listings():
        assert x.website.startswith("http://127.")
        assert http.get(x.website, timeout=5).status_code == 200


def test_truth_without_urls_keeps_placeholders() -> None:
    t = get_truth()
    assert t.listing("stillwater").website == "{{site:stillwater}}/"
