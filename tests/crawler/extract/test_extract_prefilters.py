"""Cheap prefilters must never drop what the full patterns would find: each gate is checked against the
ungated pattern on generated text, plus the cases that motivated it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from crawler.extract import emails as emails_mod
from crawler.extract import insurance as insurance_mod
from crawler.extract import practitioners as practitioners_mod
from crawler.extract import structured as structured_mod
from crawler.extract import vocab as vocab_mod
from crawler.extract.page import extract_page
from crawler.extract.phones import normalize_phone
from crawler.extract.practitioners import find_practitioners

from .test_extract_properties import FAST

# -- obfuscated e-mails: the pattern only runs on lines around an "[at"/"[dot" marker --------------------------

_MAIL_TOKENS = st.sampled_from(["info", "at", "[at]", "(at)", "{at}", "< at >", "clinic", "[dot]", "(dot)", "{dot}",
                                "<dot>", ".", "com", "example", "x@y.com", "-", "mail", " ", "\n", "\n \n", "\t"])


@FAST
@given(st.lists(st.tuples(_MAIL_TOKENS, st.sampled_from(["", " ", "\n"])), max_size=16))
def test_obfuscated_windows_find_what_a_full_scan_finds(parts: list[tuple[str, str]]) -> None:
    text = "".join(a + b for a, b in parts)
    full = [m.group(0) for m in emails_mod._OBFUSCATED.finditer(text)]
    assert [m.group(0) for m in emails_mod._obfuscated(text)] == full


def test_obfuscated_address_across_lines_is_found() -> None:
    text = "Write to\ninfo at\nclinic\n\n[dot] com\nthanks\n" + "x\n" * 50 + "or billing [at] clinic [dot] com"
    assert emails_mod.find_emails(text) == ["info@clinic.com", "billing@clinic.com"]
    assert emails_mod.find_emails("care [at]\nharbor [dot]\norg") == ["care@harbor.org"]


# -- vocabulary: keyword hits inside words are skipped, except for codes whose keywords can sit inside one ------

_VOCAB_TOKENS = st.sampled_from([
    "postpartum", "post-partum", "cPTSD", "PTSD", "give", "location", "homepage", "at-home", "at home", "ketamine",
    "ketamine-assisted", "binge-eating", "IV", "i.v.", "infusion", "intravenous", "im", "IM", "shots", "injection",
    "nasal", "spray", "esketamine", "oral", "sublingual", "tablets", "treatment-resistant", "depression", "hard",
    "to", "treat", "screening", "initial", "evaluation", "telehealth", "tele-health", "video", "visits", "REMS",
    "certified", "chronic", "pain", "alcoholism", "integration", "sessions", "KAP", "OCD", "trauma", "vet", "cats",
    "dental", "education", "competent", "surgery", "\u00e9", "_", "-", ",", ".", "x",
])


@FAST
@given(st.lists(_VOCAB_TOKENS, min_size=1, max_size=12), st.sampled_from(["", " ", "-", "_"]))
def test_word_start_gate_keeps_every_sentence_a_pattern_matches(words: list[str], sep: str) -> None:
    sent = (sep or " ").join(words) if sep != "" else "".join(words)
    j = vocab_mod.Joined([sent])
    low = j.text.lower()
    for _code, _kind, rx, keys, word_start in vocab_mod._COMPILED:
        if rx.search(sent):
            assert j.candidates(low, keys, word_start=word_start) == [0]
    if vocab_mod._UNRELATED.search(sent):
        assert j.candidates(low, vocab_mod._UNRELATED_KEYS, word_start=True) == [0]


def test_inner_keywords_still_count() -> None:
    ev, _ = vocab_mod.find_evidence(["We treat postpartum depression and cPTSD with ketamine infusions."])
    codes = {e.code for e in ev}
    assert {"postpartum_depression", "ptsd", "iv_infusion"} <= codes
    # "give" and "location" hold "iv" and "cat" but neither an IV modality nor an unrelated (veterinary) context
    ev, mentions = vocab_mod.find_evidence(["We give ketamine at our location to adults with depression."])
    assert "iv_infusion" not in {e.code for e in ev}
    assert mentions == [(False, "We give ketamine at our location to adults with depression.")]


# -- script blobs: only blobs naming a key the walkers use are parsed up front --------------------------------

_KEY_RX = re.compile(
    r"@type|\b_*(?:address\w*|street\w*|city|zip\w*|postal\w*|phone\w*|telephone|tel|credentials?|creds|suffix|"
    r"degrees?|job_?title|role|position|npi|specialty|rating\w*|stars|score|quote|testimonial)\b", re.I)
_BLOB_TOKENS = st.sampled_from(["address1", "_street", "hotel", "Telephone", "x_tel", "tel", "intel", "roles", "role",
                                "rating_value", "jobTitle", "job_title", "degrees", "gzip", "zip_code", "position",
                                "underscore", "score", "__phone", "velocity", "City", "NPI", "npis", "@type", "é",
                                "a", "{", '"', ":", "_", " "])


@FAST
@given(st.lists(_BLOB_TOKENS, max_size=8), st.sampled_from(["", " ", '"', "_", ":"]))
def test_blob_key_check_matches_the_word_pattern(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert structured_mod.has_blob_keys(text) == bool(_KEY_RX.search(text))


def test_clinic_in_script_state_is_found() -> None:
    html = """<html><body><div id="app"></div><script>window.__STATE__ = {"clinic": {"name": "Lumen Ketamine",
    "Phone_Number": "(303) 555-0199", "Street_Address": "10 Pearl St", "City": "Boulder", "Zip": "80302"}};
    var theme = {"colors": {"bg": "#fff"}}; if (a == {}) {}</script></body></html>"""
    facts = extract_page(html, "https://lumen.example/")
    assert [e.name for e in facts.entities] == ["Lumen Ketamine"]
    assert facts.entities[0].phones == ["+13035550199"]


def test_app_shell_text_comes_from_blobs_without_walker_keys() -> None:
    # no key the entity/person walkers use: the blob is parsed lazily, yet its text still counts on an app shell
    html = """<html><body><div id="root"></div><script id="__NEXT_DATA__" type="application/json">{"props":
    {"pageProps": {"hero": "Ketamine infusions for treatment-resistant depression", "cta": "Book now"}}}</script>
    </body></html>"""
    facts = extract_page(html, "https://shell.example/")
    assert facts.ketamine_mentions and facts.positive_ketamine
    assert "treatment_resistant_depression" in {e.code for e in facts.evidence}


def test_js_assignments() -> None:
    objs = structured_mod._assigned_objects(
        'window.a = window.b = {"x": 1}; if (c == {"y": 2}) {}; var v = JSON.parse(\'{"z": 3}\');'
        ' window["__S__"] = JSON.parse("{\\"s\\": 4}"); const k = [1, 2]; f({"q": 5});')
    assert objs == [{"x": 1}, {"s": 4}, [1, 2]]  # var x = JSON.parse(...) is not read; window.X = ... is
    assert structured_mod._assigned_objects("function f(a){return a+1;} x.y = {a: 1};") == []


# -- practitioners: credentials printed with unusual spacing pass the credential-token gate --------------------

def test_spaced_and_dashed_credentials() -> None:
    lines = ["Jane Roe, M. D.", "Sam Lee, D. O., Medical Director", "Ana Ruiz , PMHNP - BC", "Kim Ng, PMHNP\u2011BC",
             "Lee Park, Ph. D., Psychologist", "Bo Chen, PA - Clinic Director", "Al Grey, MD"]
    got = {p.name: (p.credentials, p.role) for p in find_practitioners(lines)}
    assert got == {
        "Jane Roe": (["MD"], None), "Sam Lee": (["DO"], "Medical Director"), "Ana Ruiz": (["PMHNP-BC"], None),
        "Kim Ng": (["PMHNP-BC"], None), "Lee Park": (["PhD"], "Psychologist"),
        "Bo Chen": (["PA"], "Clinic Director"), "Al Grey": (["MD"], None),
    }


# -- addresses: the ZIP anchor does not need a street suffix --------------------------------------------------

def test_address_without_street_suffix() -> None:
    facts = extract_page("<html><body><footer><p>500 Broadway<br>Denver, CO 80203</p><p>1 Market, Boston MA 02116"
                         "</p></footer></body></html>", "https://x.example/contact/")
    assert [(a.address.street, a.address.postal_code) for a in facts.addresses] == [
        ("500 Broadway", "80203"), ("1 Market", "02116")]


def test_phone_cache_keeps_results_and_skips_long_input() -> None:
    assert normalize_phone(" (512) 555-0134 ") == normalize_phone("tel:+1-512-555-0134") == "+15125550134"
    assert normalize_phone(" " * 300 + "(512) 555-0134") == "+15125550134"  # long: computed, not cached
    assert normalize_phone("(012) 555-0134") is None


def test_dropped_icon_keeps_following_text_in_place() -> None:
    # an inline <svg>/<script> is dropped, but the text after it stays where it was printed
    facts = extract_page("<html><body><footer><p><svg><path d='M0'/></svg> 120 Main St, Suite 4<br>Austin, TX 78701"
                         "</p><p>Call us<script>x=1</script> at (512) 555-0134 <b>today</b></p></footer></body></html>",
                         "https://x.example/")
    assert [a.address.street for a in facts.addresses] == ["120 Main St, Suite 4"]


_ROLE_TOKENS = st.sampled_from(["Medical", "Director", "Co-Founder", "cofounder", "&", "Owner", "/", "Director:",
                                "(CRNA)", "Nurse", "Practitioner.", "Lead", "é", "Clinic", ",", ";", "|", "MD",
                                "Therapist!", "Dr.", "x", "-", "Psychiatrist\u2022"])


@FAST
@given(st.lists(_ROLE_TOKENS, min_size=1, max_size=8), st.sampled_from([" ", "", ", "]))
def test_role_word_gate_never_hides_a_role(words: list[str], sep: str) -> None:
    line = sep.join(words)
    if practitioners_mod.clean_role(line) or practitioners_mod._role_line(line):
        assert practitioners_mod._has_role_word(line)


def test_team_page_name_then_role_line() -> None:
    lines = ["Wellness Calm", "Hope Renew", "Maria Chen", "Co-Founder & Integration Coach", "Sam Patel",
             "PMHNP-BC, Nurse Practitioner", "Care Team", "Book Now"]
    got = {p.name: (p.credentials, p.role) for p in find_practitioners(lines, team_page=True)}
    assert got == {"Maria Chen": ([], "Co-Founder & Integration Coach"),
                   "Sam Patel": (["PMHNP-BC"], "Nurse Practitioner")}


def test_unrelated_page_gate() -> None:
    assert vocab_mod.page_is_unrelated("Our dentists offer IV sedation. Dental implants and crowns.")
    assert vocab_mod.page_is_unrelated("VETERINARY clinic: ketamine for your PETS")
    assert vocab_mod.page_is_unrelated("Veter\u0131nary clinic for pets")  # dotless i: re.I still reads "veterinar"
    assert not vocab_mod.page_is_unrelated("Dental sedation is not what we do: we treat depression. Dentist.")
    assert not vocab_mod.page_is_unrelated("Ketamine infusions for depression and anxiety.")


_INS_TOKENS = st.sampled_from([
    "we", "accept", "accepts", "take", "mistake", "most", "major", "insurance", "reinsurance", "plans", "not", "don't",
    "self-pay", "self pay", "only", "cash-based", "in-network", "out-of-network", "provider", "with", "Aetna",
    "Blue Cross", "BCBS", "Medicare", "Medi-Cal", "UnitedHealthcare", "uhc", "health", "Apple Health", "our clinic",
    "is", "covered", "by", "bill", "billing", "your", "participate", "contracted", "credentialed", "are", "va",
    "community care", "x", "-", ".", ",", "\u00e9",
])


@FAST
@given(st.lists(_INS_TOKENS, min_size=1, max_size=12))
def test_insurance_word_start_gate_keeps_matching_sentences(words: list[str]) -> None:
    sent = " ".join(words)
    j = vocab_mod.Joined([sent])
    low = j.text.lower()
    if insurance_mod._POSITIVE.search(sent) or insurance_mod._NEGATIVE.search(sent):
        assert j.candidates(low, insurance_mod._KEYS, word_start=True) == [0]
    if insurance_mod._ANY_PAYER.search(sent):
        assert j.candidates(low, insurance_mod._PAYER_KEYS, word_start=True) == [0]
