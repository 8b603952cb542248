"""What someone typed, turned into sets of matching agencies, in rank order. Input is text,
never query syntax: every term looked up was made by analysis.py.

Ranking, best first (DESIGN section 7, issue 4):
1. an identifier: licence number, phone number, declared page or account;
2. a whole name or alias, as typed give or take spaces, case, accents and legal form;
3. every typed word (or run of Khmer or Burmese syllables) in one of the names, in any order;
4. the same with other romanisations of the words (Angkhor for Angkor).
Within a tier, agencies come in index order (the indexer writes short names first). Only when
all of that finds nothing are words completed and typos forgiven: Latin words within one or
two edits, Khmer and Burmese runs within one or two syllables.
"""
import re
from dataclasses import dataclass, field

from whoosh.query import Or, Term

from ..normalise import channel_key, clean_text, licence_key, looks_like_phone, phone_key
from ..zawgyi import to_unicode
from .analysis import (approximate_find, edit_distance, latin_words, max_edits, name_key,
                       prepare, script_units, similarity, unit_pairs, variant_of,
                       zawgyi_to_unicode)
from .snapshot import members, page

MAX_QUERY = 200
_BURMESE = re.compile("[\u1000-\u109f]")
#: Words after these are ignored: nobody types a whole address into search.
MAX_WORDS = 8
#: Agencies a misspelt Khmer or Burmese query, or a lookalike search, looks at closely.
CANDIDATES = 200
#: How alike two names must be (shared words, or analysis.similarity) to be called lookalikes.
LOOKALIKE = 0.5


@dataclass
class Results:
    total: int
    agency_ids: list
    #: False when nothing matched as typed and these are other spellings or typos.
    exact: bool = True


@dataclass
class Typed:
    """A query, analysed once."""
    ids: set = field(default_factory=set)
    key: str = ""
    words: list = field(default_factory=list)
    units: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.ids or self.words or self.units)


def typed_query(raw):
    """(The query as it is searched and shown; whether it was typed in Zawgyi). Zawgyi is
    converted first (normalising first would read some Zawgyi letters as Shan digits), then
    Burmese letters typed as digits are put back (analysis.prepare), then it is cut."""
    text, converted = to_unicode(str(raw)[:MAX_QUERY * 2])
    return prepare(text)[:MAX_QUERY], converted


def analyse(text, region):
    text, _ = typed_query(text)
    return Typed(ids=identifier_keys(text, region), key=name_key(text),
                 words=latin_words(text)[:MAX_WORDS], units=script_units(text))


def identifier_keys(text, region):
    """What `text` would be if it were a licence number, a phone number or a page address."""
    keys = {licence_key(text)}
    if looks_like_phone(text):
        keys.add(phone_key(text, region))
        if not text.lstrip().startswith("+"):  # a country code typed without its plus
            keys.add(phone_key("+" + re.sub(r"\D", "", text), region))
    if text and " " not in text:
        keys.add(channel_key("website", text, region))
    keys.discard("")
    return keys


# -- document sets -----------------------------------------------------------------------------

def _as_typed(words, i):
    """Terms that are word i as typed: alone, or written together with a neighbour."""
    word = words[i]
    terms = [("words", word), ("joins", word)]
    if i > 0:
        terms.append(("words", words[i - 1] + word))
    if i + 1 < len(words):
        terms.append(("words", word + words[i + 1]))
    return terms


def _spellings(snap, word, typos):
    """Indexed words that are `word` spelt another way (and, with `typos`, completed or
    misspelt)."""
    vocabulary = snap.vocabulary
    found = vocabulary.variants(word)
    if typos:
        found += vocabulary.completions(word) + vocabulary.near(word)
    return [("words", w) for w in found]


def _run(snap, units):
    """Agencies with this run of Khmer or Burmese units in one of their names."""
    if len(units) == 1:
        return snap.any_of([("pairs", units[0])]
                           + [("pairs", p) for p in snap.pairs_of_unit.get(units[0], ())])
    return snap.all_of(snap.term("pairs", p) for p in dict.fromkeys(unit_pairs(units)))


def tiers(snap, typed):
    """Document sets of tiers 1 to 4 (overlapping; see ranked)."""
    found = [snap.any_of(("ids", k) for k in sorted(typed.ids)),
             snap.term("keys", typed.key) if typed.key else 0]
    words, units = typed.words, typed.units
    if not words and not units:
        return found
    run = [_run(snap, units)] if units else []
    same = [snap.any_of(_as_typed(words, i)) for i in range(len(words))]
    found.append(snap.all_of(same + run))
    spelt = [bits | snap.any_of(_spellings(snap, words[i], False))
             for i, bits in enumerate(same)]
    found.append(snap.all_of(spelt + run))
    return found


def ranked(sets):
    """Each set without the agencies of the sets before it."""
    seen, result = 0, []
    for bits in sets:
        result.append(bits & ~seen)
        seen |= bits
    return result


def filtered(snap, status=None, province=None, destination=None):
    terms = [(name, value) for name, value in (("status", status), ("province", province),
                                               ("destinations", destination)) if value]
    return snap.all_of(snap.term(*t) for t in terms) if terms else None


# -- running -----------------------------------------------------------------------------------

def run(snap, text, region, limit, offset=0, **filter_values):
    """Agency ids in rank order (best first), and how many matched."""
    limit = max(1, min(int(limit), 100))
    only = filtered(snap, **filter_values)
    typed = analyse(text, region)
    if not typed:
        if clean_text(text) and only is None:
            return Results(0, [])
        return _by_name(snap, snap.live if only is None else only, offset, limit)
    for reading in (typed, _as_zawgyi(text, region)):
        found = ranked(tiers(snap, reading)) if reading else []
        if only is not None:
            found = [bits & only for bits in found]
        total = sum(bits.bit_count() for bits in found)
        if total:
            return Results(total, snap.agency_ids(page(found, offset, limit)),
                           exact=any(found[:3]))
    if not typed.words and not typed.units:
        return Results(0, [])
    allowed = snap.live if only is None else only
    if typed.words:
        allowed &= _misspelt_words(snap, typed.words)
    if not typed.units:
        return Results(allowed.bit_count(), snap.agency_ids(page([allowed], offset, limit)),
                       exact=False)
    docnums = _misspelt_run(snap, typed.units, allowed)
    return Results(len(docnums), snap.agency_ids(docnums[offset:offset + limit]), exact=False)


def _as_zawgyi(text, region):
    """The query read as Zawgyi, when it has Burmese letters and that reading differs. The
    detector cannot tell a word or two of Zawgyi from Unicode (မဂၤလာ could be either), so a
    Burmese query that finds nothing is tried once more this way."""
    if not _BURMESE.search(text):
        return None
    converted = zawgyi_to_unicode(text)
    return analyse(converted, region) if converted != text else None


def _by_name(snap, bits, offset, limit):
    """Every agency in `bits`, by English name: the registry as a list."""
    if bits == snap.live:
        docnums = snap.by_name
    else:
        wanted = set(members(bits, 0, bits.bit_count()))
        docnums = [d for d in snap.by_name if d in wanted]
    return Results(len(docnums), snap.agency_ids(docnums[offset:offset + limit]))


def _misspelt_words(snap, words):
    """Agencies with every word, completed or within a typo or two."""
    return snap.all_of(snap.any_of(_as_typed(words, i) + _spellings(snap, words[i], True))
                       for i in range(len(words)))


def _misspelt_run(snap, units, allowed):
    """Document numbers of agencies in `allowed` with a name holding the run of units give or
    take one or two units, best first. Candidates are the agencies sharing the most pairs of
    units with it (Whoosh's BM25 over the pairs); each is then checked syllable by syllable."""
    edits = 0 if len(units) < 3 else 1 if len(units) < 6 else 2
    if not edits or not allowed:
        return []
    pairs = Or([Term("pairs", p) for p in dict.fromkeys(unit_pairs(units))])
    return [hit.docnum for hit in snap.searcher.search(pairs, limit=CANDIDATES)
            if allowed >> hit.docnum & 1
            and any(approximate_find(units, name_units, edits) <= edits
                    for _, name_units in hit["names"])]


def lookalikes(snap, text, region, limit):
    """Licensed agencies whose names look like `text`: a broker often borrows one. Ids, most
    alike first."""
    typed = analyse(text, region)
    words, units = typed.words, typed.units
    terms = [t for i in range(len(words))
             for t in _as_typed(words, i) + _spellings(snap, words[i], True)]
    terms += [("pairs", p) for p in dict.fromkeys(unit_pairs(units))]
    if not terms:
        return []
    licensed = snap.term("status", "licensed")
    hits = snap.searcher.search(Or([Term(*t) for t in terms]), limit=CANDIDATES)
    alike = []
    for hit in hits:
        if not licensed >> hit.docnum & 1:
            continue
        score = max((_alike(words, units, name_words, name_units)
                     for name_words, name_units in hit["names"]), default=0.0)
        if score >= LOOKALIKE:
            alike.append((-score, hit.rank, hit["agency_id"]))
    return [agency_id for _, _, agency_id in sorted(alike)[:limit]]


def _alike(words, units, name_words, name_units):
    """How alike a typed name and an agency's name are, 0 to 1: shared words (allowing other
    romanisations and typos) for Latin, shared pairs of syllables for Khmer and Burmese."""
    scores = []
    if words and name_words:
        shared = sum(1 for w in words if any(_same_word(w, n) for n in name_words))
        scores.append(2 * shared / (len(words) + len(name_words)))
    if units and name_units:
        scores.append(similarity(units, name_units))
    return max(scores, default=0.0)


def _same_word(word, other):
    return (word == other or variant_of(word, other)
            or edit_distance(word, other, max_edits(word)) <= max_edits(word))
