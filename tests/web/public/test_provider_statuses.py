"""One clear status per clinician on the provider page (SQLite and PostgreSQL): verified with its registry
record and a link named "NPI Registry record"; does not match, with the reason in words; not found; deactivated
-- never "not found" beside registry data. Prices and e-mail are shown; self-published ratings are kept apart;
"Back to search" never leaves the site."""

from __future__ import annotations

import re
from typing import Any

from indexer.db import Database
from indexer.db.models import Credential, FieldEvidence, Provider
from tests.web.seed import (
    PSYCHIATRY,
    PractitionerSpec,
    RatingSpec,
    ReviewSpec,
    add_practitioner,
    add_provider,
    get_source,
)


def add_status_clinic(db: Database) -> int:
    """A published clinic whose five clinicians have the five statuses a patient can read."""
    with db.session() as s:
        clinic = add_provider(
            s, "Status Test Clinic", street="1 N Central Ave", city="Phoenix", region="AZ", postal_code="85004",
            lat=33.45, lon=-112.07, website="https://status-clinic.example/", phones=["+16025550104"],
            email="care@status-clinic.example", modalities=["iv_infusion", "esketamine_nasal"],
            conditions=["treatment_resistant_depression"], services=["ketamine_assisted_psychotherapy"],
            price={"min": 400, "max": 2200, "currency": "USD", "unit": "session"},
            source_url="https://status-clinic.example/ketamine-treatments",
            ratings=[RatingSpec("directory:sample", 4.0, 10, "https://directory.example/status"),
                     RatingSpec("clinic_site", 5.0, 58, "https://status-clinic.example/testimonials")],
            reviews=[ReviewSpec("Best clinic ever, they changed my life.", 5.0, "Happy", source="clinic_site")])
        vera = add_practitioner(s, clinic, PractitionerSpec("Vera Verified", "MD", "1234567893",
                                                            taxonomy=PSYCHIATRY, role="Medical Director"))
        s.add(Credential(provider_id=vera.id, credential="PhD", outcome="unchecked"))  # a second, unchecked
        mark = add_practitioner(s, clinic, PractitionerSpec("Mark Mismatch", "MD", "1245319599", outcome="mismatch",
                                                            taxonomy=PSYCHIATRY,
                                                            reason="name differs: registry says 'MARCUS SMITH'"))
        mark.credentials[0].registry_name = "MARCUS SMITH"
        add_practitioner(s, clinic, PractitionerSpec(
            "Nora Notfound", "DO", "1679576722", outcome="not_found",
            reason="no active registry record for NPI 1679576722 (unknown or deactivated)"))
        dana = add_practitioner(s, clinic, PractitionerSpec(
            "Dana Deactivated", "MD", "1457397499", outcome="not_found",
            reason="the NPI is deactivated in the registry (no active record)"))
        cred = s.query(Credential).filter_by(provider_id=dana.id).one()
        cred.registry_npi, cred.registry_name, cred.registry_status = "1457397499", "DANA DEACTIVATED", "D"
        cred.registry_taxonomy_desc, cred.registry_states = "Anesthesiology", ["AZ"]
        add_practitioner(s, clinic, PractitionerSpec(
            "Ian Invalid", "MD", "1234567890", outcome="invalid_number",
            reason="the NPI printed (1234567890) fails the check digit"))
        # the combined figure as the indexer computes it: independent sources only
        clinic.rating_value, clinic.rating_count = 4.0, 10
        clinic.licensed_states = ["CA", "AZ", "<b>", 7]
        directory = get_source(s, "directory:sample")
        for value, url in ((["+16025550104"], "https://directory.example/a"),
                           (["+16025550199"], "https://directory.example/b")):
            s.add(FieldEvidence(provider_id=clinic.id, field="phones", value=value, value_hash=url, url=url,
                                source_id=directory.id, tier=1, selected=False))
        s.commit()
        return int(clinic.id)


def _person(html: str, name: str) -> str:
    start = html.index(f'data-person="{name}"')
    return html[start:html.index("</li>", start)]


def test_each_clinician_has_one_status_in_words(client: Any, web_db: Database, seeded: Any) -> None:
    html = " ".join(client.get(f"/providers/{add_status_clinic(web_db)}").get_data(as_text=True).split())
    expected = {"Vera Verified": ("verified", "Verified in the NPI registry"),
                "Mark Mismatch": ("mismatch", "Does not match the NPI registry"),
                "Nora Notfound": ("not_found", "Not found in the NPI registry"),
                "Dana Deactivated": ("deactivated", "NPI deactivated in the NPI registry"),
                "Ian Invalid": ("invalid_number", "The NPI printed is not a valid number")}
    for name, (status, words) in expected.items():
        part = _person(html, name)
        assert re.findall(r'data-status="([a-z_]+)"', part) == [status], name
        assert len(re.findall(r'class="badge badge-', part)) == 1 and words in part, name
    vera = _person(html, "Vera Verified")
    assert "<dt>NPI:</dt> <dd>1234567893</dd>" in vera and "<dd>Psychiatry &amp; Neurology, Psychiatry</dd>" in vera
    assert "<dt>State:</dt> <dd>AZ</dd>" in vera and "VERA VERIFIED" in vera
    assert "Also listed as PhD: not checked yet." in vera  # one status per person, the rest in words
    assert '<a href="https://npiregistry.cms.hhs.gov/provider-view/1234567893" rel="nofollow noopener ugc" ' \
           'target="_blank">NPI Registry record</a>' in vera
    assert "The registry lists this NPI under another name: MARCUS SMITH." in _person(html, "Mark Mismatch")
    for name in ("Nora Notfound", "Dana Deactivated", "Ian Invalid"):  # no registry data beside these
        part = _person(html, name)
        assert "NPI Registry record" not in part and "Name in the registry" not in part, name
        assert "Registered as" not in part and "DANA DEACTIVATED" not in part, name
    assert "The registry has no active record for NPI 1679576722: the number is unknown, or it was deactivated." \
        in _person(html, "Nora Notfound")
    assert "The registry shows this NPI as deactivated." in _person(html, "Dana Deactivated")
    assert "cannot be an NPI: its check digit is wrong." in _person(html, "Ian Invalid")


def test_everything_we_hold_is_shown_and_self_published_ratings_kept_apart(client: Any, web_db: Database,
                                                                          seeded: Any) -> None:
    html = " ".join(client.get(f"/providers/{add_status_clinic(web_db)}").get_data(as_text=True).split())
    offers = html[html.index('id="h-offers"'):html.index('id="h-contact"')]
    assert "<dt>Price</dt><dd>$400 to $2,200 per session</dd>" in offers
    assert "<dt>Licensed in</dt><dd>AZ, CA (registry licences of its verified clinicians)</dd>" in offers
    assert "IV infusion, Spravato (esketamine) nasal spray" in offers and "Treatment-resistant depression" in offers
    contact = html[html.index('id="h-contact"'):html.index('id="h-team"')]
    assert '<a href="tel:+16025550104">(602) 555-0104</a>' in contact
    assert '<a href="mailto:care@status-clinic.example">care@status-clinic.example</a>' in contact
    assert "1 N Central Ave, Phoenix, AZ 85004" in contact and 'data-point-lat="33.45"' in contact
    assert html.index('id="h-offers"') < html.index('id="h-team"') < html.index('id="h-ratings"') \
        < html.index('id="h-evidence"') < html.index('id="h-report"')  # facts first, then who, ratings, evidence
    ratings = html[html.index('id="h-ratings"'):html.index('id="h-evidence"')]
    assert "Combined: <strong>4.0 out of 5</strong> from 10 reviews at 1 independent source." in ratings
    assert "Self-published by the clinic on its own website, not counted in the combined figure: 5.0 out of 5 " \
           "(58 reviews)" in ratings
    assert ">the clinic&#39;s page about testimonials</a>" in ratings
    assert re.search(r'<span class="badge badge-warning">Self-published</span> on the clinic(&#39;|\')s own website',
                     ratings)
    evidence = html[html.index('id="evidence"'):html.index('id="h-report"')]
    assert ">the clinic&#39;s page about ketamine treatments</a>" in evidence
    phones = evidence[evidence.index("<dt>Phone</dt>"):evidence.index("</dd>", evidence.index("<dt>Phone</dt>"))]
    assert "The same, from KetamineFinder Sample" in phones  # agrees with what is shown
    assert 'Said differently: <span class="value">(602) 555-0199</span>, from KetamineFinder Sample' in phones


BAD_BACKS = ("https://evil.example/search?q=x", "//evil.example/search", "/\\evil.example", "/moderation?q=x",
             "javascript:alert(1)", "/search\r\nLocation: x", "http://localhost/search?q=x")


def test_back_to_search_never_leaves_the_search_page(client: Any, seeded: Any) -> None:
    for back in BAD_BACKS:
        html = client.get(f"/providers/{seeded['sunrise']}", query_string={"back": back}).get_data(as_text=True)
        assert '<a id="back-to-search" href="/search">Back to search</a>' in html, back
    r = client.get(f"/providers/{seeded['sunrise']}", headers={"Referer": "https://evil.example/search?q=x"})
    assert '<a id="back-to-search" href="/search">Back to search</a>' in r.get_data(as_text=True)


def test_back_to_search_keeps_the_query(client: Any, seeded: Any) -> None:
    pid = seeded["sunrise"]
    html = client.get(f"/providers/{pid}", query_string={"back": "/search?q=PTSD&near=78701&modality=iv_infusion"}
                      ).get_data(as_text=True)
    assert 'href="/search?q=PTSD&amp;near=78701&amp;modality=iv_infusion">Back to search' in html
    html = client.get(f"/providers/{pid}", headers={"Referer": "http://localhost/search?q=Sunrise&radius=25"}
                      ).get_data(as_text=True)
    assert 'href="/search?q=Sunrise&amp;radius=25">Back to search' in html
    assert 'name="back" value="/search?q=Sunrise&amp;radius=25"' in html  # carried through the report form


def test_a_clinicians_own_page_has_one_status_too(client: Any, web_db: Database, seeded: Any) -> None:
    clinic = client.get(f"/providers/{add_status_clinic(web_db)}").get_data(as_text=True)
    vera = re.search(r'<a href="(/providers/\d+)">Vera Verified</a>', clinic)
    assert vera
    html = " ".join(client.get(vera.group(1)).get_data(as_text=True).split())
    own = html[html.index('id="h-cred"'):html.index("</section>", html.index('id="h-cred"'))]
    assert re.findall(r'data-status="([a-z_]+)"', own) == ["verified"]
    assert "Also listed as PhD: not checked yet." in own and ">NPI Registry record</a>" in own
    assert '<a href="/providers/' in html[html.index('id="h-clinics"'):]  # where they work


def test_an_approximate_location_is_said_in_words(client: Any, web_db: Database, seeded: Any) -> None:
    pid = add_status_clinic(web_db)
    html = client.get(f"/providers/{pid}").get_data(as_text=True)
    assert "Approximate" not in html
    with web_db.session() as s:
        s.get(Provider, pid).geo_source = "zip_centroid"
        s.commit()
    html = client.get(f"/providers/{pid}").get_data(as_text=True)
    assert "Approximate: the map shows the centre of ZIP code 85004, not the exact address." in html
    assert "zip_centroid" not in html
