"""The one registry of search filters: what patients can narrow a search by.

Every reader of filters reads this list -- the search backends (FTS5 facet bits, Meilisearch filterable
attributes, filter expressions, facet counts), the search page's form and facet counts, the API's parameters and
its OpenAPI document, the result cards' badges. Adding a filter is one entry here plus the search-document field
that fills it (``indexer.search.documents.provider_document``).

Kinds: ``codes`` (several vocabulary codes; the document field is a list), ``choice`` (one value of a few; the
document field is a string), ``flag`` (yes/no; the document field is a boolean).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from kdir.common.record import KINDS
from kdir.common.vocabulary import CONDITIONS, LABELS, MODALITIES, SERVICES

FilterKind = Literal["codes", "choice", "flag"]
TRUE = "true"


@dataclass(frozen=True)
class Filter:
    name: str  # the query parameter (search page and API) and the key in a query's selection
    field: str  # the search document's field
    kind: FilterKind
    label: str  # what patients read (a group heading, or a checkbox and badge for a flag)
    help: str  # one sentence: the page's explanation, the OpenAPI description
    values: tuple[str, ...] = ()  # codes or choices (their labels: value_label)
    any_label: str = "Any"  # a choice left open

    def value_label(self, value: str) -> str:
        return CHOICE_LABELS.get(value) or LABELS.get(value) or value


CHOICE_LABELS = {"clinic": "Clinics only", "practitioner": "Clinicians only"}

FILTERS: tuple[Filter, ...] = (
    Filter("modality", "modalities", "codes", "Treatment", "Must offer all of these.", MODALITIES),
    Filter("condition", "conditions", "codes", "Condition", "Must treat all of these.", CONDITIONS),
    Filter("service", "services", "codes", "Service", "Must offer all of these.", SERVICES),
    Filter("kind", "kind", "choice", "Show", "Clinics or individual clinicians.", KINDS,
           any_label="Clinics and clinicians"),
    Filter("verified", "verified", "flag", "Credentials verified",
           "At least one prescriber's NPI, name, state and specialty match the national NPI registry."),
    Filter("psychiatrist", "psychiatrist", "flag", "Psychiatrist involved",
           "A practitioner listed here is registered as a psychiatrist in the NPI registry."),
    Filter("therapist", "therapist", "flag", "Licensed therapist on the team",
           "A licensed mental-health professional (psychologist, clinical social worker, counsellor, marriage "
           "and family therapist or psychiatric nurse practitioner) is listed."),
    Filter("insurance", "accepts_insurance", "flag", "Accepts insurance",
           "The provider says it accepts some insurance. Spravato is often covered; IV ketamine usually is not. "
           "Ask your insurer."),
    Filter("telehealth", "telehealth", "flag", "Telehealth",
           "Offers visits by video. Prescribers must be licensed in your state."),
    Filter("prices", "prices_listed", "flag", "Prices listed",
           "The provider publishes its prices, so you can compare before you call."),
)
BY_NAME: dict[str, Filter] = {f.name: f for f in FILTERS}
BY_FIELD: dict[str, Filter] = {f.field: f for f in FILTERS}
#: The search documents' fields that carry a filter, in registry order.
FIELDS: tuple[str, ...] = tuple(f.field for f in FILTERS)
FLAGS: tuple[Filter, ...] = tuple(f for f in FILTERS if f.kind == "flag")

Selection = Mapping[str, tuple[str, ...]]


class UnknownFilter(ValueError):
    """A filter name or value that the registry does not know; the message names it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def check(name: str, values: Iterable[str]) -> tuple[str, ...]:
    """The distinct values of one filter, in the order given; UnknownFilter for anything the registry lacks."""
    f = BY_NAME.get(name)
    if f is None:
        raise UnknownFilter(name, f"unknown filter {name[:40]!r}")
    out: list[str] = []
    for value in values:
        allowed = (TRUE,) if f.kind == "flag" else f.values
        if value not in allowed:
            raise UnknownFilter(name, f"unknown {name} {str(value)[:40]!r}; expected one of: {', '.join(allowed)}")
        if value not in out:
            out.append(value)
    if f.kind == "choice" and len(out) > 1:
        raise UnknownFilter(name, f"{name} takes one value")
    return tuple(out)


def where(**selected: Iterable[str] | str | bool | None) -> dict[str, tuple[str, ...]]:
    """A checked selection: ``where(modality=["iv_infusion"], kind="clinic", verified=True)``. False, None and
    empty values select nothing."""
    out: dict[str, tuple[str, ...]] = {}
    for name, raw in selected.items():
        if raw is None or raw is False:
            continue
        values: Iterable[str] = (TRUE,) if raw is True else (raw,) if isinstance(raw, str) else raw
        checked = check(name, values)
        if checked:
            out[name] = checked
    return out
