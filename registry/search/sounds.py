"""Khmer and Burmese names as they sound in Latin letters: 'Phkay Samnang' for ផ្កាយសំណាង.

People who cannot type Khmer write a name by ear, and not the way the agency spells it in
English (if it has an English name that sounds like its Khmer one at all). Each Khmer word of a
name is romanised by a table close to UNGEGN (ICU has no Khmer-Latin transliterator; its
dictionary word break cuts a run of Khmer written without spaces into words), Burmese by ICU's
Myanmar-Latin, and the words are indexed by their analysis.skeleton: the first letter and the
consonants, which is what romanisations by ear agree on. Province names keep the conventional
spellings of the country profile (Kratie for ក្រចេះ), which no table would give.
"""
import re
import threading

import icu

from .analysis import LEGAL_NATIVE, burmese_syllables, fold, latin_words, prepare, skeleton

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


def _breaker():
    if not hasattr(_local, "khmer"):
        _local.khmer = icu.BreakIterator.createWordInstance(icu.Locale("km"))
        _local.burmese = icu.Transliterator.createInstance("Myanmar-Latin")
    return _local


def khmer_words(run):
    """A run of Khmer written without spaces, cut into words by ICU's dictionary."""
    breaker = _breaker().khmer
    breaker.setText(run)
    bounds = [0, *breaker]
    return [run[a:b] for a, b in zip(bounds, bounds[1:]) if run[a:b].strip()]


def sound_words(text, conventional=None):
    """(Latin words that a Khmer or Burmese name sounds like, in order; other spellings of its
    place names). `conventional`: native place names -> (their English name's words, their
    other spellings' words), from the country profile."""
    text = _LEGAL.sub(" ", prepare(text))
    conventional = conventional or {}
    pieces = re.split("(" + "|".join(map(re.escape, sorted(conventional, key=len, reverse=True)))
                      + ")", text) if conventional else [text]
    words, others = [], []
    for piece in pieces:
        if piece in conventional:
            words += conventional[piece][0]
            others += conventional[piece][1]
            continue
        for run in _SCRIPT_RUN.findall(piece):
            if run[0] >= "\u1780":
                words += [khmer_latin(w) for w in khmer_words(run)]
            else:
                words += [_breaker().burmese.transliterate(s) for s in burmese_syllables(run)]
    return [w for w in (re.sub(r"[^a-z]", "", fold(w)) for w in words) if w], others


def sound_terms(words, others=()):
    """Index terms for Latin words: the skeleton of each, and of each two written together."""
    keys = [skeleton(w) for w in [*words, *others]]
    keys += [skeleton(a + b) for a, b in zip(words, words[1:])]
    return {k for k in keys if len(k) >= MIN_SKELETON}


def query_sound_terms(words, i):
    """Terms under which word i of a Latin query may be found among names' sounds: its
    skeleton, or that of it written together with a neighbour."""
    word = words[i]
    keys = [skeleton(word)] if word.isalpha() and len(word) >= 3 else []
    if i > 0:
        keys.append(skeleton(words[i - 1] + word))
    if i + 1 < len(words):
        keys.append(skeleton(word + words[i + 1]))
    return [k for k in keys if len(k) >= MIN_SKELETON and k.isalpha()]


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
