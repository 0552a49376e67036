"""Words that look like an offer but are not: other drips, research, comparisons, negations, sums of money."""

from __future__ import annotations

import pytest

from crawler.extract.insurance import find_insurance
from crawler.extract.prices import find_prices
from crawler.extract.vocab import find_evidence, sentences


def codes(*texts: str) -> dict[str, bool]:
    ev, _ = find_evidence(sentences(list(texts)))
    return {e.code: e.negated for e in ev}


@pytest.mark.parametrize("text", [
    "We offer IV hydration and vitamin drips.",
    "NAD+ IV therapy boosts energy and focus.",
    "Myers cocktail IV infusions are available on weekends.",
    "Naloxone nasal spray is kept on site.",
    "B12 injections and weight-loss shots, by appointment.",
])
def test_other_drips_and_shots_are_not_ketamine_routes(text: str) -> None:
    assert not {c for c in codes(text) if c in ("iv_infusion", "im_injection", "esketamine_nasal")}


def test_a_route_next_to_ketamine_still_counts() -> None:
    assert codes("We offer ketamine therapy.", "Our IV infusions take 40 minutes.") == {"iv_infusion": False}
    # a med spa offering both: the hydration drip on its own line is not a second reason for the code
    found = find_evidence(sentences(["Ketamine infusions for depression.", "IV hydration for athletes."]))[0]
    assert [(e.code, e.snippet) for e in found if e.code == "iv_infusion"] == [
        ("iv_infusion", "Ketamine infusions for depression.")]


def test_a_route_far_from_any_ketamine_does_not_count() -> None:
    page = ["We offer ketamine therapy for depression."] + [f"Filler line number {n}." for n in range(6)]
    assert "iv_infusion" not in codes(*page, "IV therapy packages for busy professionals.")


@pytest.mark.parametrize("text", [
    "Early trials suggest ketamine may help bipolar depression.",
    "Research shows ketamine can reduce suicidal ideation within hours.",
    "Ketamine is being studied for eating disorders.",
    "A 2023 study found that esketamine reduced PTSD symptoms in veterans.",
])
def test_research_and_education_is_not_a_condition_treated(text: str) -> None:
    assert not {c for c in codes(text) if c not in ("esketamine_nasal",)}


def test_a_plain_statement_of_conditions_treated_still_counts() -> None:
    assert codes("We treat bipolar depression and PTSD with ketamine.") == {"bipolar_depression": False, "ptsd": False}


@pytest.mark.parametrize(("text", "expected"), [
    ("Our IV ketamine costs less than Spravato.", {"iv_infusion": False}),
    ("Unlike Spravato, IV ketamine is dosed by weight.", {"iv_infusion": False}),
    ("Ketamine infusions work faster compared to oral ketamine tablets.", {"iv_infusion": False}),
])
def test_a_comparison_is_not_an_offer(text: str, expected: dict[str, bool]) -> None:
    assert codes(text) == expected


def test_a_comparison_alone_is_not_a_ketamine_offer() -> None:
    _, mentions = find_evidence(sentences(["Talk therapy costs less than Spravato."]))
    assert mentions == []


@pytest.mark.parametrize("text", ["We do not offer Spravato.", "Spravato is not something we offer.",
                                  "We no longer provide esketamine nasal spray."])
def test_a_negation_is_never_an_offer(text: str) -> None:
    assert codes(text) == {"esketamine_nasal": True}
    _, mentions = find_evidence(sentences([text]))
    assert [neg for neg, _ in mentions] == [True]


@pytest.mark.parametrize("text", ["We are out of network with all insurers.",
                                  "We are out of network with Aetna and Cigna.",
                                  "We don't work with insurers; we give you a superbill.",
                                  "We're an out-of-network practice."])
def test_out_of_network_is_not_accepting_insurance(text: str) -> None:
    payers, accepts, ev = find_insurance(sentences([text]))
    assert (payers, accepts) == ([], False)
    assert ev and all(e.negated for e in ev)


@pytest.mark.parametrize("text", ["The ketamine market was worth $3.1 billion in 2023.",
                                  "Ketamine clinics are an industry worth billions, about $3 billion.",
                                  "We saved patients $2 million last year.",
                                  "Our founder raised $500 for the food bank.",
                                  "Parking in the garage downtown: $12."])
def test_a_sum_of_money_without_a_service_is_not_a_price(text: str) -> None:
    assert find_prices(sentences([text])) == []


def test_a_price_under_its_service_heading_is_kept() -> None:
    found = find_prices(["IV Ketamine Infusion", "$450"])
    assert [(p.min, p.max) for p in found] == [(450.0, 450.0)]
    assert [p.min for p in find_prices(["Welcome", "$450"])] == []
    assert [p.min for p in find_prices([], structured=["$300-$500"])] == [300.0]
