from hypothesis import given
from hypothesis import strategies as st

from kdir.common.npi import check_digit, is_valid_npi, make_npi


def test_known_numbers() -> None:
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")
    assert check_digit("123456789") == 3


def test_rejects_non_numbers() -> None:
    for bad in (None, 1234567893, "", "123456789", "12345678931", "12345678x3", "１２３４５６７８９３"):
        assert not is_valid_npi(bad)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_made_numbers_are_valid_and_one_digit_changes_break_them(first9: str) -> None:
    npi = make_npi(first9)
    assert is_valid_npi(npi)
    wrong = npi[:9] + str((int(npi[9]) + 1) % 10)
    assert not is_valid_npi(wrong)
