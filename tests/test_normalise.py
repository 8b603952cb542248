"""How typed identifiers and names are compared."""
import pytest

from registry.normalise import channel_key, clean_text, licence_key, phone_key, tidy_text


@pytest.mark.parametrize("typed, key", [
    ("KH-MLVT-2024-0012", "KHMLVT20240012"),
    ("kh mlvt 2024 0012", "KHMLVT20240012"),
    (" kh–mlvt/2024.0012 ", "KHMLVT20240012"),
    ("KH-MLVT-២០២៤-០០១២", "KHMLVT20240012"),  # Khmer digits
    ("KH-MLVT-၂၀၂၄-၀၀၁၂", "KHMLVT20240012"),  # Myanmar digits
    ("---", ""),
])
def test_licence_key(typed, key):
    assert licence_key(typed) == key


@pytest.mark.parametrize("typed", [
    "+855 12 345 678", "012345678", "012-345-678", "(0)12 345 678", "855 12 345 678",
    "០១២ ៣៤៥ ៦៧៨",
])
def test_phone_key_cambodia(typed):
    assert phone_key(typed, "KH") == "+85512345678"


@pytest.mark.parametrize("typed, key", [
    ("09 420 123 456", "+959420123456"),
    ("+95 9 420 123 456", "+959420123456"),
    ("၀၉ ၄၂၀ ၁၂၃ ၄၅၆", "+959420123456"),
])
def test_phone_key_myanmar(typed, key):
    assert phone_key(typed, "MM") == key


@pytest.mark.parametrize("kind, value, key", [
    ("facebook", "https://www.facebook.com/AngkorManpower/", "facebook.com/angkormanpower"),
    ("telegram", "@Angkor_HR", "angkor_hr"),
    ("viber", "+855 12 345 678", "+85512345678"),
])
def test_channel_key(kind, value, key):
    assert channel_key(kind, value, "KH") == key


def test_zero_width_spaces_never_change_a_comparison_but_are_stored():
    with_zwsp = "ក្រុមហ៊ុន\u200bអង្គរ"
    assert clean_text(with_zwsp) == "ក្រុមហ៊ុនអង្គរ"
    assert tidy_text(with_zwsp) == with_zwsp


def test_text_is_nfc_and_control_characters_go():
    assert tidy_text("Cafe\u0301\x00  Ltd\n") == "Café Ltd"
