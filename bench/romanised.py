"""Burmese names as people in Myanmar write them by ear in Latin letters: the generated
'romanised' queries of bench/search.py --country MM.

A Myanmar agency's English name romanises its Burmese one ('Kyaw Swar' for ကျော်စွာ). There is
no one way to romanise Burmese, and someone who heard the name, or read it in Burmese, writes
the same sounds another common way: 'Chaw Swar', 'chawswar'. The query is the agency's English
name with those spellings put in; whether the registry still finds the agency is what the
labelled set's 'romanised' queries measure (bench/queries.json, "MM"); here it is how long it
takes.
"""
import re

#: The agency's spelling -> a common spelling by ear of the same Burmese syllable.
VARIANTS = {"kyaw": "chaw", "htet": "het", "thein": "thane", "hlaing": "laing", "myint": "myit",
            "gyi": "ji", "hsu": "su", "moe": "mo", "phyo": "pyo", "pyae": "pye",
            "yadanar": "yadana", "nadi": "nati", "win": "winn", "htoo": "tu"}
#: Romanised Burmese words of the generated names (bench/myanmar.py: brands and personal names),
#: each one or two syllables: two of them side by side may be written as one word ('Chawswar'),
#: an English word never is ('Manpower', 'Bago').
SYLLABLES = frozenset("""aung kyaw zaw min htet naing thein myint hlaing win tun soe moe hnin wai
    phyo khin mya su hsu zin thu ei phyu nwe cho lwin thant kyi myat yee nyein thiha htoo paing
    wunna shwe nadi thiri mo thazin yadanar pyi swar gyi nandar nay chi kaung ngwe taung pyae thuta
    zabu sin mon""".split()) | frozenset(VARIANTS.values())
#: How often a query writes two of its words together, and how often it is typed in lower case.
TOGETHER, LOWER = 0.35, 0.4


def respellable(name):
    """Whether a name has a word that people also spell another way."""
    return any(word.casefold() in VARIANTS for word in re.split(r"\s+", name))


def respell(rng, name, legal):
    """Two or three neighbouring words of `name` (one if it has no more; never its legal form:
    `legal(word)` says which words are), at least one of them spelt another way by ear and
    every such word re-spelt; now and then two Burmese words written together, or the whole
    typed in lower case. A syllable alone ('Tu', 'Mo') is no name anyone searches for."""
    words = [w for w in re.split(r"\s+", name) if w and not legal(w)]
    at = rng.choice([i for i, w in enumerate(words) if w.casefold() in VARIANTS])
    size = rng.randint(min(2, len(words)), min(3, len(words)))
    start = rng.randint(max(0, at - size + 1), min(at, len(words) - size))
    run = [_respelt(w) for w in words[start:start + size]]
    pairs = [i for i in range(len(run) - 1)
             if run[i].casefold() in SYLLABLES and run[i + 1].casefold() in SYLLABLES]
    if pairs and rng.random() < TOGETHER:
        i = rng.choice(pairs)
        run[i:i + 2] = [run[i] + run[i + 1].lower()]
    text = " ".join(run)
    return text.lower() if rng.random() < LOWER else text


def _respelt(word):
    other = VARIANTS.get(word.casefold())
    if other is None:
        return word
    return other.capitalize() if word[:1].isupper() else other
