"""Practitioner names, credentials and roles."""

from __future__ import annotations

import pytest

from crawler.extract.practitioners import (
    clean_name,
    find_practitioners,
    merge_people,
    normalize_credential,
    practitioner_from_parts,
    practitioner_from_text,
    split_credentials,
)
from kdir.common.record import Practitioner


@pytest.mark.parametrize(("line", "expected"), [
    ("Dr. Alan Reyes, DO, Medical Director", Practitioner("Alan Reyes", ["DO"], "Medical Director")),
    ("Maria Chen, LCSW", Practitioner("Maria Chen", ["LCSW"], None)),
    ("Sam Patel, PMHNP-BC", Practitioner("Sam Patel", ["PMHNP-BC"], None)),
    ("José Núñez, M.D.", Practitioner("José Núñez", ["MD"], None)),
    ("Our founder Jane van der Berg MD, PhD leads the team.", Practitioner("Jane van der Berg", ["MD", "PhD"], None)),
    ("Kim O'Neil-Park, PA-C | Physician Assistant", Practitioner("Kim O'Neil-Park", ["PA-C"], "Physician Assistant")),
    ("Rachel Green, Ph.D., LMFT – Lead Integration Therapist",
     Practitioner("Rachel Green", ["PhD", "LMFT"], "Lead Integration Therapist")),
])
def test_single_line_forms(line: str, expected: Practitioner) -> None:
    assert find_practitioners([line]) == [expected]


def test_clinic_words_are_not_people() -> None:
    assert find_practitioners(["Ketamine Infusion Center, LLC", "Austin Wellness, PA"]) == []


def test_team_page_two_line_layout() -> None:
    lines = ["Our Team", "Kim Lee", "Integration Therapist", "Dr. Omar Haddad", "Anesthesiologist",
             "Ketamine Infusion", "Learn more", "Maria Chen", "LCSW, Clinical Director"]
    found = find_practitioners(lines, team_page=True)
    assert found == [
        Practitioner("Kim Lee", [], "Integration Therapist"),
        Practitioner("Omar Haddad", [], "Anesthesiologist"),
        Practitioner("Maria Chen", ["LCSW"], "Clinical Director"),
    ]


def test_two_line_layout_needs_team_page() -> None:
    assert find_practitioners(["Kim Lee", "Integration Therapist"]) == []


def test_role_from_next_line_is_not_another_person() -> None:
    found = find_practitioners(["Maria Chen, LCSW", "Sam Patel, PMHNP-BC"])
    assert [p.role for p in found] == [None, None]


def test_same_person_merged() -> None:
    found = find_practitioners(["Dr. Alan Reyes", "Alan Reyes, DO, Medical Director"])
    assert found == [Practitioner("Alan Reyes", ["DO"], "Medical Director")]


@pytest.mark.parametrize(("raw", "code"), [
    ("M.D.", "MD"), ("D.O.", "DO"), ("pmhnp-bc", "PMHNP-BC"), ("PA-C", "PA-C"), ("Ph.D.", "PhD"),
    ("Psy.D.", "PsyD"), ("L.C.S.W.", "LCSW"), ("CRNA", "CRNA"), ("FNP-BC", "FNP-BC"), ("RN", "RN"), ("XYZ", None),
])
def test_normalize_credential(raw: str, code: str | None) -> None:
    assert normalize_credential(raw) == code


def test_split_credentials() -> None:
    assert split_credentials("MD, PhD, FAPA") == ["MD", "PhD", "FAPA"]
    assert split_credentials("board-certified") == []


def test_clean_name() -> None:
    assert clean_name("Dr. Alan Reyes") == "Alan Reyes"
    assert clean_name("Meet Maria Chen") == "Maria Chen"
    assert clean_name("Ketamine Clinic") is None
    assert clean_name("Madonna") is None


def test_practitioner_from_structured_parts() -> None:
    p = practitioner_from_parts("Dr. Alan Reyes, D.O.", suffix="FAPA", job_title="Medical Director", npi="1234567893")
    assert p == Practitioner("Alan Reyes", ["DO", "FAPA"], "Medical Director", "1234567893")


def test_city_state_is_not_a_person() -> None:
    assert find_practitioners(["Visit us in Silver Spring, MD 20910", "Offices in West Chester, PA and Boston, MA",
                               "Jane Smith, MD"]) == [Practitioner("Jane Smith", ["MD"], None)]


def test_bilingual_role_keeps_the_english_part() -> None:
    found = find_practitioners(["Begoña Ibáñez, LPCC · Terapeuta de integración / Integration Therapist",
                                "Ana Ruiz, MD | Owner / Medical Director"])
    assert [(p.name, p.role) for p in found] == [("Begoña Ibáñez", "Integration Therapist"),
                                                ("Ana Ruiz", "Medical Director")]


@pytest.mark.parametrize(("text", "role", "expected"), [
    ("Sam Patel, PMHNP-BC", None, ("Sam Patel", ["PMHNP-BC"], None)),
    ("Dr. Jane Roe, M.D., Ph.D.", "Medical Director", ("Jane Roe", ["MD", "PhD"], "Medical Director")),
    ("Alan Reyes, DO - Psychiatrist", None, ("Alan Reyes", ["DO"], "Psychiatrist")),
    ("Bego\u00f1a Ib\u00e1\u00f1ez, LPCC", None, ("Bego\u00f1a Ib\u00e1\u00f1ez", ["LPCC"], None)),
    ("Jane Roe", None, ("Jane Roe", [], None)),
    ("Lee Park, LPC-A, NCC", None, ("Lee Park", ["LPC-A", "NCC"], None)),
    ("Roe, Jane Q., M.D.", None, ("Jane Q. Roe", ["MD"], None)),
    ("Smith-Jones, Ann, LCSW", None, ("Ann Smith-Jones", ["LCSW"], None)),
    ("Roe, Jane", None, ("Jane Roe", [], None)),
])
def test_practitioner_from_text(text: str, role: str | None, expected: tuple) -> None:
    p = practitioner_from_text(text, role=role)
    assert p is not None and (p.name, p.credentials, p.role) == expected


def test_practitioner_from_text_refuses_what_is_no_person() -> None:
    assert practitioner_from_text("") is None
    assert practitioner_from_text("Ketamine Wellness Center") is None
    assert practitioner_from_text("Jane Roe, Front Desk Coordinator") is None
    assert practitioner_from_text("Austin, Texas") is None
    assert practitioner_from_text("Patel, PMHNP-BC") is None


def test_merge_people_keeps_one_entry_per_person() -> None:
    people = merge_people([Practitioner("Jane Roe", ["MD"], "Medical Director"),
                           Practitioner("Dr. Jane Roe", ["PhD"]), Practitioner("Sam Patel", ["PMHNP-BC"])])
    assert [(p.name, p.credentials, p.role) for p in people] == [
        ("Jane Roe", ["MD", "PhD"], "Medical Director"), ("Sam Patel", ["PMHNP-BC"], None)]
