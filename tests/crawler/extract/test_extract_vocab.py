"""Vocabulary evidence: codes, negation, unrelated contexts; prices, insurance, telehealth."""

from __future__ import annotations

import pytest

from crawler.extract.insurance import find_insurance, telehealth_flag
from crawler.extract.prices import best_price, find_prices
from crawler.extract.vocab import find_evidence, page_is_unrelated, sentences
from kdir.common.record import Price


def codes(text: str) -> dict[str, bool]:
    ev, _ = find_evidence(sentences([text]))
    return {e.code: e.negated for e in ev}


@pytest.mark.parametrize(("text", "expected"), [
    ("We do not offer at-home ketamine.", {"at_home": True}),
    ("We offer IV ketamine infusions and Spravato, but no IM injections.",
     {"iv_infusion": False, "esketamine_nasal": False, "im_injection": True}),
    ("At-home ketamine is not offered at this time.", {"at_home": True}),
    ("No IV. Only sublingual ketamine lozenges.", {"oral_sublingual": False}),
    ("Ketamine is not appropriate for people with bipolar disorder.", {"bipolar_depression": True}),
    ("We don't treat eating disorders.", {"eating_disorders": True}),
    ("Intramuscular (IM) ketamine shots are available.", {"im_injection": False}),
    ("Treatment-resistant depression responds to ketamine.", {"treatment_resistant_depression": False}),
    ("Depression and bipolar depression.", {"depression": False, "bipolar_depression": False}),
    ("We are a REMS-certified Spravato treatment center.",
     {"spravato_rems_certified": False, "esketamine_nasal": False}),
    ("Ketamine-assisted psychotherapy with integration sessions.",
     {"ketamine_assisted_psychotherapy": False, "integration_therapy": False}),
    ("We treat PTSD, OCD and chronic pain such as fibromyalgia.", {"ptsd": False, "ocd": False, "chronic_pain": False}),
])
def test_codes_and_negation(text: str, expected: dict[str, bool]) -> None:
    assert codes(text) == expected


def test_marketing_language_is_not_a_negation() -> None:
    assert codes("Don't let depression control your life.") == {"depression": False}
    assert codes("No referral needed for IV ketamine infusions.") == {"iv_infusion": False}
    assert codes("Not only depression: we also treat anxiety.") == {"depression": False, "anxiety": False}


def test_lower_case_acronyms_do_not_count() -> None:
    assert codes("a kap of ocd") == {}


def test_ketamine_mentions_skip_unrelated_contexts() -> None:
    sents = sentences(["Our dentist uses ketamine for sedation during oral surgery.",
                       "Police seized ketamine at a party.", "We offer ketamine therapy for depression.",
                       "We do not offer ketamine."])
    _, mentions = find_evidence(sents)
    assert mentions == [(False, "We offer ketamine therapy for depression."), (True, "We do not offer ketamine.")]


def test_unrelated_page_drops_every_ketamine_mention() -> None:
    text = "Family dentistry. Our dentist offers implants. Dental sedation with ketamine is available."
    assert page_is_unrelated(text)
    _, mentions = find_evidence(sentences([text]), unrelated_page=True)
    assert mentions == []
    assert not page_is_unrelated("Dental work aside, we treat depression with ketamine. Dentist referral welcome.")


def test_prices_with_units() -> None:
    found = find_prices(sentences([
        "Each infusion is $450 per infusion; a series of six costs $2,400.",
        "Initial consultation: $250.", "Infusions starting at $399.", "Sessions range from $400 to $600.",
        "Save $100 when you book today.",
    ]))
    assert found == [
        Price(450.0, 450.0, "USD", "session"), Price(2400.0, 2400.0, "USD", "series"),
        Price(250.0, 250.0, "USD", "consultation"), Price(399.0, None, "USD", "session"),
        Price(400.0, 600.0, "USD", "session"),
    ]
    assert best_price(found) == Price(250.0, 2400.0, "USD", "consultation")
    assert best_price([Price(450.0, 450.0, "USD", "session"), Price(2400.0, 2400.0, "USD", "series")]) == \
        Price(450.0, 2400.0, "USD", "session")
    assert best_price([Price(399.0, None, "USD", "session")]) == Price(399.0, None, "USD", "session")
    assert best_price([]) is None


def test_insurance_accepted_with_payers() -> None:
    payers, accepts, ev = find_insurance(sentences([
        "We accept most major insurance plans, including Aetna, Cigna and BCBS.", "Medicare"]))
    assert payers == ["Aetna", "Cigna", "BCBS", "Medicare"]
    assert accepts is True
    assert [(e.code, e.negated) for e in ev] == [("accepts_insurance", False)]


@pytest.mark.parametrize("text", [
    "We are not currently accepting insurance.", "We do not take insurance.", "We are a self-pay practice.",
    "Ketamine care is cash-pay only.",
])
def test_insurance_refused(text: str) -> None:
    payers, accepts, _ = find_insurance(sentences([text, "Aetna"]))
    assert accepts is False
    assert payers == []


def test_insurance_unknown_when_not_mentioned() -> None:
    assert find_insurance(sentences(["We offer ketamine infusions."])) == ([], None, [])


def test_telehealth_flag() -> None:
    ev, _ = find_evidence(sentences(["Telehealth follow-ups are available."]))
    assert telehealth_flag(ev, []) is True
    ev, _ = find_evidence(sentences(["We do not offer telehealth."]))
    assert telehealth_flag(ev, []) is False
    assert telehealth_flag([], ["All visits are in-person only."]) is False
    assert telehealth_flag([], ["Nothing here."]) is None


def test_not_covered_by_insurance_is_not_a_denied_modality() -> None:
    assert codes("IV ketamine is not covered by insurance.") == {"iv_infusion": False}
    assert codes("We no longer offer IV ketamine infusions.") == {"iv_infusion": True}
    assert codes("Ketamine lozenges for home use. IV infusions are not something we offer.") == {
        "iv_infusion": True, "oral_sublingual": False}
    assert codes("Ketamine is not FDA approved for depression.") == {"depression": False}


def test_trauma_informed_care_is_not_ptsd() -> None:
    assert codes("Our trauma-informed team treats depression.") == {"depression": False}
    assert codes("Ketamine can help with trauma.") == {"ptsd": False}
