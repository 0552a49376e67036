"""Phones, e-mails and NPIs."""

from __future__ import annotations

import pytest

from crawler.extract.emails import find_emails
from crawler.extract.npi import clean_npi, find_npis
from crawler.extract.phones import find_phones, normalize_phone
from kdir.common.emails import normalize_email
from kdir.common.npi import is_valid_npi


@pytest.mark.parametrize(("raw", "e164"), [
    ("(512) 555-0134", "+15125550134"),
    ("512.555.0134", "+15125550134"),
    ("+1 512 555 0134", "+15125550134"),
    ("1-800-273-8255", "+18002738255"),
    ("tel:+15125550199", "+15125550199"),
    ("tel:512%20555%200100", "+15125550100"),
])
def test_normalize_phone_accepts_us_numbers_including_fictional_555(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["555-1234", "(123) 456-7890", "512-055-0134", "call us", "", "12345678901234567"])
def test_normalize_phone_rejects_garbage(raw: str) -> None:
    assert normalize_phone(raw) is None


def test_find_phones_flags_fax_and_skips_bare_digit_runs() -> None:
    text = "Call (512) 555-0134 | Fax: 512.555.0135 | NPI 1234567893 | or 512-555-0134 again"
    assert find_phones(text) == [("+15125550134", False), ("+15125550135", True)]


def test_find_emails_plain_and_obfuscated_forms() -> None:
    text = ("Write to Jo.Doe@Example.org, info [at] calm-clinic [dot] com, care(at)sunrise(dot)health "
            "or hello {at} x-y [dot] co [dot] uk. Not: logo@2x.png, abc@sentry.wixpress.com")
    assert find_emails(text) == ["jo.doe@example.org", "info@calm-clinic.com", "care@sunrise.health",
                                 "hello@x-y.co.uk"]


def test_plain_at_in_prose_is_not_an_email() -> None:
    assert find_emails("Meet us at the clinic. Look at our dot matrix.") == []


def test_normalize_email_from_mailto() -> None:
    assert normalize_email("mailto:Front.Desk@Clinic.Example?subject=Hi") == "front.desk@clinic.example"
    assert normalize_email("mailto:") is None
    assert normalize_email("not an email") is None


def test_npi_check_digit() -> None:
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")
    assert not is_valid_npi("123456789")
    assert not is_valid_npi("12345678931")
    assert not is_valid_npi("12345678a3")
    assert clean_npi(1234567893) == "1234567893"
    assert clean_npi("1234-567-893") == "1234567893"


def test_npi_check_digit_on_known_numbers() -> None:
    # check digits computed independently: Luhn over "80840" + first 9 digits
    for payload in ("100000000", "999999999", "123456789", "555555555"):
        digits = "80840" + payload
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        check = (10 - total % 10) % 10
        assert is_valid_npi(payload + str(check))
        assert not is_valid_npi(payload + str((check + 1) % 10))


def test_find_npis_near_labels_splits_valid_and_invalid() -> None:
    text = ("Dr. A. Reyes, DO - NPI: 1234567893\nGroup NPI # 1234567890\nN.P.I. number 123456789\n"
            "Order 9876543210 shipped")
    valid, invalid = find_npis(text)
    assert valid == ["1234567893"]
    assert invalid == ["1234567890", "123456789"]


def test_find_npis_without_label_finds_nothing() -> None:
    assert find_npis("Tracking 1234567893") == ([], [])


def test_crisis_lines_are_not_clinic_phones() -> None:
    text = ("If you are in crisis, call 1-800-273-8255 or text HOME. Clinic: (512) 555-0134. "
            "In an emergency call (303) 555-0100.")
    assert find_phones(text) == [("+15125550134", False)]
