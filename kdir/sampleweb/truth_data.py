"""The facts written into the sample sites, one entry per location (see ``truth.py`` for conventions).

Websites here are paths; ``get_truth`` prefixes the live base URLs. Keep this file in step with ``sites/``.
"""

from __future__ import annotations

from kdir.common.record import Address
from kdir.sampleweb.truth import ExpectedListing as L
from kdir.sampleweb.truth import ExpectedPractitioner as P
from kdir.sampleweb.truth import SiteTruth as S

_EVERGREEN_COMMON = dict(
    npi="1250837196", email="info@evergreenketamine.example",
    conditions=("depression", "treatment_resistant_depression", "anxiety", "ptsd", "ocd"),
    services=("medical_screening", "integration_therapy"), price_min=475.0, price_max=2650.0,
)

SITES: tuple[S, ...] = (
    S("stillwater", "", True, (L(
        "stillwater", "main", "clinic", "Stillwater Ketamine Clinic", ("+15125550101",),
        Address("1100 Congress Ave, Suite 210", "Austin", "TX", "78701"), "/",
        canonical_website="https://stillwaterketamine.example/", aliases=("Stillwater Ketamine Clinic PLLC",),
        npi="1488277165", email="info@stillwaterketamine.example",
        modalities=("iv_infusion", "im_injection"),
        conditions=("depression", "treatment_resistant_depression", "ptsd", "anxiety", "chronic_pain"),
        services=("medical_screening", "integration_therapy"),
        practitioners=(
            P("Helen Park", ("MD",), "Medical Director", "1583014422", "TX", "verified", "1583014422",
              trap="a namesake Helen Park, MD practises in WA (1294768308)"),
            P("Jordan Ellis", ("CRNA",), "Certified Registered Nurse Anesthetist", "1720935547", "TX", "verified",
              "1720935547"),
        ),
        rating_value=4.8, rating_count=37, reviews_with_rating=3, price_min=450.0, price_max=2400.0,
    ),), fax_numbers=("+15125550199",)),
    S("milehigh", "", True, (L(
        "milehigh", "main", "clinic", "Mile High Ketamine & Wellness", ("+13035550102",),
        Address("1600 Stout St, Suite 1400", "Denver", "CO", "80202"), "/",
        canonical_website="https://milehighketamine.example/", aliases=("Mile High Ketamine and Wellness",),
        email="info@milehighketamine.example",
        modalities=("iv_infusion", "im_injection"), conditions=("depression", "anxiety", "ptsd", "ocd"),
        services=("medical_screening", "integration_therapy", "ketamine_assisted_psychotherapy"),
        practitioners=(
            P("Marcus Webb", ("DO",), "Medical Director", "1366509218", "CO", "verified", "1366509218"),
            P("Lisa Tran", ("MD",), "Psychiatric Provider", "1904182734", "CO", "mismatch", "1904182734",
              trap="the site says MD; the registry lists a psychiatric nurse practitioner (363LP0808X)"),
        ),
        rating_value=4.6, rating_count=22, reviews_with_rating=2, price_min=495.0, price_max=2700.0,
    ),), trap_paths=("/events/",)),
    S("cascade", "", True, (L(
        "cascade", "main", "clinic", "Cascade Mind Ketamine Clinic", ("+15035550103",),
        Address("812 SW Washington St, Suite 300", "Portland", "OR", "97205"), "/",
        canonical_website="https://cascademind.example/", aliases=("Cascade Mind",),
        email="hello@cascademind.example",
        modalities=("iv_infusion", "im_injection"), negated_modalities=("at_home", "esketamine_nasal"),
        conditions=("treatment_resistant_depression", "ptsd", "suicidal_ideation", "postpartum_depression"),
        services=("medical_screening", "integration_therapy", "ketamine_assisted_psychotherapy"),
        practitioners=(
            P("Alan Reyes", ("DO",), "Medical Director", "1155290640", "OR", "verified", "1155290640"),
            P("Maria Chen", ("LCSW",), "Therapist", "1633741826", "OR", "not_found",
              trap="valid check digit, but the number is not in the registry"),
        ),
        testimonials=3, price_min=525.0, price_max=2900.0,
    ),), robots_disallow=("/private/",), forbidden_phones=("+15035550198",)),
    S("lumen", "", True, (L(
        "lumen", "main", "clinic", "Lumen Ketamine Therapy", ("+16025550104",),
        Address("2 N Central Ave, Suite 1800", "Phoenix", "AZ", "85004"), "/",
        canonical_website="https://lumenketamine.example/", email="care@lumenketamine.example",
        modalities=("iv_infusion",),
        conditions=("depression", "anxiety", "bipolar_depression", "chronic_pain"),
        services=("medical_screening", "integration_therapy", "telehealth"),
        practitioners=(
            P("Priya Natarajan", ("MD",), "Medical Director", "1049355674", "AZ", "verified", "1049355674"),
            P("Kevin Olsen", ("MD",), "Anesthesiologist", "1872063411", "AZ", "not_found",
              trap="the registry returns this NPI with basic.status 'D' (deactivated): it verifies nothing"),
            P("Tasha Greene", ("RN",), "Infusion Nurse", None, "AZ", "not_found", trap="no NPI, not in registry"),
        ),
        rating_value=4.9, rating_count=58, reviews_with_rating=2, price_min=400.0, price_max=2200.0,
        telehealth=True,
    ),)),
    S("evergreen", "", True, (
        L("evergreen", "boston", "clinic", "Evergreen Ketamine Centers \u2013 Boston", ("+16175550105",),
          Address("45 Tremont St, Suite 600", "Boston", "MA", "02108"), "/locations/boston/",
          canonical_website="https://evergreenketamine.example/locations/boston/",
          aliases=("Evergreen Ketamine Centers", "Evergreen Ketamine Centers - Boston",
                   "Evergreen Ketamine Centers Boston"),
          modalities=("iv_infusion", "im_injection"),
          practitioners=(P("Michael Brennan", ("MD",), "Medical Director", None, "MA", "ambiguous",
                           trap="two psychiatrists named Michael Brennan in MA (1799120450, 1422668032)"),),
          rating_value=4.7, rating_count=64, reviews_with_rating=1, **_EVERGREEN_COMMON),  # type: ignore[arg-type]
        L("evergreen", "cambridge", "clinic", "Evergreen Ketamine Centers \u2013 Cambridge", ("+16175550115",),
          Address("1 Kendall Sq, Building 200", "Cambridge", "MA", "02139"), "/locations/cambridge/",
          canonical_website="https://evergreenketamine.example/locations/cambridge/",
          aliases=("Evergreen Ketamine Centers", "Evergreen Ketamine Centers - Cambridge",
                   "Evergreen Ketamine Centers Cambridge"),
          modalities=("iv_infusion", "im_injection"),
          practitioners=(P("Nathan Cole", ("MD",), "Anesthesiologist", "1311700946", "MA", "verified",
                           "1311700946"),),
          rating_value=4.5, rating_count=31, reviews_with_rating=1, **_EVERGREEN_COMMON),  # type: ignore[arg-type]
        L("evergreen", "providence", "clinic", "Evergreen Ketamine Centers \u2013 Providence", ("+14015550125",),
          Address("100 Westminster St, Suite 350", "Providence", "RI", "02903"), "/locations/providence/",
          canonical_website="https://evergreenketamine.example/locations/providence/",
          aliases=("Evergreen Ketamine Centers", "Evergreen Ketamine Centers - Providence",
                   "Evergreen Ketamine Centers Providence"),
          modalities=("iv_infusion",),
          practitioners=(P("Sofia Alvarez", ("MD",), "Lead Physician", "1665812370", "RI", "verified",
                           "1665812370"),),
          rating_value=4.8, rating_count=17, reviews_with_rating=1, **_EVERGREEN_COMMON),  # type: ignore[arg-type]
    ), crawl_delay=1.0),
    S("patel", "", True, (L(
        "patel", "main", "practitioner", "Blue Ridge Ketamine Psychotherapy", ("+18285550106",),
        Address("56 College St, Suite 4", "Asheville", "NC", "28801"), "/",
        canonical_website="https://blueridgekap.example/", aliases=("Sam Patel", "Sam Patel, PMHNP-BC"),
        npi="1107483525", email="sam@blueridgekap.example",
        modalities=("oral_sublingual", "at_home"), negated_modalities=("iv_infusion",),
        conditions=("depression", "anxiety", "ptsd"),
        services=("medical_screening", "integration_therapy", "ketamine_assisted_psychotherapy", "telehealth"),
        practitioners=(P("Sam Patel", ("PMHNP-BC",), "Psychiatric Nurse Practitioner", "1107483525", "NC",
                         "verified", "1107483525"),),
        testimonials=2, price_min=300.0, price_max=1200.0, telehealth=True, licensed_states=("NC", "SC"),
    ),)),
    S("brightsmile", "", False, ()),
    S("harborview", "", True, (L(
        "harborview", "main", "clinic", "Harborview Psychiatry", ("+12065550108",),
        Address("720 Third Ave, Suite 1100", "Seattle", "WA", "98104"), "/",
        canonical_website="https://harborviewpsychiatry.example/", aliases=("Harborview Psychiatry PLLC",),
        npi="1218347064", email="frontdesk@harborviewpsychiatry.example",
        modalities=("esketamine_nasal",), negated_modalities=("iv_infusion", "at_home"),
        conditions=("depression", "treatment_resistant_depression", "suicidal_ideation"),
        services=("medical_screening", "accepts_insurance", "spravato_rems_certified"),
        practitioners=(
            P("Rebecca Stone", ("MD",), "Medical Director", "1566294108", "WA", "verified", "1566294108"),
            P("Daniel Kim", ("PA-C",), "Physician Assistant", "1744059830", "WA", "invalid_number",
              trap="printed NPI fails the Luhn/80840 check digit"),
        ),
        testimonials=2,
        insurance=("Aetna", "Cigna", "Premera Blue Cross", "Regence BlueShield", "Medicare", "Apple Health"),
    ),), fax_numbers=("+12065550197",)),
    S("serenidad", "", True, (L(
        "serenidad", "main", "clinic", "Cl\u00ednica Serenidad Ketamine Center", ("+15055550109",),
        Address("315 Marquette Ave NW, Suite 500", "Albuquerque", "NM", "87102"), "/",
        canonical_website="https://clinicaserenidad.example/",
        aliases=("Clinica Serenidad Ketamine Center", "Cl\u00ednica Serenidad"),
        email="contacto@clinicaserenidad.example",
        modalities=("iv_infusion", "im_injection"),
        conditions=("depression", "ptsd", "substance_use", "chronic_pain"),
        services=("medical_screening", "integration_therapy"),
        practitioners=(
            P("Jos\u00e9 N\u00fa\u00f1ez", ("MD",), "Medical Director", "1389122601", "NM", "verified", "1389122601",
              trap="the registry spells him JOSE NUNEZ (no accents)"),
            P("Bego\u00f1a Ib\u00e1\u00f1ez", ("LPCC",), "Integration Therapist", None, "NM", "not_found"),
        ),
        testimonials=2, price_min=425.0, price_max=2300.0,
    ),), encoding="cp1252"),
    S("aurora", "", True, (L(
        "aurora", "main", "clinic", "Aurora Ketamine Institute", ("+16125550131",),
        Address("730 Hennepin Ave, Suite 450", "Minneapolis", "MN", "55403"), "/",
        canonical_website="https://auroraketamine.example/", email="hello@auroraketamine.example",
        modalities=("iv_infusion", "im_injection"),
        conditions=("depression", "treatment_resistant_depression", "anxiety", "ptsd", "chronic_pain"),
        services=("medical_screening", "integration_therapy", "ketamine_assisted_psychotherapy"),
        practitioners=(
            P("Ingrid Solberg", ("MD",), "Medical Director", "1742036589", "MN", "verified", "1742036589"),
            P("Nora Bergstrom", ("CRNA",), "Certified Registered Nurse Anesthetist", "1860914278", "MN",
              "verified", "1860914278"),
            P("Hannah Voss", ("RN",), "Infusion Nurse", None, "MN", "not_found",
              trap="no NPI printed and none in the registry"),
        ),
        price_min=350.0, price_max=2550.0,
    ),), needs_browser=True),
    S("tidewater", "", True, (L(
        "tidewater", "main", "clinic", "Tidewater Ketamine & Spravato Center", ("+18435550132",),
        Address("180 Meeting St, Suite 200", "Charleston", "SC", "29401"), "/",
        canonical_website="https://tidewaterketamine.example/",
        aliases=("Tidewater Ketamine and Spravato Center", "Tidewater Ketamine & Spravato Center LLC"),
        npi="1295730463", email="care@tidewaterketamine.example",
        modalities=("esketamine_nasal", "iv_infusion"), negated_modalities=("at_home",),
        conditions=("depression", "treatment_resistant_depression", "suicidal_ideation", "ptsd"),
        services=("medical_screening", "accepts_insurance", "spravato_rems_certified"),
        practitioners=(
            P("Caroline Ashby", ("MD",), "Medical Director", "1406289532", "SC", "verified", "1406289532"),
            P("Thomas Grimke", ("PMHNP-BC",), "Psychiatric Nurse Practitioner", "1619073822", "SC", "verified",
              "1619073822"),
        ),
        price_min=495.0, price_max=2700.0,
        insurance=("Aetna", "BlueCross BlueShield of South Carolina", "Cigna", "Humana", "Medicare", "TRICARE",
                   "UnitedHealthcare"),
    ),), robots_disallow=("/analytics/",), needs_browser=True),
    S("willowcreek", "", True, (L(
        "willowcreek", "main", "clinic", "Willow Creek Ketamine", ("+12085550113",),
        Address("415 W Bannock St, Suite 200", "Boise", "ID", "83702"), "/",
        modalities=("iv_infusion",), negated_modalities=("esketamine_nasal", "at_home", "oral_sublingual"),
        conditions=("treatment_resistant_depression", "ptsd", "anxiety"),
        services=("medical_screening", "integration_therapy", "accepts_insurance"),
        practitioners=(
            P("Dana Whitfield", ("APRN", "PMHNP-BC"), "Psychiatric Nurse Practitioner", None, "ID", "not_found",
              trap="credentials only in a badge image's alt text"),
            P("Lee Park", ("LPC-A",), "Integration Therapist", None, "ID", "not_found",
              trap="an associate licence, after a label ('Our therapist:')"),
        ),
        testimonials=1, price_min=495.0, price_max=2700.0, insurance=("Aetna", "Cigna", "UnitedHealthcare"),
    ),)),
    S("sagebrush", "", True, (L(
        "sagebrush", "main", "clinic", "Sagebrush Ketamine Center", ("+17755550114",),
        Address("50 W Liberty St, Suite 880", "Reno", "NV", "89501"), "/",
        aliases=("Sagebrush Ketamine Center, PLLC",), email="care@sagebrushketamine.example",
        modalities=("iv_infusion", "im_injection"), negated_modalities=("at_home",),
        conditions=("depression", "treatment_resistant_depression", "anxiety", "ptsd"),
        services=("medical_screening", "integration_therapy"),
        practitioners=(
            P("Marisol Etcheverry", ("MD",), "Medical Director", None, "NV", "not_found",
              trap="on the team page, reachable only through a menu button written by a script"),
            P("Tobias Lindqvist", ("LCSW",), "Integration Therapist", None, "NV", "not_found"),
        ),
        price_min=300.0, price_max=2450.0,
    ),), robots_disallow=("/staff-portal/",), forbidden_phones=("+17755550196",)),
)

#: Overpass element id -> (site, slug) it matches, or () for a candidate only OpenStreetMap knows.
#: Elements not listed must be filtered out (urgent care, dentist, vet, physiotherapy, unnamed).
OSM_KEEP: dict[int, tuple[str, str] | tuple[()]] = {
    9_100_000_001: ("stillwater", "main"),
    9_200_000_002: ("lumen", "main"),
    9_100_000_003: (),
    9_200_000_004: ("evergreen", "cambridge"),
}
