"""Search that finds agencies the way people type them (issue 4): Khmer and Burmese names,
transliterations, typos, licence and phone numbers; ranking, lookalikes and leads."""
import json
import os
import random
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from registry import search
from registry.extensions import db
from registry.models import UnmatchedSearch
from registry import countries
from registry.search.analysis import (analyse_name, approximate_find, bag_key, edit_distance,
                                      latin_words, licence_keys, licence_query_keys, loose_pairs,
                                      name_key, phone_tail_query, script_segments, script_units,
                                      variant_of)
from registry.search.documents import head_keys
from registry.search.snapshot import most_shared
from registry.search.romanisation import romanised
from registry.search.sounds import (burmese_latin, burmese_readings, conventional_names,
                                    khmer_latin, query_sound_terms, sound_terms, sound_words)
from registry.search.vocabulary import Vocabulary
from registry.services import leads
from registry.zawgyi import to_zawgyi

from .conftest import COUNTRIES, agency_row, empty_all_tables

LABELLED = json.loads((Path(__file__).resolve().parents[1] / "bench" / "queries.json")
                      .read_text(encoding="utf-8"))
ZWSP = "\u200b"

# Real names as Cambodian and Myanmar agencies write them; Khmer with zero-width spaces.
ANGKOR, ANGKOR_COPY, MEKONG, GOLDEN, SHWE, MINGALAR, OLD = (
    "KH-MLVT-2024-0012", "KH-MLVT-2023-0900", "KH-MLVT-2025-0101", "KH-MLVT-2022-0033",
    "KH-MLVT-2021-0777", "KH-MLVT-2020-0404", "KH-MLVT-2010-0001")
AGENCIES = [
    agency_row(ANGKOR, "Angkor Manpower Co., Ltd.", name_km=f"ក្រុមហ៊ុន{ZWSP}អង្គរ{ZWSP}ម៉ែនផៅវ័រ",
               aliases="Angkor Jobs", phones="+855 12 345 678", province="KH-12",
               channels="facebook:https://www.facebook.com/angkormanpower"),
    agency_row(ANGKOR_COPY, "Angkor Manpower Services Group", "2023-01-01", "2023-12-31",
               name_km="ក្រុមហ៊ុន សេវាម៉ែនផៅវ័រ អង្គរ"),
    agency_row(MEKONG, "Mekong Santepheap Human Resources", name_km="ធនធានមនុស្ស មេគង្គ សន្តិភាព",
               phones="(0)16 222 333", province="KH-2"),
    agency_row(GOLDEN, "Golden Lotus Overseas Employment", name_km="ក្រុមហ៊ុន ឈូកមាស",
               name_my="ရွှေကြာ ပြည်ပအလုပ်အကိုင် ကုမ္ပဏီလီမိတက်", province="KH-12"),
    agency_row(SHWE, "Shwe Myanmar Manpower", name_my="ရွှေမြန်မာ လူ့စွမ်းအား အေဂျင်စီ",
               phones="095 123 456"),
    agency_row(MINGALAR, "Mingalar Phnom Penh Recruitment",
               name_my="မင်္ဂလာ ဖနွမ်းပင် ဝန်ထမ်းခေါ်ယူရေး", aliases="Mingalar Phnompenh"),
    agency_row(OLD, "Angkhor Star Recruitment", "2010-01-01", "2011-12-31"),
]


@pytest.fixture
def registry(load):
    load(agencies=AGENCIES)


def found(app, text, **kwargs):
    with app.app_context():
        return search.query(text, **kwargs)


def numbers(app, text, **kwargs):
    with app.app_context():
        from registry.services.agencies import get_many
        return [a.licence_number for a in get_many(search.query(text, **kwargs).agency_ids)]


# -- analysis: pure functions, one row per rule ----------------------------------------------------

@pytest.mark.parametrize("text, units, why", [
    ("ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ ឯ.ក", ["អ", "ង្គ", "រ", "ម៉ែ", "ន", "ផៅ", "វ័", "រ"],
     "legal form dropped"),
    (f"អង្គ{ZWSP}រ", ["អ", "ង្គ", "រ"], "zero-width space ignored"),
    ("អង្គរ ម៉ែន", ["អ", "ង្គ", "រ", "ម៉ែ", "ន"], "spaces ignored"),
    ("ក្រុមហ៊ុន", ["ក្រុ", "ម", "ហ៊ុ", "ន"], "a legal word alone is kept"),
    ("ស្រ្តី", ["ស្ត្រី"], "subscript RO typed before the other subscript"),
    ("ឲ្យ", ["ឱ្យ"], "the two forms of the vowel O"),
    ("ក\u17c1\u17b6ះ", ["កោះ"], "e + aa typed for the vowel oo"),
    ("ម៉ែន", script_units("ម\u17c2\u17c9ន"), "register shifter after the vowel"),
    ("ရွှေမြန်မာ လူ့စွမ်းအား ကုမ္ပဏီလီမိတက်", ["ရွှေ", "မြန်", "မာ", "လူ့", "စွမ်း", "အား"],
     "syllables"),
    ("မင်္ဂလာ", ["မင်္ဂ", "လာ"], "kinzi stays with its syllable"),
    ("ကုမ္ပဏီတု", ["တု"], "stacked consonant, legal word dropped"),
    ("၀င်း", ["ဝင်း"], "digit zero typed for the letter wa"),
    ("ကုိ", ["ကို"], "vowel signs in any order"),
    ("ငြိမ်း ၁၂", ["ငြိမ်း"], "digits are not units"),
    ("中文", ["中", "文"], "other scripts: a letter a unit"),
    ("Angkor", [], "Latin is not units"),
])
def test_script_units(text, units, why):
    assert script_units(text) == units, why


@pytest.mark.parametrize("text, words", [
    ("Sántépheap Co., Ltd.", ["santepheap"]), ("Co., Ltd.", ["co", "ltd"]),
    ("Phnom-Penh", ["phnom", "penh"]), ("O'Reilly", ["oreilly"]),
    ("ANGKOR ២០២៤", ["angkor", "2024"]),
    ("ŁÓDŹ Ærø", ["lodz", "aero"]), ("ក្រុមហ៊ុន", []),
])
def test_latin_words(text, words):
    assert latin_words(text) == words


@pytest.mark.parametrize("word, other, same", [
    ("angkor", "angkhor", True), ("santepheap", "santipheap", True), ("sovann", "sovan", True),
    ("sokha", "sokhar", True), ("apsara", "absara", True), ("bassac", "basak", True),
    ("mekong", "mekhong", True), ("romdoul", "rumduol", True), ("chey", "chhay", True),
    ("lotus", "lotos", True), ("star", "stars", True), ("reaksmey", "raksmei", True),
    ("meas", "moha", False), ("angkor", "ankor", False), ("kampot", "kampong", False),
    ("battambang", "batdambang", False),  # left to typo tolerance, which finds it
])
def test_romanisations_of_one_word(word, other, same):
    assert variant_of(word, other) is same and variant_of(other, word) is same


@pytest.mark.parametrize("a, b, limit, distance", [
    ("angkro", "angkor", None, 1), ("manpower", "manpwer", None, 1), ("kulen", "koulen", None, 1),
    ("abc", "xyz", None, 3), ("abcdef", "uvwxyz", 2, 3), ("", "ab", None, 2),
])
def test_edit_distance(a, b, limit, distance):
    assert edit_distance(a, b, limit) == distance


@pytest.mark.parametrize("needle, haystack, limit, edits", [
    ("bcd", "abcde", 1, 0), ("bxd", "abcde", 1, 1), ("bd", "abcde", 1, 1),
    ("xyz", "abcde", 1, 2), ("", "abc", 0, 0),
])
def test_approximate_find(needle, haystack, limit, edits):
    assert approximate_find(list(needle), list(haystack), limit) == edits


@pytest.mark.parametrize("number, keys", [
    ("KH-MLVT-2024-0012", {"KHMLVT20240012", "MLVT20240012", "20240012",
                           "KHMLVT202412", "MLVT202412", "202412"}),
    ("kh mlvt ២០២៤/០០១២", {"KHMLVT20240012", "MLVT20240012", "20240012",
                           "KHMLVT202412", "MLVT202412", "202412"}),
    ("MM-0042", {"MM0042", "MM42"}), ("ABC123", {"ABC123"}),
])
def test_licence_keys(number, keys):
    """Tails from each group on, and each without the leading zeros people drop."""
    assert licence_keys(number) == keys


@pytest.mark.parametrize("typed, wanted", [
    ("KH-MLVT-2025-O121", "KHMLVT20250121"),   # letter O for zero
    ("KH-MLVT-2025-0l21", "KHMLVT20250121"),   # letter l for one
    ("kh-mlvt-2025-0I2I", "KHMLVT20250121"),
    ("KH MLVT 2025 121", "KHMLVT2025121"),     # leading zero dropped: the unpadded key
    ("2025-O121", "20250121"),
])
def test_licence_query_keys_read_the_usual_slips(typed, wanted):
    assert wanted in licence_query_keys(typed)


def test_letters_of_a_prefix_are_never_read_as_digits():
    assert licence_query_keys("KH-MOI-2025-0121") == {"KHMOI20250121", "KHMOI2025121"}


@pytest.mark.parametrize("text, term", [
    ("692810", "tel~692810"), ("692 810", "tel~692810"), ("12692810", "tel~12692810"),
    ("12345", None), ("123456789", None), ("Angkor 123456", None),
])
def test_phone_tail_queries(text, term):
    assert phone_tail_query(text) == term


@pytest.mark.parametrize("a, b", [
    ("Angkor Manpower Co., Ltd.", "angkor  manpower"), (f"ក្រុមហ៊ុន{ZWSP}អង្គរ", "អង្គរ ឯ.ក"),
    ("ရွှေကြာ ကုမ္ပဏီလီမိတက်", "ရွှေ ကြာ"),
])
def test_one_name_many_spellings_one_key(a, b):
    assert name_key(a) == name_key(b) != ""


def test_vocabulary_expands_a_typed_word():
    vocabulary = Vocabulary([("angkor", 50), ("angkhor", 3), ("manpower", 90), ("mango", 1),
                             ("kulen", 4)])
    assert vocabulary.variants("angkor") == ["angkhor"]
    assert vocabulary.completions("man") == ["manpower", "mango"]
    assert vocabulary.near("angkro") == ["angkor"]
    assert vocabulary.near("koulen") == ["kulen"]
    assert vocabulary.near("kul") == []  # too short to forgive a typo


@pytest.mark.parametrize("khmer, latin", [
    ("ផ្កាយ", "phkay"), ("ឈូក", "chhouk"), ("សំណាង", "smnang"), ("អង្គរ", "angkr"),
    ("កម្លាំង", "kmlang"),  # ាំង reads 'ang'
    ("ឧត្តម", "ottm"),       # an independent vowel starts the word
])
def test_khmer_words_in_latin_letters(khmer, latin):
    assert khmer_latin(khmer) == latin


@pytest.mark.parametrize("name, typed", [
    ("ផ្កាយសំណាង ក្រចេះ", "Phkay Samnang Kratie"),  # written together; a profile's spelling
    ("ឈូកមាស ប៉ៃលិន", "Chhouk Meas Pailin"),
    ("ឈូកមាស ប៉ៃលិន", "chhoukmeas"),                 # typed together
    ("សាមគ្គី កម្លាំងពលកម្ម", "Sameakki Kamlang Polakam"),
    ("ក្រុមហ៊ុន ទន្លេសាប ឯ.ក", "Tonlesab"),           # legal form dropped
])
def test_a_name_is_found_by_how_it_sounds(name, typed):
    conventional = conventional_names(countries.load("KH"))
    terms = sound_terms(*sound_words(name, conventional))
    words = latin_words(typed)
    assert all(set(query_sound_terms(words, i)) & terms for i in range(len(words)))


def test_a_different_name_does_not_sound_alike():
    terms = sound_terms(*sound_words("ផ្កាយសំណាង"))
    assert not set(query_sound_terms(["sokha"], 0)) & terms


# -- Burmese names in Latin letters --------------------------------------------------------------

@pytest.mark.parametrize("burmese, latin", [
    ("ကျော်", "kyaw"), ("ထက်", "htet"), ("သိန်း", "thein"), ("လှိုင်", "hlaing"),
    ("မြင့်", "myint"), ("မင်း", "min"), ("ဇင်", "zin"), ("ဝင်း", "win"), ("သန့်", "thant"),
    ("သန်း", "than"),
    ("ဆု", "hsu"), ("ကြီး", "gyi"), ("ရွှေ", "shwe"), ("နဒီ", "nadi"), ("မိုး", "moe"),
    ("ဖြိုး", "phyo"), ("ပြည့်", "pyae"), ("ပြည်", "pyi"), ("အောင်", "aung"), ("ရတနာ", "yadanar"),
    ("သဇင်", "thazin"), ("ထွန်း", "htun"), ("လွင်", "lwin"), ("နှင်း", "hnin"), ("မြတ်", "myat"),
    ("ချို", "cho"), ("နွယ်", "nwe"), ("ခင်", "khin"), ("မြ", "mya"), ("နိုင်", "naing"),
    ("စိုး", "soe"), ("ဝေ", "way"), ("ဖြူ", "phyu"), ("ဇော်", "zaw"), ("ညီ", "nyi"),
    ("လူ့", "lu"), ("စွမ်း", "swan"), ("အား", "ar"),
    ("အေး", "aye"), ("အိ", "ei"), ("ဦး", "u"), ("ငွေ", "ngwe"), ("တောင်", "taung"),
    ("ကောင်း", "kaung"), ("မျိုး", "myo"), ("ကိုကို", "koko"), ("နေ", "nay"), ("ခြည်", "chi"),
    ("စွာ", "swar"), ("ပွင့်", "pwint"), ("ညွန့်", "nyunt"), ("ထွဋ်", "htut"), ("မှူး", "hmu"),
    ("လျှော်", "shaw"), ("ဗိုလ်", "bo"), ("ယံ", "yan"), ("သီဟ", "thiha"), ("သုတ", "thuta"),
    ("မြန်မာ", "myanmar"), ("မင်္ဂလာ", "mingalar"),      # kinzi
    ("နန္ဒာ", "nandar"), ("သန္တာ", "thandar"),            # a stack after a nasal is voiced
    ("မန္တလေး", "mandalay"), ("သစ္စာ", "thitsar"), ("ဇမ္ဗူ", "zambu"),
    ("ဇေယျာ", "zayar"), ("ပုဂံ", "bagan"),                # one y; a spelling settled by use
])
def test_burmese_words_in_latin_letters(burmese, latin):
    assert burmese_latin(burmese) == latin


def test_burmese_letters_read_two_ways_give_two_readings():
    assert burmese_readings("ပြည်") == ("pyi", "pyay")    # Pyi, and the town Pyay
    assert "thiri" in burmese_readings("သီရိ")            # ရ as R in Pali words
    assert [burmese_latin(s) for s in ("လူ့", "စွမ်း", "အား")] == ["lu", "swan", "ar"]


#: Ways people write one Burmese name, and names that are not one (Burmese names differ by a
#: vowel or a medial y where Khmer romanisations just disagree).
BURMESE_SPELLINGS = [
    ("kyaw", "chaw"), ("kyaw", "kyau"), ("htet", "het"), ("thein", "thane"), ("thein", "thain"),
    ("hlaing", "laing"), ("hlaing", "hline"), ("myint", "myit"), ("myint", "myin"),
    ("kyi", "chi"), ("gyi", "ji"), ("gyi", "kyi"), ("hsu", "su"), ("htun", "tun"),
    ("htun", "htoon"), ("moe", "mo"), ("phyo", "pyo"), ("pyae", "pye"), ("pyae", "pyay"),
    ("yadanar", "yadana"), ("oo", "u"), ("nwe", "nway"), ("zaw", "zaw"), ("wai", "way"),
    ("htike", "htaik"), ("sone", "son"), ("mon", "mone"), ("nyi", "nyee"), ("hnin", "nin"),
    ("win", "winn"), ("thiri", "thiree"), ("tharzin", "thazin"), ("hein", "htein"),
]
BURMESE_OTHER_NAMES = [
    ("kyaw", "kyi"), ("than", "thein"), ("min", "myint"), ("aung", "aye"), ("win", "wai"),
    ("moe", "mya"), ("than", "tun"), ("thein", "thin"), ("zaw", "zin"), ("het", "tet"),
    ("hein", "thein"), ("htet", "htut"), ("myat", "myint"), ("pyi", "pyae"), ("nwe", "nu"),
    ("soe", "su"), ("kyaw", "kyo"), ("aye", "ei"), ("shwe", "swe"), ("khin", "khaing"),
]


@pytest.mark.parametrize("word, other", BURMESE_SPELLINGS)
def test_spellings_of_one_burmese_name(word, other):
    assert variant_of(word, other) and variant_of(other, word)


@pytest.mark.parametrize("word, other", BURMESE_OTHER_NAMES)
def test_burmese_names_that_differ_are_not_spellings_of_one(word, other):
    assert not variant_of(word, other) and not variant_of(other, word)


@pytest.mark.parametrize("word, other, same", [
    ("sao", "sau", True), ("sun", "soun", True), ("srey", "srei", True), ("chey", "jey", True),
    ("sok", "sak", True),  # kept as before: the exact spelling still ranks first
])
def test_khmer_spellings_stay_as_they_were(word, other, same):
    assert variant_of(word, other) is same


@pytest.mark.parametrize("word, spelling", [
    ("kyau", "chau"), ("thane", "thein"), ("hline", "laing"), ("myit", "myin"),
    ("htoon", "tun"), ("pyay", "pye"), ("yadanar", "yadana"),
    ("santepheap", "santepheap"), ("chhouk", "chhouk"), ("meas", "meas"),  # Khmer unchanged
])
def test_romanised_spellings(word, spelling):
    assert romanised(word) == spelling


def test_vocabulary_expands_a_burmese_name_to_its_spellings_only():
    vocabulary = Vocabulary([("kyaw", 5), ("kyi", 5), ("thein", 3), ("than", 4), ("htet", 2),
                             ("myint", 2), ("min", 7)])
    assert vocabulary.variants("chaw") == ["kyaw"]
    assert vocabulary.variants("thane") == ["thein"]
    assert vocabulary.variants("het") == ["htet"]
    assert vocabulary.variants("myit") == ["myint"]
    assert vocabulary.variants("than") == []


def _sounds_alike(name, typed):
    terms = sound_terms(*sound_words(name))
    words = latin_words(typed)
    return all(set(query_sound_terms(words, i)) & terms for i in range(len(words)))


@pytest.mark.parametrize("name, typed", [
    ("ကျော်ဇင်ထက်", "Chaw Zin Het"), ("ကျော်ဇင်ထက်", "chawzin htet"), ("ကျော်ဇင်ထက်", "Kyau Zin"),
    ("သိန်းမြင့်အောင်", "Thane Myit Aung"), ("လှိုင်သစ္စာ", "laingthitsar"),
    ("ရတနာအေး", "Yadana Aye"), ("ရတနာ", "Yatanar"), ("နဒီမြိုင်", "Nati Myaing"),
    ("စိန်ကြီး", "seinji"), ("ဆုလဲ့ရည်", "Su Lae Yee"), ("ဖြိုးဇေယျာ", "Pyo Zeya"),
    ("ထူးမြတ်ခိုင်", "Tu Myat Khaing"), ("မြနန္ဒာ", "Mya Nanda"), ("ရွှေပြည်", "Shwe Pyay"),
    ("သီရိ", "Thiri"), ("ကျော်သီဟ", "Kyaw Thi Ha"), ("ထက်မြတ်နိုး", "hetmyatnoe"),
    ("ရွှေမြန်မာ လူ့စွမ်းအား ကုမ္ပဏီလီမိတက်", "Shwe Myanmar Lu Swan Ar"),
])
def test_a_burmese_name_is_found_by_how_it_sounds(name, typed):
    assert _sounds_alike(name, typed)


@pytest.mark.parametrize("name, typed", [
    ("သိန်း", "Than"), ("သန်း", "Thein"), ("မင်း", "Myint"), ("မြင့်", "Min"), ("ကျော်", "Kyi"),
    ("အောင်", "Aye"), ("ဝင်း", "Wai"), ("မိုး", "Mya"), ("သိန်းသိန်း", "Than Than"),
    ("ကျော်ဇင်", "Kyi Zin"), ("ရတနာပွင့်", "Yadana Aye"),  # Aye alone adds nothing to Yadana
])
def test_another_burmese_name_does_not_sound_alike(name, typed):
    assert not _sounds_alike(name, typed)


@pytest.mark.parametrize("text, segments", [
    ("សុវណ្ណ ជ្រើសរើសបុគ្គលិក", [["សុ", "វ", "ណ្ណ"], ["ជ្រើ", "ស", "រើ", "ស", "បុ", "គ្គ", "លិ", "ក"]]),
    ("ក្រុមហ៊ុន សុវណ្ណ ឯ.ក", [["សុ", "វ", "ណ្ណ"]]),     # legal-form words dropped
    (f"សុ{ZWSP}វណ្ណ", [["សុ", "វ", "ណ្ណ"]]),           # zero-width spaces are not word breaks
    ("Sovann", []),
])
def test_script_segments(text, segments):
    assert script_segments(text) == segments


def test_bag_keys_ignore_word_order():
    assert (bag_key(*analyse_name("Mekong HR Services")[:2])
            == bag_key(*analyse_name("HR Services Mekong")[:2]))
    assert (bag_key(*analyse_name("មេគង្គ សេវាធនធានមនុស្ស")[:2])
            == bag_key(*analyse_name("សេវាធនធានមនុស្ស មេគង្គ")[:2]))
    assert bag_key([], []) == ""


def test_loose_pairs_keep_a_misspelt_vowel_or_subscript():
    assert loose_pairs(script_units("អប្សរា")) == ["~អ+ប", "~ប+រ"]
    assert loose_pairs(script_units("រស្ម")) == loose_pairs(script_units("រស្មី"))


@pytest.mark.parametrize("sets, least, wanted", [
    ([0b0111, 0b0110, 0b0100], 1, [2, 1, 0]),   # in three sets, two, one
    ([0b0111, 0b0110, 0b0100], 2, [2, 1]),
    ([0b0001], 1, [0]), ([], 1, []),
])
def test_most_shared_counts_membership_on_sets(sets, least, wanted):
    assert most_shared(sets, 0b1111, 10, least=least) == wanted


def test_head_keys():
    assert head_keys(["pich", "manpower", "cambodia", "x"], ["ពេ", "ជ្រ", "ម៉ែ"]) == [
        "pich", "pichmanpower", "pichmanpowercambodia", "|ពេជ្រ", "|ពេជ្រម៉ែ"]


# -- finding agencies ---------------------------------------------------------------------------

@pytest.mark.parametrize("query, first", [
    # whole names, partial names, any case and accents
    ("Angkor Manpower", ANGKOR), ("ANGKOR manpower co ltd", ANGKOR), ("Sántépheap", MEKONG),
    ("golden lotus", GOLDEN), ("Angkor Jobs", ANGKOR),
    # transliterations and typos
    ("Santipheap Human Resources", MEKONG), ("Mekhong", MEKONG), ("Golden Lotos", GOLDEN),
    ("Angkro Manpowr", ANGKOR), ("Mingalar Phnompenh Recruitment", MINGALAR),
    ("Mingala Phnom Penh", MINGALAR), ("Mekon", MEKONG),
    # Khmer: whole, partial, with and without spaces or zero-width spaces, misspelt
    ("អង្គរ", ANGKOR), ("អង្គរម៉ែនផៅវ័រ", ANGKOR), (f"អង្គ{ZWSP}រ ម៉ែន{ZWSP}ផៅវ័រ", ANGKOR),
    ("មនុស្សមេគង្គ", MEKONG), ("សន្តិភាព", MEKONG), ("ឈូក មាស", GOLDEN),
    ("ធនធានមនុស្សមេគង្គសន្ដិភាព", MEKONG),  # ដ typed for the subscript ត
    # Burmese: whole, partial, spaced, stacked consonants and kinzi
    ("ရွှေမြန်မာ", SHWE), ("မြန်မာ လူ့စွမ်းအား", SHWE), ("ရွှေ ကြာ", GOLDEN), ("မင်္ဂလာ", MINGALAR),
    ("ပြည်ပ အလုပ်အကိုင်", GOLDEN),
    # identifiers, however written, in any digits
    ("kh mlvt 2024 0012", ANGKOR), ("2024-0012", ANGKOR), ("+855 12 345 678", ANGKOR),
    ("012-345-678", ANGKOR), ("016 222 333", MEKONG), ("(0)16 222 333", MEKONG),
    ("០១៦ ២២២ ៣៣៣", MEKONG), ("၀၉၅ ၁၂၃ ၄၅၆", SHWE), ("facebook.com/angkormanpower", ANGKOR),
])
def test_finds_the_agency_first(app, registry, query, first):
    assert numbers(app, query)[:1] == [first]


@pytest.mark.parametrize("unicode_text, first", [
    ("ရွှေမြန်မာ လူ့စွမ်းအား", SHWE), ("ရွှေကြာ ပြည်ပအလုပ်အကိုင်", GOLDEN), ("မင်္ဂလာ", MINGALAR),
])
def test_zawgyi_queries_find_the_unicode_name(app, client, registry, unicode_text, first):
    zawgyi = to_zawgyi(unicode_text)
    assert zawgyi != unicode_text
    # The detector is sure of the longer ones; a lone word (မဂၤလာ) looks like Unicode too.
    assert numbers(app, zawgyi)[:1] == [first]
    body = client.get("/api/v1/search", query_string={"q": zawgyi}).json
    assert body["results"][0]["licence_number"] == first


def test_zero_width_spaces_never_change_a_match(app, registry):
    plain = numbers(app, "អង្គរម៉ែនផៅវ័រ")
    assert numbers(app, ZWSP.join("អង្គរម៉ែនផៅវ័រ")) == plain
    assert numbers(app, f"{ZWSP}អង្គរ{ZWSP}{ZWSP}ម៉ែនផៅវ័រ{ZWSP}") == plain


def test_burmese_names_typed_in_latin_letters_find_their_agency_only(app, load):
    load(agencies=[
        agency_row("MM-1", "Golden Star Manpower",
                   name_my="ကျော်ဇင်ထက် လူ့စွမ်းအား ကုမ္ပဏီလီမိတက်"),
        agency_row("MM-2", "Thein Naing Job Services", name_my="သိန်းနိုင် အလုပ်အကိုင်"),
        agency_row("MM-3", "Than Naing Job Services", name_my="သန်းနိုင် အလုပ်အကိုင်"),
        agency_row("MM-4", "Kyi Zin Manpower", name_my="ကြည်ဇင် လူ့စွမ်းအား"),
    ])
    assert numbers(app, "Chaw Zin Het") == ["MM-1"]     # by sound alone: its English name differs
    # Another spelling of the English name; Than comes after it only as a typo of Thane.
    assert numbers(app, "Thane Naing") == ["MM-2", "MM-3"]
    assert numbers(app, "Than Naing") == ["MM-3"]
    assert numbers(app, "Chi Zin") == ["MM-4"]
    assert not found(app, "Chaw Zin Het").exact


def test_ranking_identifier_then_whole_name_then_words_then_spellings(app, load):
    load(agencies=[
        agency_row("R-1", "Sokha Santepheap Manpower"),  # every word, more words
        agency_row("R-2", "Santipheap Sokha"),  # another spelling of one word
        agency_row("R-3", "Sokha Santepheap"),  # the whole name
        agency_row("R-4", "Pich Recruitment", aliases="Trading as SOKHA-SANTEPHEAP 55"),
        agency_row("SOKHA-SANTEPHEAP", "Kulen Jobs"),  # the licence number
    ])
    ranked = numbers(app, "Sokha Santepheap")
    assert ranked[:2] == ["SOKHA-SANTEPHEAP", "R-3"]
    assert set(ranked[2:4]) == {"R-1", "R-4"}  # one tier: in index order
    assert ranked[4:] == ["R-2"]


def test_results_that_only_resemble_the_query_say_so(app, client, registry):
    assert found(app, "Angkor Manpower").exact
    assert not found(app, "Angkro Manpowr").exact
    page = client.get("/en/search", query_string={"q": "Angkro Manpowr"}).get_data(as_text=True)
    assert "No agency has exactly this name" in page
    page = client.get("/en/search", query_string={"q": "Angkor Manpower"}).get_data(as_text=True)
    assert "No agency has exactly this name" not in page


def test_filters_apply_to_every_tier(app, registry):
    assert numbers(app, "angkor", status="licensed") == [ANGKOR]
    assert set(numbers(app, "angkor", status="expired")) == {ANGKOR_COPY, OLD}
    assert numbers(app, "angkro", province="KH-12") == [ANGKOR]
    assert numbers(app, "ဖနွမ်းပင်", province="KH-12") == []


def test_totals_and_pages_agree(app, registry):
    everything = numbers(app, "angkor", limit=100)
    assert found(app, "angkor").total == len(everything) == 3
    assert numbers(app, "angkor", limit=2) + numbers(app, "angkor", limit=2, offset=2) == everything


def test_lookalikes_are_licensed_agencies_with_similar_names(app, registry):
    with app.app_context():
        from registry.services.agencies import get_many
        alike = [a.licence_number for a in get_many(search.lookalikes("Angkor Manpower Cambodia"))]
        assert alike == [ANGKOR]  # not the expired copycat, nor the older Angkhor Star
        assert search.lookalikes("Zzyzx Qwerty") == []
        assert [a.licence_number for a in get_many(search.lookalikes("ឈូកមាស ជប៉ុន"))] == [GOLDEN]


def test_nothing_found_says_so_lists_lookalikes_and_counts_a_lead(app, client, registry):
    page = client.get("/en/search", query_string={"q": "Angkor Manpower Cambodia"})
    text = page.get_data(as_text=True)
    assert "No agency by this name" in text and "Licensed agencies with similar names" in text
    assert "No licence on record:" not in text  # a name, not a number: issue 14
    assert f"/en/agencies/{ANGKOR}" in text and f"/en/agencies/{ANGKOR_COPY}" not in text
    body = client.get("/api/v1/search", query_string={"q": "angkor manpower  CAMBODIA"}).json
    assert body["total"] == 0 and body["nothing_found"]["kind"] == "name"
    assert [r["licence_number"] for r in body["lookalikes"]] == [ANGKOR]
    body = client.get("/api/v1/search", query_string={"q": "099 999 999"}).json
    assert body["nothing_found"] == {
        "kind": "identifier", "message": "No licence on record: do not pay fees to this agency."}
    client.get("/en/search", query_string={"q": "KH-MLVT-1999-9999"})
    client.get("/en/search", query_string={"q": "angkor", "status": "suspended"})  # exists
    client.get("/en/search", query_string={"q": "Angkor Manpower"})  # found
    with app.app_context():
        rows = db.session.execute(select(UnmatchedSearch.kind, UnmatchedSearch.text,
                                         UnmatchedSearch.count)).all()
    assert sorted(rows) == [("licence", "KHMLVT19999999", 1),
                            ("name", "angkor manpower cambodia", 1),  # one reader, twice
                            ("phone", "+85599999999", 1)]


@pytest.mark.parametrize("text, kind, normalised", [
    ("012 345 678", "phone", "+85512345678"),
    ("+855 (0)12-345-678", "phone", "+85512345678"),
    ("kh-mlvt 2024/0012", "licence", "KHMLVT20240012"),
    ("MM-0042", "licence", "MM0042"),
    ("Lucky 88 Manpower", "name", "lucky 88 manpower"),
    (f"ក្រុមហ៊ុន{ZWSP}ភ្នាក់ងារ  ក្លែងក្លាយ", "name", "ក្រុមហ៊ុនភ្នាក់ងារ ក្លែងក្លាយ"),
])
def test_leads_are_classified_and_normalised(text, kind, normalised):
    assert leads.classify(text, "KH") == (kind, normalised)


def test_leads_are_counted_exactly_under_concurrent_requests(app):
    def record():
        with app.app_context():
            for _ in range(25):
                leads.record_unmatched("Phantom Recruitment", "KH")
    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        rows = db.session.execute(select(UnmatchedSearch.text, UnmatchedSearch.count)).all()
    assert rows == [("phantom recruitment", 100)]


# -- the labelled set ---------------------------------------------------------------------------

def test_labelled_queries_find_their_agency_in_the_top_three(app, load):
    """bench/queries.json on a registry of its own agencies (bench/search.py runs the same set
    against 10k and 100k generated agencies)."""
    load(agencies=LABELLED["agencies"])
    missed, reciprocal = [], 0.0
    for item in LABELLED["queries"]:
        text = to_zawgyi(item["q"]) if item.get("zawgyi") else item["q"]
        ranked = numbers(app, text, limit=20)
        rank = ranked.index(item["expect"]) + 1 if item["expect"] in ranked else None
        reciprocal += 1 / rank if rank else 0
        if not rank or rank > 3:
            missed.append((item["kind"], item["q"], rank))
    recall = 1 - len(missed) / len(LABELLED["queries"])
    assert recall >= 0.95, (recall, reciprocal / len(LABELLED["queries"]), missed)


# -- properties ---------------------------------------------------------------------------------

# Letters people type, the marks and invisible characters between them, digits of all three
# scripts, and what a form can send (punctuation, query syntax, controls, lone surrogates aside).
TYPED = st.text(st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cs"]),
    st.sampled_from("ក្រុមហ៊ុនអង្គរម៉ែនផៅវ័រ ឯ.ក ០១២ ရွှေမြန်မာ ကုမ္ပဏီ ၀၁၂ မင်္ဂလာ"
                    "\u200b\u200c\u00ad*:~\"()"),
), max_size=60)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TYPED, offset=st.integers(0, 30), status=st.sampled_from([None, "licensed"]))
def test_no_input_makes_search_raise(app, registry, text, offset, status):
    with app.app_context():
        results = search.query(text, limit=5, offset=offset, status=status)
        assert results.total >= len(results.agency_ids)
        search.lookalikes(text)


NAME_PARTS = st.sampled_from(
    ["Angkor", "Sokha", "Lucky", "88", "Phnompenh", "Srey", "Ánh", "Ltd.", "Co.,", "&", "-",
     "ក្រុមហ៊ុន", "អង្គរ", "ម៉ែនផៅវ័រ", "ស្រ្តី", "ឯ.ក", "\u200b", "២០២៤", "ရွှေ", "မြန်မာ",
     "ကုမ္ပဏီလီမိတက်", "မင်္ဂလာ", "ဝင်း", "၀င်း", "ภาษา", "中文"])


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.lists(NAME_PARTS, min_size=1, max_size=5).map(" ".join),
                      min_size=1, max_size=6))
def test_a_name_always_finds_itself(app, load, names):
    assume(all(latin_words(n) or script_units(n) for n in names))
    # Whoosh names index segments with the random module, which Hypothesis seeds alike for
    # every example: two commits would then write the same segment name.
    random.seed(os.urandom(8))
    load(agencies=[agency_row(f"P-{i}", "Name", name_km=name) for i, name in enumerate(names)])
    for i, name in enumerate(names):
        results = found(app, name, limit=100)
        assert results.exact, name
        assert f"P-{i}" in numbers(app, name, limit=100), name


INDEPENDENT = json.loads((Path(__file__).parent.parent / "bench" / "queries_independent.json")
                         .read_text(encoding="utf-8"))


def test_independent_queries_find_their_agency_in_the_top_three(app, load):
    """bench/queries_independent.json: written from the demo data by someone who had not read
    the search rules (issue 14). A floor, not a regression set: bench/search.py reports it."""
    agencies = [{k: v for k, v in a.items() if k != "representatives"}
                for a in INDEPENDENT["agencies"]]
    reps = [{"licence_number": a["licence_number"], "name": r["name"], "phone": r["phone"],
             "id_number": f"REP-I{i:04d}-{j}", "province": a["province"],
             "authorised_from": "2024-01-01", "authorised_to": "2030-12-31"}
            for i, a in enumerate(INDEPENDENT["agencies"])
            for j, r in enumerate(a.get("representatives", []))]
    load(agencies=agencies, representatives=reps)
    missed = []
    for item in INDEPENDENT["queries"]:
        ranked = numbers(app, item["q"], limit=20)
        rank = ranked.index(item["expect"]) + 1 if item["expect"] in ranked else None
        if not rank or rank > 3:
            missed.append((item["kind"], item["q"], rank))
    recall = 1 - len(missed) / len(INDEPENDENT["queries"])
    assert recall >= 0.9, (recall, missed)


# -- issue 14: what independent query sets found on the demo registry ------------------------------

ISSUE_14 = [
    ("សុវណ្ណ ជ្រើសរើសបុគ្គលិក", "KH-MLVT-2024-0034"),       # Khmer words in another order
    ("လူ့စွမ်းအား မဲခေါင်", "KH-MLVT-2024-0195"),            # Burmese words in another order
    ("Phkay Samnang Kratie", "KH-MLVT-2025-0125"),           # Khmer name romanised by ear
    ("Chhouk Meas Pailin", "KH-MLVT-2024-0228"),
    ("KH-MLVT-2025-O121", "KH-MLVT-2025-0121"),              # letter O for zero
    ("KH MLVT 2025 121", "KH-MLVT-2025-0121"),               # leading zero dropped
    ("692810", "KH-MLVT-2025-0001"),                         # the end of a phone number
    ("រស្ម", "KH-MLVT-2025-0121"),                             # two syllables, one mistake
    ("Mohaleab", "KH-MLVT-2025-0035"),                       # written together, spelt otherwise
    ("Pich Manpower", "KH-MLVT-2024-0016"),                  # the name that begins so, first
]


# -- issue 12: Burmese names as people in Myanmar type them, on Myanmar's demo registry ----------

ISSUE_12 = [
    ("Chaw Swa Overseas Employment Agency", "MOL-OEA-2023-0049"),   # Kyaw Swar: Ky/Ch, -ar/-a
    ("Myit Mo Overseas Employment Agency", "MOL-OEA-2026-0003"),    # Myint without its n
    ("Shwe Pyay Overseas Employment Agency", "MOL-OEA-2025-0029"),  # Pyi/Pyay
    ("Mo Kaung Overseas Employment Agency", "MOL-OEA-2026-0021"),   # Moe/Mo
    ("Pye Pyo Overseas Employment Agency", "MOL-OEA-2024-0210"),    # Pyae Phyo
    ("Tu Lwin Overseas Employment Services", "MOL-OEA-2024-0020"),  # Htoo: ht/t, oo/u
    ("Nwe Taung Overseas Employment Services", "MOL-OEA-2025-0126"),  # Ngwe
    ("Mya Nanda Overseas Employment Agency", "MOL-OEA-2025-0141"),  # Nandar
    ("Het Aung Overseas Employment Agency", "MOL-OEA-2025-0014"),   # Htet
    ("Zaw Winn Overseas Employment Services", "MOL-OEA-2023-0108"),
    ("Pagan Overseas Employment Agency", "MOL-OEA-2025-0018"),      # Bagan, the old spelling
    ("လူ့စွမ်းအား ကျော်စွာ", "MOL-OEA-2025-0001"),                  # Burmese words reordered
    ("ကျော်စွာလူ့စွမ်းအား", "MOL-OEA-2025-0001"),                   # written together
    (to_zawgyi("ကျော်စွာ လူ့စွမ်းအား"), "MOL-OEA-2025-0001"),          # typed in Zawgyi
    ("MOL OEA 2022 1", "MOL-OEA-2025-0001"),         # its previous licence, zeros dropped
    ("၀၉ ၇၇၀ ၆၆၈ ၆၇၂", "MOL-OEA-2025-0001"),                        # phone, Myanmar digits
    ("668672", "MOL-OEA-2025-0001"),                                 # the end of that phone
]


@pytest.fixture(scope="module")
def demo_registry(tmp_path_factory, database_url):
    """demo_registry(country): that country's demo data as `make run` loads it (flask seed),
    searched by a module-wide app. The two share the test database, so one lives at a time and
    each is loaded once per run of its tests, not once per test (about 11 s each)."""
    from registry import create_app
    loaded = {}  # the one country whose registry is in the database now

    def unload():
        for app in loaded.values():
            with app.app_context():
                db.session.remove()
                empty_all_tables()
                db.engine.dispose()
        loaded.clear()

    def registry(country):
        if country in loaded:
            return loaded[country]
        unload()
        folder = tmp_path_factory.mktemp(f"demo-{country}")
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                          "REGISTRY_COUNTRY": country,
                          "REGISTRY_INDEX_DIR": str(folder / "index"),
                          "REGISTRY_SIGNING_KEY_FILE": str(folder / "signing.pem"),
                          "REGISTRY_CHECKPOINT_LOG": str(folder / "checkpoints.log"),
                          "REGISTRY_OUTBOX_POLL_SECONDS": 0, "RATELIMIT_ENABLED": False})
        with app.app_context():
            empty_all_tables()
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        loaded[country] = app
        return app
    yield registry
    unload()


@pytest.mark.parametrize("country, text, wanted",
                         [("KH", q, w) for q, w in ISSUE_14] + [("MM", q, w) for q, w in ISSUE_12],
                         ids=[q for q, _ in ISSUE_14 + ISSUE_12])
def test_what_people_typed_finds_the_agency_in_the_top_three(demo_registry, country, text,
                                                              wanted):
    assert wanted in numbers(demo_registry(country), text, limit=3)


@pytest.mark.parametrize("country", COUNTRIES[::-1])  # Myanmar's is the one loaded last above
def test_a_broker_name_finds_the_agency_that_authorised_them(demo_registry, country):
    app = demo_registry(country)
    with app.app_context():
        from registry.models import Representative
        rep = next(r for r in db.session.scalars(select(Representative))
                   if r.name.isascii())
        wanted = rep.agency.licence_number
    assert wanted in numbers(app, rep.name, limit=3)
