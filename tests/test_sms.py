"""sms.py: how a phone network counts a text (3GPP TS 23.038) and how the registry reads its
language and question. Pure functions, tables of cases."""
import pytest

from registry import sms, zawgyi

KHMER = "ក្រុមហ៊ុន ធនធានមនុស្ស"
BURMESE = "ကျော်စွာ လုပ်သားအင်အား"


@pytest.mark.parametrize("text, encoding, units, segments", [
    ("", "gsm7", 0, 1),
    ("A" * 160, "gsm7", 160, 1),
    ("A" * 161, "gsm7", 161, 2),
    ("A" * 306, "gsm7", 306, 2),
    ("A" * 307, "gsm7", 307, 3),
    # Extension characters take two septets: escape, then the character.
    ("€" * 80, "gsm7", 160, 1),
    ("[" * 81, "gsm7", 162, 2),
    ("Café à Dakar: 100 £", "gsm7", 19, 1),
    # One character outside the alphabet sends the whole message as UCS-2.
    ("A" * 69 + "…", "ucs2", 70, 1),
    ("A" * 70 + "…", "ucs2", 71, 2),
    ("ក" * 134, "ucs2", 134, 2),
    ("ក" * 135, "ucs2", 135, 3),
    ("က" * 70, "ucs2", 70, 1),
    # Outside the Basic Multilingual Plane: two UTF-16 units.
    ("😀" * 35, "ucs2", 70, 1),
    ("😀" * 36, "ucs2", 72, 2),
])
def test_length_is_counted_as_the_network_counts_it(text, encoding, units, segments):
    assert (sms.encoding(text), sms.units(text), sms.segments(text)) == (encoding, units, segments)
    assert sms.fits(text) is (segments <= 2)


@pytest.mark.parametrize("text, width, expected", [
    ("Romdoul Human Resources", 40, "Romdoul Human Resources"),
    ("Romdoul Human Resources", 12, "Romdoul H..."),
    ("Romdoul, Human", 11, "Romdoul..."),
    # Never cut after a coeng (្) or before a vowel sign: a cluster stays whole.
    ("ក្រុមហ៊ុន", 3, "ក…"),
    ("ក្រុមហ៊ុន", 4, "ក…"),
    ("ក្រុមហ៊ុន", 5, "ក្រុ…"),
    ("ကျော်စွာ", 3, "က…"),
    ("ကျော်စွာ", 6, "ကျော်…"),
])
def test_a_name_is_shortened_between_letters_with_an_ellipsis_its_encoding_sends(text, width,
                                                                                  expected):
    shortened = sms.shorten(text, width)
    assert shortened == expected and len(shortened) <= width
    assert sms.encoding(shortened) == sms.encoding(text)


@pytest.mark.parametrize("text, default, hint, lang, query", [
    ("KH-MLVT-2025-0001", "km", None, "km", "KH-MLVT-2025-0001"),
    ("KH-MLVT-2025-0001", "my", None, "my", "KH-MLVT-2025-0001"),
    ("EN KH-MLVT-2025-0001", "km", None, "en", "KH-MLVT-2025-0001"),
    ("en romdoul", "km", None, "en", "romdoul"),
    ("MY " + KHMER, "km", None, "my", KHMER),
    (KHMER, "my", "en", "km", KHMER),
    (BURMESE, "km", None, "my", BURMESE),
    ("romdoul", "km", "en", "en", "romdoul"),
    ("romdoul", "km", "fr", "km", "romdoul"),
    # A keyword alone, a greeting, a command: the help text, in that language.
    ("KM", "en", None, "km", ""),
    ("help", "km", None, "km", ""),
    ("EN hello", "km", None, "en", ""),
    ("/start", "my", None, "my", ""),
    ("ជំនួយ", "en", None, "km", ""),
    # "KH" is the start of Cambodian licence numbers, not a keyword.
    ("KH 0012", "my", None, "my", "KH 0012"),
    # Mostly Burmese with a Latin licence number: Burmese.
    ("MOL-OEA-2021-0003 " + BURMESE, "km", None, "my", "MOL-OEA-2021-0003 " + BURMESE),
])
def test_the_script_or_a_keyword_chooses_the_language(text, default, hint, lang, query):
    assert sms.read(text, default, hint) == sms.Reading(lang, query)


def test_zawgyi_burmese_reads_as_burmese():
    typed = zawgyi.to_zawgyi(BURMESE)
    assert typed != BURMESE and sms.script_language(typed) == "my"
