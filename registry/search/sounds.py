"""Khmer and Burmese names as they sound in Latin letters: 'Phkay Samnang' for ផ្កាយសំណាង.

People who cannot type Khmer or Burmese write a name by ear, and not the way the agency spells
it in English (if it has an English name that sounds like its native one at all). Each Khmer
word of a name is romanised by a table close to UNGEGN (ICU has no Khmer-Latin transliterator;
its dictionary word break cuts a run of Khmer written without spaces into words) and indexed by
its analysis.skeleton: the first letter and the consonants, which is what romanisations by ear
agree on. Burmese syllables are romanised by a table of the spellings Myanmar people use for
names (burmese_latin) and indexed apart ('my' terms, burmese_key), by skeleton only when it is
long enough to tell names apart: one Burmese syllable differs from another name often only by
its vowel (Than, Thein), where Khmer romanisations disagree on every vowel. Province names keep
the conventional spellings of the country profile (Kratie for ក្រចេះ), which no table would
give.
"""
import re
import threading
from functools import lru_cache

import icu

from .analysis import (LEGAL_NATIVE, SHORT_SKELETON, burmese_letters, burmese_syllables, fold,
                       latin_words, prepare, skeleton)
from .romanisation import dropped_t, romanised, syllable_key

_CONSONANTS = dict(zip(
    "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអ",
    "k kh k kh ng ch chh ch chh nh d th d th n t th t th n b ph p ph m y r l v s s s h l _".split()))
_VOWELS = {"ា": "a", "ិ": "e", "ី": "ei", "ឹ": "oe", "ឺ": "eu", "ុ": "o", "ូ": "ou", "ួ": "uo",
           "ើ": "aeu", "ឿ": "oea", "ៀ": "ie", "េ": "e", "ែ": "ae", "ៃ": "ai", "ោ": "ao",
           "ៅ": "au", "ំ": "m", "ះ": "h", "ៈ": "a", "៌": "r", "័": "a"}
_INDEPENDENT = dict(zip("ឥឦឧឩឪឫឬឭឮឯឰឱឲឳ",
                        "e ei o ou au rue rueu lue lueu ae ai ao ao au".split()))
_SCRIPT_RUN = re.compile(r"[\u1780-\u17ff]+|[\u1000-\u109f]+")
#: Shortest skeleton that is worth a term: one consonant after the first letter.
MIN_SKELETON = 2
_local = threading.local()
#: Legal-form words, as analysis drops them from names; ឯ.ក with its dot.
_LEGAL = re.compile("|".join(map(re.escape, (*LEGAL_NATIVE, "ឯ.ក"))))


def khmer_latin(word):
    """One Khmer word in Latin letters, by ear: ផ្កាយ -> phkay, ឈូក -> chhouk."""
    out = []
    for i, ch in enumerate(word):
        if ch in _CONSONANTS:
            latin = _CONSONANTS[ch]
            # A word that starts with the vowel carrier starts with its vowel ('Angkor').
            out.append(("" if i else "a") if latin == "_" else latin)
        elif ch == "ំ" and word[i + 1:i + 2] == "ង":
            continue  # កម្លាំង: kamlang, not kamlamng
        else:
            out.append(_VOWELS.get(ch) or _INDEPENDENT.get(ch, ""))
    return "".join(out)


# -- Burmese ------------------------------------------------------------------------------------
# As Myanmar people spell their names in Latin letters (passports, company registrations), not
# as ICU's Myanmar-Latin does (ထက် 'htaat', သိန်း 'sein'): aspirates with h (Htet, Hsu, Phyo),
# သ as Th, ရ as Y (R in Pali words: Thiri, Thura), long a as -ar (Yadanar), a final consonant
# as the rhyme it makes (-က် et, -န် an, ိန် ein). Tone marks are not written, but a creaky
# nasal keeps a t (မြင့် Myint, သန့် Thant).

_MY_ONSETS = dict(zip(
    "ကခဂဃငစဆဇဈညဉဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအဿ",
    "k kh g g ng s hs z z ny ny t ht d d n t ht d d n p ph b b m y y l w th h l _ th".split()))
_MY_WITH_Y = {"က": "ky", "ခ": "ch", "ဂ": "gy", "ပ": "py", "ဖ": "phy", "ဗ": "by", "ဘ": "by",
              "ယ": "y", "ရ": "y"}
_MY_WITH_H = {"လ": "hl", "မ": "hm", "န": "hn", "ည": "hny", "င": "hng", "ဝ": "hw"}
#: Independent vowels: the vowel they stand for (the rhyme table's key).
_MY_VOWEL_LETTERS = dict(zip("ဣဤဥဦဧဩဪ", "i i u u e aw aw".split()))
#: A final consonant -> the rhyme row it reads as (every stop is one glottal stop, but
#: the letter decides the vowel: ထက် Htet, မြတ် Myat).
_MY_FINALS = dict(zip("ကခဂဃငစဆဇဈညဉဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသံ",
                      "k k k k ng s s s s ny ny t t t t n t t t t n p p p p m y r l w t m".split()))
#: (vowel, final) -> its readings, the usual first. Vowel keys: a (none), aa ာ, i ိ ီ, u ု ူ,
#: e ေ, ae ဲ, aw ော, o ို.
_MY_RHYMES = {
    ("a", ""): ("a",), ("aa", ""): ("ar",), ("i", ""): ("i",), ("u", ""): ("u",),
    ("e", ""): ("ay",), ("ae", ""): ("ae",), ("aw", ""): ("aw",), ("o", ""): ("o",),
    ("a", "k"): ("et",), ("aw", "k"): ("auk",), ("o", "k"): ("aik",), ("e", "k"): ("et",),
    ("a", "ng"): ("in",), ("aw", "ng"): ("aung",), ("o", "ng"): ("aing",),
    ("a", "s"): ("it",), ("a", "ny"): ("i", "ay"), ("a", "y"): ("e",),
    ("a", "t"): ("at",), ("i", "t"): ("eik",), ("u", "t"): ("ote",), ("e", "t"): ("et",),
    ("a", "n"): ("an",), ("i", "n"): ("ein",), ("u", "n"): ("on",),
    ("a", "p"): ("at",), ("i", "p"): ("eik",), ("u", "p"): ("oke",),
    ("a", "m"): ("an",), ("i", "m"): ("ein",), ("u", "m"): ("on",),
    ("o", "r"): ("o",), ("o", "l"): ("o",), ("a", "l"): ("an",),
}
#: With the medial wa (ွ), whose rhymes are their own: ထွန်း Tun, စွမ်း Swan, လွင် Lwin.
_MY_W_RHYMES = {("a", ""): "wa", ("aa", ""): "war", ("e", ""): "we", ("ae", ""): "we",
                ("a", "n"): "un", ("a", "m"): "wan", ("a", "t"): "ut", ("a", "p"): "ut",
                ("a", "k"): "wet", ("a", "ng"): "win", ("a", "y"): "we"}
#: After these onsets ို is written oe (Moe, Soe, Toe); after others o (Ko, Phyo, Cho).
_MY_OE = frozenset("m n s t z l p hm hn hs ht th".split())
_MY_VOICED = {"k": "g", "t": "d", "p": "b"}
#: Words whose spelling is settled by use, not by rule (a voiced t in ရတနာ, none in သုတ Thuta).
_MY_CONVENTIONAL = {"ရတနာ": "yadanar", "သီတာ": "thidar", "ပုဂံ": "bagan"}
#: At most this many readings of one run of syllables (ည် and ရ read two ways each).
MAX_READINGS = 8
_ASAT, _CREAKY = "\u103a", "\u1037"


def _my_vowel(marks):
    if "ေ" in marks and ("ာ" in marks or "ါ" in marks):
        return "aw"
    if ("ိ" in marks or "ီ" in marks) and ("ု" in marks or "ူ" in marks):
        return "o"
    for signs, vowel in (("ေ", "e"), ("ဲ", "ae"), ("ာါ", "aa"), ("ိီ", "i"), ("ုူ", "u")):
        if any(sign in marks for sign in signs):
            return vowel
    return "a"


def _my_syllables(text):
    """A run's syllables as [onset letter, marks, final letter, whether the final is a
    stacked letter, creaky]: a letter killed by asat, or stacked, ends the syllable before."""
    syllables = []
    for letter, marks, stacked in burmese_letters(text):
        # The asat of ော် and ေါ် is the vowel's (a tone), not a killed letter's.
        killed = _ASAT in marks and not ("ာ" in marks or "ါ" in marks)
        creaky = _CREAKY in marks
        if syllables and letter in _MY_FINALS and (killed or stacked) and not syllables[-1][2]:
            syllables[-1][2:] = [letter, stacked and not killed, syllables[-1][4] or creaky]
        else:
            syllables.append([letter, marks, "", False, creaky])
    return syllables


def _my_readings(onset_letter, marks, final, stacked, creaky):
    """(onsets, rhymes): the ways one syllable is written."""
    vowel = _MY_VOWEL_LETTERS.get(onset_letter) or _my_vowel(marks)
    onset = "" if onset_letter in _MY_VOWEL_LETTERS else _MY_ONSETS.get(onset_letter, "")
    onsets = ("y", "r") if onset_letter == "ရ" and not set(marks) & set("ျြွှ") else (onset,)
    if "ျ" in marks or "ြ" in marks:
        onsets = (_MY_WITH_Y.get(onset_letter, onset + "y"),)
    if "ှ" in marks:
        sh = onset_letter in "ယရ" or (onset_letter == "လ" and onsets[0] == "ly")  # ရှ, လျှ
        onsets = ("sh",) if sh else (_MY_WITH_H.get(onset_letter, "h" + onsets[0]),)
    if onsets == ("ky",) and vowel == "i" and "ီ" in marks and not final:
        onsets = ("gy",)  # ကြီး is written Gyi
    kind = _MY_FINALS.get(final, "") or ("m" if "ံ" in marks else "")
    if "ွ" in marks and (vowel, kind) in _MY_W_RHYMES:
        rhymes = (_MY_W_RHYMES[vowel, kind],)
    else:
        rhymes = _MY_RHYMES.get((vowel, kind)) or _MY_RHYMES.get(("a", kind)) or ("a",)
        rhymes = tuple(("w" if "ွ" in marks else "") + r for r in rhymes)
    if onsets == ("_",) or onset_letter == "ဧ":
        onsets = ("",)
        # အေး Aye; ဧရာ Ayeyar or Ayar; အိ Ei
        rhymes = {"ay": ("aye", "a"), "i": ("ei",)}.get(rhymes[0], rhymes)
    if rhymes[0] == "o" and onsets[0] in _MY_OE:
        rhymes = ("oe",)
    if creaky and kind in ("n", "m", "ng") and not rhymes[0].endswith("ng"):
        rhymes = tuple(r + "t" for r in rhymes)  # မြင့် Myint, သန့် Thant
    elif creaky and kind == "ny":
        rhymes = ("ae",)  # ပြည့် Pyae
    if stacked and kind == "m":
        rhymes = tuple(r[:-1] + "m" for r in rhymes)  # ဇမ္ဗူ Zambu
    return onsets, rhymes


@lru_cache(maxsize=16384)
def burmese_readings(text):
    """Every usual way of writing a Burmese syllable or word in Latin letters, the usual one
    first: ည် as i or ay (ပြည် Pyi, the town Pyay), ရ as y or r."""
    readings = [""]
    previous = None
    for syllable in _my_syllables(text):
        onsets, rhymes = _my_readings(*syllable)
        if previous and previous[3] and previous[2] in "နမင":
            # A stack after a nasal voices its stop: သန္တာ Thandar, မန္တလေး Mandalay.
            onsets = tuple(_MY_VOICED.get(o, o) for o in onsets)
        readings = [re.sub("yy", "y", r + o + rhyme)  # ဇေယျာ Zayar, not Zayyar
                    for r in readings for o in onsets for rhyme in rhymes][:MAX_READINGS]
        previous = syllable
    conventional = _MY_CONVENTIONAL.get(prepare(text))
    return (conventional, *readings) if conventional else tuple(readings)


def burmese_latin(text):
    """A Burmese syllable or word in Latin letters the way Myanmar people write names:
    ကျော် Kyaw, သိန်း Thein, မြင့် Myint, ဖြိုး Phyo, ရတနာ Yadanar (lower case)."""
    return burmese_readings(text)[0]


def khmer_words(run):
    """A run of Khmer written without spaces, cut into words by ICU's dictionary (break
    iterators are not shared across threads)."""
    if not hasattr(_local, "khmer"):
        _local.khmer = icu.BreakIterator.createWordInstance(icu.Locale("km"))
    breaker = _local.khmer
    breaker.setText(run)
    bounds = [0, *breaker]
    return [run[a:b] for a, b in zip(bounds, bounds[1:]) if run[a:b].strip()]


def sound_words(text, conventional=None):
    """(Latin words that a Khmer name sounds like, in order; other spellings of its place
    names; its Burmese syllables, in order). `conventional`: native place names -> (their
    English name's words, their other spellings' words), from the country profile."""
    text = _LEGAL.sub(" ", prepare(text))
    conventional = conventional or {}
    pieces = re.split("(" + "|".join(map(re.escape, sorted(conventional, key=len, reverse=True)))
                      + ")", text) if conventional else [text]
    words, others, syllables = [], [], []
    for piece in pieces:
        if piece in conventional:
            words += conventional[piece][0]
            others += conventional[piece][1]
            continue
        for run in _SCRIPT_RUN.findall(piece):
            if run[0] >= "\u1780":
                words += [khmer_latin(w) for w in khmer_words(run)]
            else:
                syllables += burmese_syllables(run)
    return [w for w in (re.sub(r"[^a-z]", "", fold(w)) for w in words) if w], others, syllables


def sound_terms(words, others=(), syllables=()):
    """Index terms for Latin words: the skeleton of each, and of each two written together;
    and those of Burmese syllables (burmese_terms)."""
    keys = [skeleton(w) for w in [*words, *others]]
    keys += [skeleton(a + b) for a, b in zip(words, words[1:])]
    return {k for k in keys if len(k) >= MIN_SKELETON} | burmese_terms(syllables)


def burmese_terms(syllables):
    """Terms for a Burmese name's sounds: each run of one to three syllables in each of its
    readings, as one might type it as one word ('Yadanar', 'chawzin'), and each two short
    syllables side by side as typed apart ('Kyaw Zin'); burmese_key says how each is kept."""
    terms = set()
    for size in (1, 2, 3):
        for i in range(len(syllables) - size + 1):
            terms.update(map(burmese_key, burmese_readings("".join(syllables[i:i + size]))))
    readings = [burmese_readings(s) for s in syllables]
    for firsts, seconds in zip(readings, readings[1:]):
        terms.update(_pair_key(a, b) for a in firsts for b in seconds)
    return terms - {None}


#: What romanised does to a word's first and last syllables, for those inside it.
_BURMESE_SYLLABLES = tuple((re.compile(a), b) for a, b in (
    (r"ky|gy|j", "ch"), (r"(?:ay|ey|ae|ai)(?![aeiounk])", "e"), (r"a(?=y[aeiou])", "e"),
    ("oe", "o"), (r"ar(?![aeiou])", "a"), (r"(?<=[^aeiou]y)it(?![aeiou])", "in"),
    (r"int(?![aeiou])", "in")))


def _burmese_spelling(latin):
    """A Latin word as romanised Burmese, syllables inside it too ('seinji', 'seingyi'; 'zayar',
    'zeyar'), without voicing: a syllable's consonant is voiced after another (ရတနာ Yadanar)
    or not (Nati), as the typist hears it."""
    for pattern, replacement in _BURMESE_SYLLABLES:
        latin = pattern.sub(replacement, latin)
    return re.sub(r"(?<!n)g", "k", romanised(latin).replace("d", "t").replace("b", "p"))


@lru_cache(maxsize=16384)
def burmese_key(latin):
    """The term under which a Latin word is found among Burmese names' sounds: 'my:' and its
    skeleton when that is long enough to tell names apart (vowels do not matter: Yadanar,
    Yadana), else 'my.' and its syllable_key, vowels kept (Than is not Thein). None for a
    word too short to search for."""
    if not latin.isalpha():
        return None
    spelling = _burmese_spelling(latin)
    if not _short(spelling):
        return "my:" + skeleton(spelling)
    plain = syllable_key(spelling)
    return "my." + plain if len(plain) >= 2 else None


def _short(spelling):
    """Whether a Burmese spelling is one syllable, or too few consonants to tell apart."""
    return (len(re.findall("[aeiou]+", spelling)) == 1
            or len(skeleton(spelling)) < SHORT_SKELETON)


@lru_cache(maxsize=16384)
def _pair_key(a, b):
    """Two short syllables typed apart, each kept by its vowels: 'Than Than' never finds
    သိန်းသိန်း, which 'Thanthan', too few consonants to tell, does."""
    a, b = _burmese_spelling(a), _burmese_spelling(b)
    if not (a.isalpha() and b.isalpha() and _short(a) and _short(b)):
        return None
    return "my." + syllable_key(a) + "+" + syllable_key(b)


def query_sound_terms(words, i):
    """Terms under which word i of a Latin query may be found among names' sounds: its
    skeleton, or that of it written together with a neighbour; its burmese_key (also with
    the t of an initial Ht it may have lost: Het for Htet), or that of the pair it makes with
    a neighbour."""
    word = words[i]
    keys = [skeleton(word)] if word.isalpha() and len(word) >= 3 else []
    neighbours = [(words[i - 1], word)] if i > 0 else []
    neighbours += [(word, words[i + 1])] if i + 1 < len(words) else []
    keys += [skeleton(a + b) for a, b in neighbours]
    keys = [k for k in keys if len(k) >= MIN_SKELETON and k.isalpha()]
    with_t = dropped_t(word)
    keys += map(burmese_key, [word] + ([with_t] if with_t and with_t[:2] == "ht" else []))
    for a, b in neighbours:
        key = _pair_key(a, b) or burmese_key(a + b)
        # A neighbour that adds no consonant ('Yadana Aye') must not stand for the word.
        if key not in (burmese_key(a), burmese_key(b)):
            keys.append(key)
    return [k for k in dict.fromkeys(keys) if k]


def conventional_names(profile):
    """Native place names of a country profile -> (the English name's words, the words of its
    other spellings)."""
    names = {}
    for province in profile.provinces:
        main = latin_words(province.name("en"))
        others = [w for alias in province.aliases for w in latin_words(alias)]
        for lang in ("km", "my"):
            native = prepare(province.name(lang) or "")
            if native and main:
                names[native] = (main, others)
    return names
