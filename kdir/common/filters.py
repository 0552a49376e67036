"""The one registry of search filters: what patients can narrow a search by.

Every reader of filters reads this list -- the search backends (FTS5 facet bits, Meilisearch filterable
attributes, filter expressions, facet counts), the search page's form and facet counts, the API's parameters and
its OpenAPI document, the result cards' badges. Adding a filter is one entry here plus the search-document field
that fills it (``indexer.search.documents.provider_document``).

Kinds: ``codes`` (several vocabulary codes; the document field is a list), ``choice`` (one value of a few; the
document field is a string), ``flag`` (yes/no; the document field is a boolean), ``state`` (one US state code;
the document field is a list of states).

Semantics (both backends, the page and the API): several values ticked in one filter mean ANY OF them; filters
combine with AND. A filter's facet counts are computed with every other filter applied but not itself
(disjunctive facets), so each count says how many results ticking that value would give.

Each yes/no fact has exactly one filter: "accepts insurance" and "telehealth" are the service codes
``accepts_insurance`` and ``telehealth`` (the old flags' parameter names are kept by the API as aliases:
:data:`ALIASES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from kdir.common.record import KINDS
from kdir.common.us_states import CODES as STATE_CODES
from kdir.common.vocabulary import CONDITIONS, LABELS, MODALITIES, SERVICES

FilterKind = Literal["codes", "choice", "flag", "state"]
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
    Filter("modality", "modalities", "codes", "Treatment", "Offers any of the ticked treatments.", MODALITIES),
    Filter("condition", "conditions", "codes", "Condition", "Treats any of the ticked conditions.", CONDITIONS),
    Filter("service", "services", "codes", "Service", "Offers any of the ticked services.", SERVICES),
    Filter("kind", "kind", "choice", "Show", "Clinics or individual clinicians.", KINDS,
           any_label="Clinics and clinicians"),
    Filter("verified", "verified", "flag", "Credentials verified",
           "At least one prescriber's NPI, name, state and specialty match the national NPI registry."),
    Filter("psychiatrist", "psychiatrist", "flag", "Psychiatrist involved",
           "A practitioner listed here is registered as a psychiatrist in the NPI registry."),
    Filter("therapist", "therapist", "flag", "Licensed therapist on the team",
           "A licensed mental-health professional (psychologist, clinical social worker, counsellor, marriage "
           "and family therapist or psychiatric nurse practitioner) is listed."),
    Filter("prices", "prices_listed", "flag", "Prices listed",
           "The provider publishes its prices, so you can compare before you call."),
    Filter("telehealth_state", "telehealth_states", "state", "Telehealth in my state",
           "Offers telehealth and has a prescriber whose registry licence covers this state, wherever the "
           "clinic is.", tuple(sorted(STATE_CODES)), any_label="Any state"),
)
#: Old parameter names still accepted (API and page): name -> (filter, value).
ALIASES: dict[str, tuple[str, str]] = {"insurance": ("service", "accepts_insurance"),
                                       "telehealth": ("service", "telehealth")}
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
    if f.kind in ("choice", "state") and len(out) > 1:
        raise UnknownFilter(name, f"{name} takes one value")
    return tuple(out)


def where(**selected: Iterable[str] | str | bool | None) -> dict[str, tuple[str, ...]]:
    """A checked selection: ``where(modality=["iv_infusion"], kind="clinic", verified=True)``. False, None and
    empty values select nothing."""
    out: dict[str, tuple[str, ...]] = {}
    for name, raw in selected.items():
        if raw is None or raw is False:
            continue
        if name in ALIASES and raw is True:  # where(insurance=True): the service code
            name, raw = ALIASES[name][0], [*(out.get(ALIASES[name][0]) or ()), ALIASES[name][1]]
        values: Iterable[str] = (TRUE,) if raw is True else (raw,) if isinstance(raw, str) else raw
        checked = check(name, values)
        if checked:
            out[name] = tuple(dict.fromkeys([*out.get(name, ()), *checked]))
    return out
