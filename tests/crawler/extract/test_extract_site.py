"""combine_site: one item per location, provider gate, solo practitioners."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extract import combine_site, extract_page
from kdir.common.record import Address, Price, ProviderItem

from . import samples

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def combine(pages: list[tuple[str, str]], site: str) -> list[ProviderItem]:
    facts = [extract_page(html, url) for html, url in pages]
    return combine_site(facts, source="web", site_url=site, fetched_at=NOW)


def test_single_clinic_site() -> None:
    [item] = combine([(samples.YOAST_HOME, "https://serenity.example/"),
                      (samples.BLOG_DENTAL, "https://serenity.example/blog/sedation")], "https://serenity.example/")
    assert item.kind == "clinic"
    assert item.name == "Serenity Ketamine Clinic"
    assert item.address == Address("1200 W. Sixth Street, Suite 300", "Austin", "TX", "78703", "US")
    assert item.phones == ["+15125550134"]
    assert item.email == "hello@serenity.example"
    assert item.modalities == ["iv_infusion", "esketamine_nasal"]
    assert item.conditions == ["treatment_resistant_depression", "anxiety", "ptsd"]
    assert item.services == ["integration_therapy", "medical_screening", "telehealth"]
    assert item.telehealth is True
    assert item.rating is not None and item.rating.count == 37
    assert item.price == Price(400.0, 600.0, "USD", None)
    assert item.location_key == "serenity.example#1200-6th-78703"
    assert item.website == "https://serenity.example/"
    assert item.fetched_at == NOW
    assert ProviderItem.from_dict(item.to_dict()) == item


def test_chain_gives_one_item_per_location_sharing_practitioners() -> None:
    items = combine([
        (samples.CHAIN_HOME, "https://lumina.example/"),
        (samples.CHAIN_LOCATION, "https://lumina.example/locations/colorado-springs"),
        (samples.TEAM_PAGE, "https://lumina.example/team"),
    ], "https://lumina.example/")
    assert len(items) == 3
    by_city = {i.address.city: i for i in items if i.address}
    assert set(by_city) == {"Denver", "Boulder", "Colorado Springs"}
    assert by_city["Denver"].name == "Lumina Ketamine Centers - Denver"
    assert by_city["Denver"].phones == ["+13035550101"]
    assert by_city["Colorado Springs"].phones == ["+17195550103"]
    assert by_city["Colorado Springs"].source_url == "https://lumina.example/locations/colorado-springs"
    assert len({i.location_key for i in items}) == 3
    for i in items:
        assert i.modalities == ["iv_infusion", "esketamine_nasal"]
        assert "spravato_rems_certified" in i.services and "accepts_insurance" in i.services
        assert i.insurance == ["Aetna", "Cigna", "Medicare"]
        assert [p.name for p in i.practitioners][:2] == ["Omar Haddad", "Maria Chen"]


def test_solo_practitioner_site() -> None:
    [item] = combine([(samples.SOLO_HOME, "https://drortiz.example/")], "https://drortiz.example/")
    assert item.kind == "practitioner"
    assert item.name == "Lena Ortiz"
    assert item.npi == "1234567893"
    assert item.practitioners[0].credentials == ["MD"]
    assert item.address is not None and item.address.city == "San Francisco"
    assert "ketamine_assisted_psychotherapy" in item.services and "oral_sublingual" in item.modalities


def test_not_a_provider_when_ketamine_is_negated() -> None:
    assert combine([(samples.NOT_PROVIDER, "https://calmminds.example/")], "https://calmminds.example/") == []


def test_not_a_provider_when_ketamine_only_on_blog() -> None:
    blog = """<html><body><h1>Is ketamine therapy right for you?</h1><p>Ketamine infusions help depression.</p>
    </body></html>"""
    home = "<html><head><title>Calm Minds</title></head><body><h1>Talk therapy for anxiety</h1></body></html>"
    pages = [(home, "https://calm.example/"), (blog, "https://calm.example/blog/is-ketamine-right-for-you")]
    assert combine(pages, "https://calm.example/") == []


def test_dental_practice_is_not_a_provider() -> None:
    pages = [(samples.DENTAL_HOME, "https://brightsmile.example/"),
             (samples.BLOG_DENTAL, "https://brightsmile.example/blog/sedation")]
    assert combine(pages, "https://brightsmile.example/") == []


def test_negated_code_is_dropped_from_the_item() -> None:
    pages = [(samples.SQUARESPACE_SERVICES, "https://junipermind.example/services"),
             (samples.TEAM_PAGE, "https://junipermind.example/team")]
    [item] = combine(pages, "https://junipermind.example/")
    assert "iv_infusion" not in item.modalities
    assert item.modalities == ["im_injection", "oral_sublingual"]
    assert "accepts_insurance" not in item.services
    assert item.price == Price(350.0, 975.0, "USD", "session")
    assert item.name == "Juniper Mind Wellness"
    assert len(item.practitioners) == 5


def test_broken_pages_are_ignored() -> None:
    good = extract_page(samples.YOAST_HOME, "https://serenity.example/")
    bad = extract_page(b"", "https://serenity.example/broken")
    items = combine_site([bad, good], source="web", site_url="https://serenity.example/", fetched_at=NOW)
    assert len(items) == 1
    assert combine_site([], source="web", site_url="https://x.example/", fetched_at=NOW) == []


def test_chain_result_does_not_depend_on_page_order() -> None:
    pages = [(samples.CHAIN_HOME, "https://lumina.example/"),
             (samples.CHAIN_LOCATION, "https://lumina.example/locations/colorado-springs"),
             (samples.TEAM_PAGE, "https://lumina.example/team")]
    forward = combine(pages, "https://lumina.example/")
    backward = combine(list(reversed(pages)), "https://lumina.example/")
    assert sorted((i.name, i.location_key) for i in forward) == sorted((i.name, i.location_key) for i in backward)
    names = {i.address.city: i.name for i in forward if i.address}
    assert names["Colorado Springs"] == "Lumina Ketamine Centers \u2013 Colorado Springs"


def test_chain_brand_from_common_prefix_without_site_name() -> None:
    html = samples.CHAIN_HOME.replace('<meta property="og:site_name" content="Lumina Ketamine Centers">', "")
    [denver, boulder, springs] = sorted(combine([(html, "https://lumina.example/")], "https://lumina.example/"),
                                        key=lambda i: i.address.postal_code if i.address else "")
    assert denver.name == "Lumina Ketamine Centers - Denver"
    assert springs.name == "Lumina Ketamine Centers \u2013 Colorado Springs"


def test_footer_locations_get_their_own_labels_and_phones() -> None:
    html = """<html><head><title>Calm Ketamine | Home</title><meta property="og:site_name" content="Calm Ketamine">
    </head><body><h1>Ketamine infusion therapy</h1><p>We offer IV ketamine infusions for depression.</p>
    <footer><h3>Contact Us</h3>
    <p><strong>Austin Office</strong><br>100 Congress Ave<br>Austin, TX 78701</p>
    <p><strong>Round Rock Office</strong><br>200 Main St<br>Round Rock, TX 78664<br>(512) 555-0177</p>
    </footer></body></html>"""
    items = combine([(html, "https://calm.example/")], "https://calm.example/")
    by_city = {i.address.city: i for i in items if i.address}
    assert by_city["Austin"].name == "Calm Ketamine \u2013 Austin Office"
    assert by_city["Round Rock"].name == "Calm Ketamine \u2013 Round Rock Office"
    assert by_city["Round Rock"].phones == ["+15125550177"]
    assert by_city["Austin"].phones == ["+15125550177"]  # the site's only number, shared


def test_address_key_survives_spelling_variants() -> None:
    from crawler.extract.site import address_key

    a = address_key(Address("1200 W. Sixth Street, Suite 300", "Austin", "TX", "78703"))
    assert a == address_key(Address("1200 West 6th St, Ste 300", "Austin", "TX", "78703-1234")) == "1200-6th-78703"
    assert a != address_key(Address("1300 W. Sixth Street", "Austin", "TX", "78703"))


def test_modality_named_on_some_location_pages_only_applies_there() -> None:
    home = """<html><head><meta property="og:site_name" content="Pine Ketamine"></head><body>
    <h1>Ketamine infusions</h1><p>We offer IV ketamine infusions in two clinics.</p></body></html>"""
    loc_a = """<html><body><h1>Pine Ketamine - Reno</h1><p>IV infusions and intramuscular ketamine.</p>
    <p>10 Main St, Reno, NV 89501</p></body></html>"""
    loc_b = """<html><body><h1>Pine Ketamine - Sparks</h1><p>IV infusions only.</p>
    <p>20 Oak St, Sparks, NV 89431</p></body></html>"""
    items = combine([(home, "https://pine.example/"), (loc_a, "https://pine.example/locations/reno"),
                     (loc_b, "https://pine.example/locations/sparks")], "https://pine.example/")
    mods = {i.address.city: i.modalities for i in items if i.address}
    assert mods == {"Reno": ["iv_infusion", "im_injection"], "Sparks": ["iv_infusion"]}


def test_messy_builder_page() -> None:
    [item] = combine([(samples.WIX_LIKE_HOME, "https://renewmind.example/")], "https://renewmind.example/")
    assert item.name == "Renew Mind Ketamine & Wellness"
    assert item.phones == ["+12145550188"]  # not the fax, not the crisis line
    assert item.address == Address("8111 LBJ Fwy, Suite 1050", "Dallas", "TX", "75251", "US")
    assert item.modalities == ["iv_infusion", "esketamine_nasal"]
    assert item.conditions == ["depression", "anxiety", "ptsd", "chronic_pain"]
    assert "accepts_insurance" not in item.services and item.insurance == []
    assert item.practitioners[0].name == "Sarah Kim" and item.practitioners[0].role == "Anesthesiologist"
    assert item.price == Price(399.0, None, "USD", "session")


def test_clinic_with_one_physician_employee_is_a_clinic() -> None:
    html = """<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization",
    "name":"Renew Mind","employee":[{"@type":"Physician","name":"Sarah Kim, MD"}]}</script>
    <h1>Ketamine infusions</h1><p>Renew Mind offers IV ketamine infusions for depression.</p>"""
    [item] = combine([(html, "https://renew.example/")], "https://renew.example/")
    assert item.kind == "clinic" and item.name == "Renew Mind"
    assert [p.name for p in item.practitioners] == ["Sarah Kim"]


def _location_page(city: str, zip5: str, street: str, person: str) -> str:
    return ("<html><head><title>Harbor Ketamine " + city + "</title><script type='application/ld+json'>"
            '{"@context":"https://schema.org","@type":"MedicalClinic","name":"Harbor Ketamine ' + city + '",'
            '"address":{"@type":"PostalAddress","streetAddress":"' + street + '","addressLocality":"' + city + '",'
            '"addressRegion":"MA","postalCode":"' + zip5 + '"},"employee":[{"@type":"Physician","name":"' + person
            + '"}]}</script></head><body><h1>Ketamine infusions in ' + city + "</h1><p>We offer IV ketamine "
            "infusions for depression.</p></body></html>")


def test_chain_location_with_its_own_staff_lists_only_them() -> None:
    team = ("<html><head><title>Our physicians | Harbor Ketamine</title></head><body><h1>Our physicians</h1>"
            "<p>Dr. Ann Lee, MD, Medical Director</p><p>Ben Cruz, CRNA</p><p>Cara Diaz, PMHNP-BC</p></body></html>")
    items = combine([(_location_page("Boston", "02108", "45 Tremont St", "Ann Lee, MD"),
                      "https://harbor.example/locations/boston/"),
                     (_location_page("Salem", "01970", "10 Derby St", "Ben Cruz, CRNA"),
                      "https://harbor.example/locations/salem/"),
                     (team, "https://harbor.example/team/"),
                     ("<html><head><title>Harbor Ketamine</title></head><body><h1>Harbor Ketamine</h1><p>Ketamine"
                      " infusion therapy for depression.</p></body></html>", "https://harbor.example/")],
                    "https://harbor.example/")
    staff = {i.address.city if i.address else None: [(p.name, p.credentials) for p in i.practitioners]
             for i in items}
    # the site-wide record of each person (credentials, role from the team page) is the one listed
    assert staff == {"Boston": [("Ann Lee", ["MD"])], "Salem": [("Ben Cruz", ["CRNA"])]}
    assert [p.role for i in items for p in i.practitioners] == ["Medical Director", None]
