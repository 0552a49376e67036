"""People: credentials from the vendored list, labels, role titles, non-clinical staff, organisation NPIs."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from crawler.extract import extract_page
from crawler.extract.practitioners import CREDENTIALS, find_practitioners, normalize_credential


def people(*lines: str, team: bool = False) -> list[tuple[str, list[str], str | None]]:
    return [(p.name, p.credentials, p.role) for p in find_practitioners(list(lines), team_page=team)]


@pytest.mark.parametrize(("line", "creds"), [
    ("Lee Park, LPC-A", ["LPC-A"]), ("Kim Ray, LCADC, LISW-S", ["LCADC", "LISW-S"]), ("Ana Diaz, NP-C", ["NP-C"]),
    ("Bo Li, PsyD", ["PsyD"]), ("Sue Kim, LMFT-A, LPCC", ["LMFT-A", "LPCC"]), ("Jo Bell, LMSW, LCPC", ["LMSW", "LCPC"]),
    ("Ray Ortiz, LMHC", ["LMHC"]), ("Dana Fox, APRN, CNS", ["APRN", "CNS"]), ("Ida Moss, LCSW-C", ["LCSW-C"]),
    ("Omar Haddad, CASAC", ["CASAC"]), ("Lena Ruiz, LCMHC", ["LCMHC"]), ("Ty Ward, PMHNP-BC", ["PMHNP-BC"]),
])
def test_the_range_of_us_health_credentials(line: str, creds: list[str]) -> None:
    assert people(line) == [(line.split(",")[0], creds, None)]


def test_every_listed_credential_and_its_suffixed_forms_normalise() -> None:
    with resources.files("kdir.common").joinpath("data/credentials.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["code"] for r in rows if r["kind"] != "suffix"]
    assert len(codes) >= 90 and all(r["source"] for r in rows)
    for code in codes:
        assert normalize_credential(code) == code
        assert normalize_credential(".".join(code)) == code  # "L.M.H.C."
    assert normalize_credential("lpc-a") == "LPC-A"
    assert normalize_credential("BA") is None  # a general degree is not a health credential


@pytest.mark.parametrize("line", ["Our provider: Jane Roe, LCSW", "Therapist: Jane Roe, LCSW",
                                  "Psychiatric Nurse Practitioner Jane Roe, LCSW", "Your Provider Jane Roe, LCSW"])
def test_label_words_are_not_glued_to_names(line: str) -> None:
    assert people(line) == [("Jane Roe", ["LCSW"], None)]


def test_role_titles_are_not_people() -> None:
    assert people("Nurse Coordinator", "RN", team=True) == []
    assert people("Nurse Coordinator, RN") == []
    assert people("Clinical Director, LCSW") == []


@pytest.mark.parametrize(("name_line", "role_line"), [
    ("Amy Wu", "Front Desk Coordinator"), ("Amy Wu", "Office Manager"), ("Amy Wu", "Patient Coordinator"),
    ("Amy Wu", "Marketing Director"), ("Amy Wu", "Billing Specialist"),
])
def test_non_clinical_staff_are_not_practitioners(name_line: str, role_line: str) -> None:
    assert people(name_line, role_line, team=True) == []


def test_clinical_staff_stay() -> None:
    assert people("Amy Wu", "Psychiatric Nurse Practitioner", team=True) == [
        ("Amy Wu", [], "Psychiatric Nurse Practitioner")]


def test_non_clinical_staff_from_structured_data_are_dropped_too() -> None:
    html = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "MedicalClinic", "name": "Calm Ketamine", "employee": [
      {"@type": "Person", "name": "Rita Gomez", "jobTitle": "Office Manager"},
      {"@type": "Person", "name": "Alan Reyes", "honorificSuffix": "MD", "jobTitle": "Medical Director"}]}
    </script></head><body><h1>Our team</h1></body></html>"""
    f = extract_page(html, "https://calm.example/team/")
    assert [p.name for p in f.practitioners] == ["Alan Reyes"]


def test_an_organisations_npi_is_never_a_persons() -> None:
    page = "<html><body><h1>Team</h1><p>Dr. Alan Reyes, MD, Medical Director</p><p>{}: 1234567893</p></body></html>"
    org = extract_page(page.format("Practice NPI"), "https://a.example/team/")
    assert [p.npi for p in org.practitioners] == [None] and org.npis == ["1234567893"]
    own = extract_page(page.format("NPI"), "https://a.example/team/")
    assert [p.npi for p in own.practitioners] == ["1234567893"]


def test_the_registry_check_and_the_recogniser_read_one_list() -> None:
    from kdir.common.credentials import codes
    from kdir.common.taxonomy import CODES, category

    assert codes() == CREDENTIALS
    for code in CODES:  # every credential the registry check can test is recognised, suffixed forms too
        printed = next(c for c in CREDENTIALS if c.upper() == code)
        assert normalize_credential(printed) == printed and category(normalize_credential(printed)) == CODES[code]
    assert category(normalize_credential("pmhnp - bc")) == "psych_np"
