"""Facts only in images: a row of insurer logos, a credential or certification badge."""

from __future__ import annotations

from crawler.extract import extract_page

LOGOS = """<html><body><h1>Insurance</h1><p>{lead}</p>
<div class="logo-row"><img src="/a.png" alt="Aetna logo"><img src="/c.png" alt="Cigna">
<img src="/b.png" alt="Blue Cross Blue Shield"><img src="/room.jpg" alt="Our calm infusion room"></div>
</body></html>"""


def test_a_row_of_insurer_logos_lists_the_insurers() -> None:
    f = extract_page(LOGOS.format(lead="We accept these insurance plans:"), "https://a.example/insurance/")
    assert (f.insurance, f.accepts_insurance) == (["Aetna", "Cigna", "Blue Cross Blue Shield"], True)


def test_insurer_logos_under_a_denial_are_not_accepted() -> None:
    f = extract_page(LOGOS.format(lead="We are out of network with all insurers."), "https://a.example/insurance/")
    assert (f.insurance, f.accepts_insurance) == ([], False)


def test_a_photo_is_not_a_fact() -> None:
    f = extract_page(LOGOS.format(lead="We accept these insurance plans:"), "https://a.example/insurance/")
    assert not any("infusion room" in e.snippet for e in f.evidence)


def test_a_credential_badge_belongs_to_the_person_above_it() -> None:
    html = """<html><body><h1>Our team</h1><h3>Jane Roe</h3><img src="/b.png" alt="PMHNP-BC badge">
    <p>Jane has cared for patients for ten years.</p></body></html>"""
    f = extract_page(html, "https://a.example/team/")
    assert [(p.name, p.credentials) for p in f.practitioners] == [("Jane Roe", ["PMHNP-BC"])]


def test_a_certification_badge_is_evidence_with_its_alt_text() -> None:
    html = """<html><body><h1>Ketamine care</h1><p>We offer ketamine therapy.</p>
    <img src="/rems.png" alt="Certified Spravato REMS treatment center"></body></html>"""
    f = extract_page(html, "https://a.example/")
    found = {e.code: e.snippet for e in f.evidence if not e.negated}
    assert found["spravato_rems_certified"] == "Certified Spravato REMS treatment center"
