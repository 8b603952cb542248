"""How names, licence numbers and phone numbers become search terms. Pure functions, no Whoosh.

Latin text is case- and accent-folded into words. Khmer is cut into orthographic syllable
clusters (a base letter with its subscripts, vowels and signs) and Burmese into syllables: a
Khmer or Burmese typist may or may not put spaces between words, and Whoosh's own tokenizer
splits both scripts at every vowel sign. Spaces and zero-width spaces never change the units,
so any run of units inside a name can find it.
"""
import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache

import icu

from ..normalise import clean_text
from .romanisation import onset_and_rhyme, romanised

#: Bump when a change here (or in romanisation.py or sounds.py) changes the terms a name or
#: number is indexed under: indexes built by another version are rebuilt at start.
VERSION = 3

# -- preparing text ------------------------------------------------------------------------------

# The Burmese letters wa and ra look exactly like the digits zero and seven, and typists use
# either; next to a Burmese letter or sign, and not to another digit, they are letters.
_MY_DIGIT_AS_LETTER = re.compile(
    r"(?<![\u1040-\u1049])[\u1040\u1047](?![\u1040-\u1049])"
    r"(?:(?<=[\u1000-\u103f][\u1040\u1047])|(?=[\u1000-\u103f]))")
_MY_LETTER_FOR_DIGIT = {"\u1040": "\u101d", "\u1047": "\u101b"}


def prepare(text):
    """The text a comparison key is made from: normalise.clean_text (NFKC, ASCII digits, no
    invisible characters, single spaces), after the Burmese letters typed as digits are put
    back. Zawgyi conversion happens before this, at the doors and in search.query."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = _MY_DIGIT_AS_LETTER.sub(lambda m: _MY_LETTER_FOR_DIGIT[m.group()], text)
    return clean_text(text)


_local = threading.local()


def zawgyi_to_unicode(text):
    """`text` read as Zawgyi, whatever the detector says (registry.zawgyi.to_unicode converts
    only what it is sure of). ICU transliterators are not shared across threads."""
    if not hasattr(_local, "zawgyi"):
        _local.zawgyi = icu.Transliterator.createInstance("Zawgyi-my")
    return _local.zawgyi.transliterate(text)


# -- Latin ---------------------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"[0-9a-z]+")
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "æ": "ae", "œ": "oe",
                       "þ": "th", "'": None, "\u2019": None, "\u02bc": None})
#: Words of a company's legal form: every agency has them, so they tell agencies apart not at
#: all, and people leave them out or spell them differently.
LEGAL_LATIN = frozenset("co ltd limited company plc inc llc corp corporation pte sdn bhd the and "
                        "of".split())


def fold(text):
    """Case- and accent-folded: 'Sántépheap' and 'SANTEPHEAP' are the same word."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_FOLD)


def latin_words(text):
    """Folded Latin words, legal-form words dropped unless nothing else is left."""
    words = _LATIN_WORD.findall(fold(prepare(text)))
    return [w for w in words if w not in LEGAL_LATIN] or words


def joins(words):
    """Adjacent words written together: 'Phnom Penh' is also 'phnompenh'."""
    return [a + b for a, b in zip(words, words[1:])]


_VOWELS = "aeiouy"
#: Skeletons shorter than this ('Chey' ch-y, 'Thein' th-n) cannot tell names apart alone.
SHORT_SKELETON = 3


@lru_cache(maxsize=65536)
def skeleton(word):
    """A comparison key that romanisations of one Khmer word or Burmese name share: Angkor and
    Angkhor, Santepheap and Santipheap, Sovann and Sovan, Sokha and Sokhar, Apsara and Absara;
    Kyaw and Chaw, Hlaing and Laing, Htun and Tun (see romanised).

    Romanisers add or drop h after consonants, double consonants, write c for k, b for p and
    v for w, add a silent r after a vowel and a plural s, and disagree on every vowel. What is
    left is the first letter and the consonants. Words with digits are their own key.
    """
    if not word.isalpha():
        return word
    w = romanised(word)
    w = re.sub(r"c(?!h)", "k", w)  # Bassac, Basak
    w = w[0] + w[1:].replace("h", "")
    w = re.sub(r"(.)\1+", r"\1", w).replace("b", "p").replace("v", "w")
    if len(w) > 3 and w.endswith("s"):
        w = w[:-1]
    w = re.sub(r"(?<=[aeiouy])r(?=[^aeiouy]|$)", "", w)
    w = w[0] + "".join(c for c in w[1:] if c not in _VOWELS)
    return re.sub(r"(.)\1+", r"\1", w)


def edit_distance(a, b, limit=None):
    """Damerau-Levenshtein distance (optimal string alignment: a swap of neighbours is one
    edit, as in the typo 'Angkro'). With `limit`, any distance above it is `limit + 1`."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1
    distance = current[len(b)]
    return distance if limit is None else min(distance, limit + 1)


def variant_of(word, other):
    """Same skeleton and, romanised, first letter. Short skeletons ('Chey', 'Pich', 'Thein')
    also need the romanised words close (or 'Meas' would be a spelling of 'Moha') and, when
    both end in a rhyme a Burmese name can end in, the same consonants before the vowel and
    the same rhyme: Thane is Thein, Than is not, and Myint is not Min. An initial Ht may have
    lost its t (Het, Htet)."""
    if word == other:
        return True
    return (_same_word(word, other) or _lost_its_t(word, other) or _lost_its_t(other, word))


def _lost_its_t(word, other):
    # Het and Htet, Hein and Htein; not Het and Tet, nor Hein and Thein.
    return (re.match(r"h[aeiou]", word) is not None and other.startswith("ht")
            and _same_word("t" + word[1:], other[1:]))


def _same_word(word, other):
    a, b = romanised(word), romanised(other)
    if a[:1] != b[:1]:
        return False
    key = skeleton(word)
    if key != skeleton(other):
        return False
    if len(key) >= SHORT_SKELETON or a == b:
        return True
    (onset_a, rhyme_a), (onset_b, rhyme_b) = onset_and_rhyme(a), onset_and_rhyme(b)
    return (edit_distance(a, b, 2) <= 2 and onset_a == onset_b
            and (rhyme_a is None or rhyme_b is None or rhyme_a == rhyme_b))


def max_edits(word):
    """Typos allowed in a word: none in short words, where one edit makes another name."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


# -- Khmer and Burmese ---------------------------------------------------------------------------

_KHMER_BASE = "\u1780-\u17b3\u17dc"
_KHMER_CLUSTER = re.compile(
    rf"[{_KHMER_BASE}](?:\u17d2[\u1780-\u17b3]|[\u17b4-\u17d1\u17d3\u17dd])*")
_KHMER_COENG_RO = "\u17d2\u179a"
# Sequences that look the same as one vowel sign: Unicode asks for the single sign.
_KHMER_COMPOSED = {"\u17c1\u17b6": "\u17c4", "\u17c1\u17b8": "\u17be"}
# Letters typists use for one another: the two forms of the vowel O, and a deprecated QA.
_KHMER_SAME = str.maketrans({"\u17b2": "\u17b1", "\u17a3": "\u17a2", "\u17b4": None,
                             "\u17b5": None})


def _khmer_rank(mark):
    if mark in "\u17c9\u17ca":
        return 0  # register shifters
    if mark == "\u17cc":
        return 1  # robat
    if "\u17b6" <= mark <= "\u17c5":
        return 2  # vowels
    return 3


@lru_cache(maxsize=65536)
def khmer_cluster(cluster):
    """One cluster in a single order: subscripts first (subscript RO last, the order Unicode
    asks for and the one typists most often get wrong: ស្រ្តី for ស្ត្រី), then register
    shifter, robat, vowels, other signs."""
    cluster = cluster.translate(_KHMER_SAME)
    if not cluster:
        return ""
    base, rest = cluster[0], cluster[1:]
    subscripts = re.findall(r"\u17d2[\u1780-\u17b3]", rest)
    marks = re.sub(r"\u17d2[\u1780-\u17b3]", "", rest).replace("\u17d2", "")
    subscripts.sort(key=lambda s: s == _KHMER_COENG_RO)
    marks = "".join(sorted(dict.fromkeys(marks), key=lambda m: (_khmer_rank(m), m)))
    for pair, single in _KHMER_COMPOSED.items():
        marks = marks.replace("".join(sorted(pair, key=lambda m: (_khmer_rank(m), m))), single)
    return base + "".join(subscripts) + marks


_MY_LETTER = re.compile(
    "[\u1000-\u102a\u103f\u104c-\u104f\u1050-\u1055\u105a-\u105d\u1061\u1065\u1066"
    "\u106e-\u1070\u1075-\u1081\u108e]")
_MY_MARK = re.compile(
    "[\u102b-\u1038\u103a-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d"
    "\u1071-\u1074\u1082-\u108d\u108f\u109a-\u109d]")
_MY_ORDER = {c: i for i, c in enumerate(
    "\u103b\u103c\u103d\u103e\u1031\u102d\u102e\u1032\u102f\u1030\u102b\u102c\u1036\u103a"
    "\u1037\u1038")}
_MY_STACK = "\u1039"
_MY_ASAT = "\u103a"


def burmese_letters(run):
    """(letter, its marks in one order, whether a stacker follows) for a Burmese run."""
    letters, i = [], 0
    while i < len(run):
        ch = run[i]
        i += 1
        if not _MY_LETTER.match(ch):
            continue
        marks = ""
        while i < len(run) and _MY_MARK.match(run[i]):
            marks += run[i]
            i += 1
        stacked = i < len(run) and run[i] == _MY_STACK
        i += stacked
        marks = "".join(sorted(dict.fromkeys(marks), key=lambda m: _MY_ORDER.get(m, 99)))
        letters.append((ch, marks, stacked))
    return letters


def burmese_syllables(run):
    """Syllables of a Burmese run: a new one starts at each letter, except a letter killed
    by asat or stacked (below the one before it, or with one below it): ကုမ္ပ ဏီ, မင်္ဂ လာ."""
    syllables, after_stack = [], False
    for letter, marks, stacked in burmese_letters(run):
        unit = letter + marks + (_MY_STACK if stacked else "")
        killed = marks.startswith(_MY_ASAT) or stacked
        if syllables and (after_stack or killed) and "\u1023" > letter:
            syllables[-1] += unit
        else:
            syllables.append(unit)
        after_stack = stacked
    return syllables


# Abbreviated legal forms, recognised by their dots before the dots are lost.
_LEGAL_ABBREVIATION = re.compile(r"ឯ\s*\.\s*ក(?![\u17b6-\u17dd])")


def _script_run_units(text):
    units = []
    for run in re.findall(r"[\u1780-\u17ff\u19e0-\u19ff]+|[\u1000-\u109f]+|[^\W\d_a-zA-Z]", text):
        if "\u1780" <= run[0] <= "\u19ff":
            units += [u for u in map(khmer_cluster, _KHMER_CLUSTER.findall(run)) if u]
        elif "\u1000" <= run[0] <= "\u109f":
            units += burmese_syllables(run)
        elif not fold(run).isascii() or not fold(run):
            # Any other script: one letter a unit, so that such a name still finds itself.
            units.append(run)
    return units


def script_units(text):
    """Khmer clusters and Burmese syllables of the whole text in order, across spaces, with
    legal-form words dropped unless nothing else is left. Letters of other non-Latin scripts
    are units of one letter."""
    text = prepare(text)
    return (_drop_legal(_script_run_units(_LEGAL_ABBREVIATION.sub(" ", text)))
            or _script_run_units(text))


def _drop_legal(units):
    kept, i = [], 0
    while i < len(units):
        for legal in _LEGAL_UNITS:
            if units[i:i + len(legal)] == legal:
                i += len(legal)
                break
        else:
            kept.append(units[i])
            i += 1
    return kept


#: Legal-form words in Khmer and Burmese (company, Co. Ltd., limited, private, corporation), as
#: units, so that any typing order of their marks is recognised.
LEGAL_NATIVE = ("ក្រុមហ៊ុន", "ខូអិលធីឌី", "លីមីធីត", "ឯកជន", "ကုမ္ပဏီ", "လီမိတက်",
                "ကော်ပိုရေးရှင်း")
_LEGAL_UNITS = sorted(map(_script_run_units, LEGAL_NATIVE), key=len, reverse=True)


def unit_pairs(units):
    """Overlapping pairs of units: all the pairs of a query inside a name means the query's
    run of syllables is in the name."""
    return [a + "+" + b for a, b in zip(units, units[1:])]


def script_segments(text):
    """The script units of each word typed between spaces: a Khmer or Burmese typist may put
    a name's words in another order ('សុវណ្ណ ជ្រើសរើសបុគ្គលិក'), and each word is then looked
    for on its own."""
    words = [_drop_legal(_script_run_units(_LEGAL_ABBREVIATION.sub(" ", word)))
             for word in prepare(text).split(" ")]
    words = [units for units in words if units]
    return words or ([script_units(text)] if script_units(text) else [])


def loose_pairs(units):
    """Pairs of neighbouring units' first letters (a Khmer cluster's consonant, a Burmese
    syllable's first letter): a typo in a vowel sign or a subscript keeps them, so they
    find the candidates for a misspelt run."""
    return ["~" + a[:1] + "+" + b[:1] for a, b in zip(units, units[1:])]


def approximate_find(needle, haystack, limit):
    """Fewest edits (unit inserted, dropped or changed) that turn `needle` into some run of
    `haystack`, or `limit + 1`: a misspelt Khmer or Burmese query still finds its name."""
    if not needle:
        return 0
    row = [0] * (len(haystack) + 1)  # a run may start anywhere: the first row costs nothing
    for i, unit in enumerate(needle, 1):
        previous, row = row, [i] + [0] * len(haystack)
        for j, other in enumerate(haystack, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (unit != other))
        if min(row) > limit:
            return limit + 1
    return min(min(row), limit + 1)


# -- whole names and identifiers ------------------------------------------------------------------

def name_key(text):
    """What two spellings of one whole name have in common: folded Latin words and script
    units, spaces and legal form removed. 'Angkor Manpower Co., Ltd.' and 'angkor manpower'."""
    return analyse_name(text)[2]


def bag_key(words, units):
    """A name's words and units in one order: the same name with its words in another order
    ('HR Services Mekong', 'មេគង្គ សេវាធនធានមនុស្ស') has the same bag."""
    return "bag:" + " ".join(sorted(words)) + "|" + " ".join(sorted(units)) if words or units else ""


def analyse_name(text):
    """(Latin words, script units, name key) of a name."""
    words, units = latin_words(text), script_units(text)
    key = "".join(words) + "|" + "".join(units) if words or units else ""
    return words, units, key


def licence_keys(number):
    """The licence number without spaces, dashes or case, and its tails from each group on:
    people leave out the country and ministry ('2024-0012' for 'KH-MLVT-2024-0012'). A last
    group alone ('0012') is too short to name one licence. Each also without the leading
    zeros of its number groups ('2024 12'), which people drop."""
    groups = re.findall(r"[^\W_]+", clean_text(number).upper())
    keys = set()
    for parts in (groups, _unpadded(groups)):
        keys.update("".join(parts[i:]) for i in range(max(1, len(parts) - 1)))
    keys.discard("")
    return keys


def _unpadded(groups):
    return [g.lstrip("0") or "0" if g.isdigit() else g for g in groups]


_LOOKS_LIKE_DIGIT = str.maketrans("OIL", "011")


def licence_query_keys(text):
    """What a typed licence number may be: as typed, with the letters O and I (or l) next to
    digits read as 0 and 1 ('2025-O121'), and without the leading zeros of its groups."""
    groups = re.findall(r"[^\W_]+", clean_text(text).upper())
    fixed = [re.sub(r"(?<=\d)[OIL]+|[OIL]+(?=\d)", lambda m: m.group().translate(
        _LOOKS_LIKE_DIGIT), g) if any(c.isdigit() for c in g) else g for g in groups]
    keys = {"".join(groups), "".join(fixed), "".join(_unpadded(fixed))}
    keys.discard("")
    return keys


#: A phone is found by its last digits too ('692810'): people remember the end of a number.
PHONE_TAILS = (6, 7, 8)


def phone_tails(key):
    digits = re.sub(r"\D", "", key or "")
    return ["tel~" + digits[-n:] for n in PHONE_TAILS if len(digits) > n]


def phone_tail_query(text):
    """The index term for a query of 6 to 8 digits alone, or None."""
    digits = re.sub(r"[\s.-]", "", clean_text(text))
    return "tel~" + digits if digits.isdigit() and 6 <= len(digits) <= 8 else None


def similarity(a, b):
    """Dice coefficient of the pairs of neighbouring items of two sequences (letters of a
    Latin name, units of a Khmer or Burmese one): 1.0 for the same name, near 0 for unrelated
    ones. Ranks lookalike names."""
    if not a or not b:
        return 0.0
    pa = [tuple(a[i:i + 2]) for i in range(len(a) - 1)] or [tuple(a)]
    pb = [tuple(b[i:i + 2]) for i in range(len(b) - 1)] or [tuple(b)]
    common = sum((Counter(pa) & Counter(pb)).values())
    return 2 * common / (len(pa) + len(pb))
