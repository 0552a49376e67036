"""Person names as registries file them, nicknames from the maintained list, credential lists."""

from __future__ import annotations

import pytest

from kdir.common.names import (
    organisation_queries,
    parse_person,
    same_first_name,
    same_person_name,
    split_credential_text,
    surname_queries,
)


@pytest.mark.parametrize(("raw", "first", "middle", "last"), [
    ("Dr. María De La Cruz-Ortiz, MD", "maria", "", "de la cruz-ortiz"),
    ("Jane Roe MD", "jane", "", "roe"),
    ("Jane Roe, LPC, NCC", "jane", "", "roe"),
    ("Jane Roe LMHC", "jane", "", "roe"),
    ("Luis Del Rio Jr.", "luis", "", "del rio"),
    ("Mary St. John", "mary", "", "st john"),
    ("Peter van Dyke III", "peter", "", "van dyke"),
    ("Michael T. Brennan, M.D.", "michael", "t", "brennan"),
    ("José Núñez", "jose", "", "nunez"),
])
def test_parse_person(raw: str, first: str, middle: str, last: str) -> None:
    p = parse_person(raw)
    assert p is not None and (p.first, p.middle, p.last) == (first, middle, last)


def test_first_names_nicknames_and_initials() -> None:
    for a, b in (("bill", "william"), ("kate", "katherine"), ("liz", "elizabeth"), ("bob", "robert"),
                 ("j", "jane")):
        assert same_first_name(a, b) and same_first_name(b, a), (a, b)
    for a, b in (("john", "jane"), ("bill", "katherine"), ("k", "jane")):
        assert not same_first_name(a, b), (a, b)


def test_whole_names() -> None:
    def same(a: str, b: str) -> bool:
        pa, pb = parse_person(a), parse_person(b)
        assert pa is not None and pb is not None
        return same_person_name(pa, pb)

    assert same("Maria Dela Cruz", "MARIA DE LA CRUZ")
    assert same("Ana Garcia Lopez", "ANA GARCIA-LOPEZ")  # a double surname printed without its hyphen
    assert same("Anne Smith", "ANNE SMITH-OKAFOR")  # one of a double surname
    assert same("J. Robert Smith", "ROBERT SMITH")  # known by the middle name
    assert not same("Michael T. Brennan", "MICHAEL A BRENNAN")  # contradicting middle initials
    assert not same("Anne Smith", "ANNE SMITHSON")
    assert surname_queries(parse_person("Ana Garcia Lopez"))[:2] == ["LOPEZ", "GARCIA LOPEZ"]  # type: ignore[arg-type]
    assert surname_queries(parse_person("Maria De La Cruz"))[0] == "DE LA CRUZ"  # type: ignore[arg-type]
    assert organisation_queries("Northshore Psychiatric Associates, M.D., P.C.")[0] == "NORTHSHORE PSYCHIATRIC ASSOCIATES*"
    assert organisation_queries("Evergreen Ketamine Centers – Boston") == ["EVERGREEN KETAMINE CENTERS BOSTON*",
                                                                          "EVERGREEN KETAMINE*"]


@pytest.mark.parametrize(("raw", "codes"), [
    ("MA LPC NCC", ["MA", "LPC", "NCC"]), ("M.D., Ph.D.", ["MD", "PHD"]), ("M. D.", ["MD"]),
    ("Pharm D", ["PHARMD"]), ("M.Ed., LPC, NCC", ["MED", "LPC", "NCC"]), ("PhD, CRNP,PNP,FNP-BC",
                                                                      ["PHD", "CRNP", "PNP", "FNP-BC"]),
    ("APRN/PMH", ["APRN", "PMH"]), ("", []), (None, []),
])
def test_credential_lists_split(raw: object, codes: list[str]) -> None:
    assert split_credential_text(raw) == codes
