"""A solo practitioner's listing and their practice: one provider across kinds.

A directory often lists a solo practitioner as an individual ("Sam Patel, PMHNP-BC") while the website is the
practice ("Blue Ridge Ketamine Psychotherapy"). The listing joins the practice (rule ``solo_practice``) when
the clinic rules find the practice by the listing's own evidence (its NPI, its phone at the same street, its
website at a compatible street, its name at the same street) **and** the practice is that person's own: the
practice names this person and nobody else, or its name carries the person's surname, or it names nobody and
the evidence is the person's own NPI or name. A person listed at a group practice stays a person of their own
(found again by name at that practice), never the practice itself.

The other way round, a website read as a person's (a solo practitioner's own site) joins the practice a
directory lists when the directory's entry links to that website or prints its NPI, and names nobody else: the
website is the person's, so the practice it belongs to is theirs (a shared phone is not enough: a therapist's
own site may print the group practice's line). The order of the runs does not matter: a person listing
indexed before its practice is looked at again when the practice is first indexed
(:mod:`indexer.resolve.rejoin`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in
from indexer.db.models import Affiliation, Provider
from kdir.common.names import fold_name_part, parse_person, same_person_name

RULE = "solo_practice"
#: the source kind of clinic websites
WEBSITE_KIND = "clinic_site"


def named_people(session: Session, clinic_ids: Iterable[int]) -> dict[int, set[str]]:
    """Match names of the practitioners each stored clinic names (its affiliations)."""
    ids = sorted({c for c in clinic_ids if c > 0})
    out: dict[int, set[str]] = defaultdict(set)
    for i in range(0, len(ids), 900):
        for clinic_id, key in session.execute(
                select(Affiliation.clinic_id, Provider.match_name)
                .join(Provider, Provider.id == Affiliation.practitioner_id)
                .where(ids_in(Affiliation.clinic_id, ids[i:i + 900]))):
            if key:
                out[clinic_id].add(key)
    return out


def same_person_key(a: str, b: str) -> bool:
    """Two person match names of one person ("sam patel" / "samuel patel")."""
    if a == b:
        return True
    pa, pb = parse_person(a), parse_person(b)
    return pa is not None and pb is not None and same_person_name(pa, pb)


def surname_in(person_name: str, clinic_match_name: str) -> bool:
    """The person's whole surname is a word (or words) of the practice's name ("Roe Psychiatry PLLC")."""
    person = parse_person(person_name)
    if person is None or len(person.last) < 3:
        return False
    last = " ".join(fold_name_part(person.last).replace("-", " ").split())
    return f" {last} " in f" {clinic_match_name.replace('-', ' ')} "


def is_own_practice(person_name: str, person_key: str, clinic_match_name: str, named: set[str],
                    rule: str) -> bool:
    """Whether a clinic found for a practitioner listing by ``rule`` is that person's own practice."""
    if named and not any(same_person_key(person_key, k) for k in named):
        return False  # the practice names its people, and not this one
    if named and all(same_person_key(person_key, k) for k in named):
        return True  # it names this person and nobody else
    if surname_in(person_name, clinic_match_name):
        return True
    return not named and rule in ("npi", "name_address")
