"""Latin spellings of Burmese names, put in one spelling. Pure functions, no Whoosh.

A Burmese name is typed a syllable a word ('Kyaw Zin Htet'), and each syllable is spelt a few
common ways: an initial h left out (Hlaing, Laing; Htun, Tun; Hsu, Su), Ky, Gy, J and Ch for
one sound, its rhyme in several spellings (Thein, Thane, Thain; Pyae, Pye, Pyay). Unlike a
Khmer word, one Burmese syllable often differs from another name only by its vowel (Than,
Thein) or its medial y (Min, Myint), so rhymes are put in one spelling rather than dropped, and
only at the ends of a word: inside a Khmer word the same letters spell other sounds, which
analysis.skeleton ignores anyway.
"""
import re
from functools import lru_cache

_ONSETS = ((re.compile(r"^h(?=[lmnstw])"), ""),        # Hlaing, Hnin, Hsu, Htun
           (re.compile(r"^(?:ky|gy|j)"), "ch"),         # Kyi, Gyi, Ji, Chi
           # Ngwe is typed Nwe: "silver" then reads as the name Nwe, but a search that shows
           # both beats one that says "no licence" for the way it was typed.
           (re.compile(r"^ngw"), "nw"),
           (re.compile(r"^([^aeiou]+y)it$"), r"\1int"))  # Myit: Myint with its n left out
_LETTERS = ((re.compile("oo"), "u"), (re.compile("ee"), "i"),
            (re.compile(r"([a-gi-z])\1+"), r"\1"),     # Winn, Thann (Khmer's Chh stays)
            (re.compile(r"aw(?![aeiou])"), "au"))        # Kyaw, Kyau
#: Spellings of one rhyme at the end of a word -> the one kept (the first that matches).
#: A Khmer word's own endings (-eas, -ouk, -ich, -ei) are left as they are.
_RHYMES = tuple((re.compile(rf"(?:(?<=[^aeiou])|^)(?:{spellings})$"), rhyme)
                for spellings, rhyme in (
    ("aing|ine", "aing"), ("aik|ike", "aik"), ("aung", "aung"), ("auk", "auk"),
    ("ein|ane|ain|eyn", "ein"), ("eik", "eik"), ("int|in", "in"), ("an", "an"),
    # ုန်, ုံ (Phone, Ohn) and ွန် (Tun) are one rhyme by ear; so are Khmer's Sun, Son, Soun.
    ("ohn|one|oun|on|un", "un"), ("oke|ote", "ote"), ("et", "et"), ("at", "at"), ("it", "it"),
    ("ut", "ut"), ("au", "au"), ("oe|oh|o", "o"), ("ar|ah|a", "a"),
    ("ay|ey|ae|ai|eh|e", "e"), ("i", "i"), ("u", "u")))
_RHYME_ENDINGS = sorted({rhyme for _, rhyme in _RHYMES}, key=len, reverse=True)


@lru_cache(maxsize=65536)
def romanised(word):
    """A folded Latin word in one spelling of the ways Burmese names are romanised: Kyaw,
    Chaw and Kyau are 'chau'; Thein, Thane and Thain 'thein'; Hlaing and Hline 'laing';
    Myint, Myit and Myin 'myin'; Htoon and Tun 'tun'. A Khmer or English word keeps its
    consonants but for an initial J ('chey' for Jey); only its last vowels may change."""
    if not word.isalpha():
        return word
    for pattern, replacement in _ONSETS + _LETTERS:
        word = pattern.sub(replacement, word)
    for pattern, rhyme in _RHYMES:
        word, found = pattern.subn(rhyme, word)
        if found:
            break
    return word


def _unaspirated(spelling):
    # Typists add and drop the h of Th, Ht, Kh, Ph (skeleton drops it too); Sh is another sound.
    return re.sub(r"(?<=[^s])h", "", spelling)


def onset_and_rhyme(spelling):
    """(The consonants before the first vowel of a romanised word, without the h of
    aspirates; its rhyme if it ends in one a Burmese name can end in, else None.)"""
    plain = _unaspirated(spelling)
    onset = re.match(r"[^aeiou]*", plain).group()
    rhyme = next((r for r in _RHYME_ENDINGS if plain.endswith(r) and (
        len(plain) == len(r) or plain[-len(r) - 1] not in "aeiou")), None)
    return onset, rhyme


def syllable_key(word):
    """What the romanisations of a short Burmese name share: its romanised spelling without
    the h of aspirates (Th, Ht, Kh, Ph), which typists drop and add. Vowels stay: Than and
    Thein are two names."""
    return _unaspirated(romanised(word))


def dropped_t(word):
    """The word with the t of an initial Ht put back ('het' -> 'htet') or taken out ('htet' ->
    'het'): people write Htet as Het. Not a rule of romanised, which reads Ht as T (Htun, Tun):
    Het would then be Tet too, and Hein Thein."""
    if re.match(r"ht[aeiou]", word):
        return "h" + word[2:]
    if re.match(r"h[aeiou]", word):
        return "ht" + word[1:]
    return None
