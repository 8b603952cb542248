"""What someone typed, turned into sets of matching agencies, in rank order. Input is text,
never query syntax: every term looked up was made by analysis.py or sounds.py.

Ranking, best first (DESIGN section 7, issues 4 and 14), each tier without the agencies of
the tiers before it:
1. an identifier: licence number (also with O for 0, I for 1, leading zeros dropped), phone
   number or its last 6 to 8 digits, declared page or account;
2. a whole name or alias, as typed give or take spaces, case, accents and legal form, then
   with its words in another order;
3. a name that begins with the typed words, or the typed run of Khmer or Burmese;
4. every typed word (and the Khmer or Burmese run) in one of the names;
5. the same with the Khmer or Burmese words in any order;
6. the same with other romanisations of the Latin words (Angkhor for Angkor);
7. Latin words that sound like a Khmer or Burmese name (Phkay Samnang for ផ្កាយសំណាង);
8. a representative's (broker's) whole name, then every word of it.
Within a tier, agencies come in index order (the indexer writes short names first). Only when
all of that finds nothing are words completed and typos forgiven: Latin words within one or
two edits, Khmer and Burmese runs within one or two letters or signs.
"""
import re
from dataclasses import dataclass, field

from ..normalise import channel_key, clean_text, licence_key, looks_like_phone, phone_key
from ..zawgyi import to_unicode
from .analysis import (analyse_name, approximate_find, bag_key, edit_distance,
                       licence_query_keys, loose_pairs, max_edits, phone_tail_query, prepare,
                       script_segments, similarity,
                       unit_pairs, variant_of, zawgyi_to_unicode)
from .snapshot import members, most_shared, page
from .sounds import query_sound_terms

MAX_QUERY = 200
_BURMESE = re.compile("[\u1000-\u109f]")
#: Words after these are ignored: nobody types a whole address into search.
MAX_WORDS = 8
#: Agencies a misspelt Khmer or Burmese query, and a lookalike search, look at closely: those
#: sharing most pairs (or words) with it. Comparing costs ~0.1 ms an agency.
MISSPELT_CANDIDATES = 40
LOOKALIKE_CANDIDATES = 50
#: How alike two names must be (shared words, or analysis.similarity) to be called lookalikes.
LOOKALIKE = 0.5
#: Tiers that hold what was typed: identifier, whole name (as typed, in any order), beginning,
#: words, words in any order.
AS_TYPED = 6
#: Where the tier of sounds (7 above) is in the list `tiers` returns.
SOUNDS = AS_TYPED + 1


@dataclass
class Results:
    total: int
    agency_ids: list
    #: False when nothing matched as typed and these are other spellings, sounds or typos.
    exact: bool = True
    #: True when the index is being rebuilt and only identifiers were looked up.
    degraded: bool = False


@dataclass
class Typed:
    """A query, analysed once."""
    ids: set = field(default_factory=set)
    key: str = ""
    bag: str = ""
    words: list = field(default_factory=list)
    units: list = field(default_factory=list)
    #: The units of each word typed between spaces, looked for in any order.
    segments: list = field(default_factory=list)

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
    words, units, key = analyse_name(text)
    return Typed(ids=identifier_keys(text, region), key=key, bag=bag_key(words, units),
                 words=words[:MAX_WORDS], units=units,
                 segments=script_segments(text)[:MAX_WORDS])


def identifier_keys(text, region):
    """What `text` would be if it were a licence number (typed with the usual slips), a
    phone number or the end of one, or a page address."""
    keys = {licence_key(text), *licence_query_keys(text), phone_tail_query(text)}
    if looks_like_phone(text):
        keys.add(phone_key(text, region))
        if not text.lstrip().startswith("+"):  # a country code typed without its plus
            keys.add(phone_key("+" + re.sub(r"\D", "", text), region))
    if text and " " not in text:
        keys.add(channel_key("website", text, region))
    return keys - {"", None}


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


def _sounds(snap, words, i, field="sounds", prefix=""):
    """Agencies whose Khmer or Burmese name (or, with field 'people', a representative's
    name) sounds like word i."""
    return snap.any_of((field, prefix + k) for k in query_sound_terms(words, i))


def _run(snap, units, prefix=None):
    """Agencies with this run of Khmer or Burmese units in one of their names (with a
    `prefix`: in one of their representatives' names)."""
    def term(text):
        return snap.term("people", prefix + text) if prefix else snap.term("pairs", text)
    if len(units) == 1:
        return term(units[0])
    return snap.all_of(term(p) for p in dict.fromkeys(unit_pairs(units)))


def tiers(snap, typed):
    """Document sets of the tiers (overlapping; see ranked)."""
    found = [snap.any_of(("ids", k) for k in sorted(typed.ids)),
             snap.term("keys", typed.key) if typed.key else 0,
             snap.term("keys", typed.bag) if typed.bag else 0]
    words, units = typed.words, typed.units
    if not words and not units:
        return found
    head = "".join(words) if not units else "" if words else "|" + "".join(units)
    found.append(snap.term("heads", head) if head else 0)
    run = [_run(snap, units)] if units else []
    anywhere = ([_run(snap, segment) for segment in typed.segments]
                if typed.segments != [units] else run)
    same = [snap.any_of(_as_typed(words, i)) for i in range(len(words))]
    found.append(snap.all_of(same + run))
    found.append(snap.all_of(same + anywhere))
    spelt = [bits | snap.any_of(_spellings(snap, words[i], False))
             for i, bits in enumerate(same)]
    found.append(snap.all_of(spelt + anywhere))
    sounds = [bits | _sounds(snap, words, i) for i, bits in enumerate(spelt)]
    found.append(snap.all_of(sounds + anywhere) if words else 0)
    return found + _people(snap, typed)


def _people(snap, typed):
    """Agencies with a representative of this whole name; then with every word of it in
    their representatives' names."""
    words = typed.words
    parts = [snap.term("people", "w:" + w) | _sounds(snap, words, i, "people", "~")
             for i, w in enumerate(words)]
    parts += [_run(snap, segment, "u:") for segment in typed.segments]
    return [snap.term("people", "=" + typed.key) if typed.key else 0,
            snap.all_of(parts) if parts else 0]


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
        sets = tiers(snap, reading) if reading else []
        if only is not None:
            sets = [bits & only for bits in sets]
        exact = any(sets[:AS_TYPED])
        if any(sets) and not exact and reading.words and not reading.units:
            # Only sounds or a broker's name matched: a Latin word one typo away from a
            # name's is the likelier meaning ('Sovannaphun'), so it comes before them.
            allowed = snap.live if only is None else only
            sets.insert(SOUNDS, allowed & _misspelt_words(snap, reading.words))
        found = ranked(sets)
        total = sum(bits.bit_count() for bits in found)
        if total:
            return Results(total, snap.agency_ids(page(found, offset, limit)), exact=exact)
    if not typed.words and not typed.units:
        return Results(0, [])
    allowed = snap.live if only is None else only
    if typed.words:
        allowed &= _misspelt_words(snap, typed.words)
    if not typed.units:
        return Results(allowed.bit_count(), snap.agency_ids(page([allowed], offset, limit)),
                       exact=False)
    docnums = _misspelt_run(snap, typed, allowed)
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
    """Agencies with every word, completed, within a typo or two, or sounding like it."""
    return snap.all_of(snap.any_of(_as_typed(words, i) + _spellings(snap, words[i], True))
                       | _sounds(snap, words, i) for i in range(len(words)))


def _unit_sets(snap, units):
    """Agencies with each pair of the units, with and without vowel signs."""
    return [snap.term("pairs", p) for p in dict.fromkeys(unit_pairs(units) + loose_pairs(units))]


def _misspelt_run(snap, typed, allowed):
    """Document numbers of agencies in `allowed` with a name holding the typed run give or
    take one letter or sign (two from six units on), best first. Several Khmer or Burmese
    words are looked for each on its own, in any order; those typed right narrow the
    candidates. Candidates are the agencies sharing the most pairs of units, or of their
    first letters (counted on document sets: no posting walks); each is then compared unit
    by unit ( មិតភាព for មិត្តភាព) and letter by letter (a missing subscript sign splits a
    cluster: អបសរា for អប្សរា)."""
    segments = typed.segments if len(typed.segments) > 1 else [typed.units]
    found = [_run(snap, s) for s in segments]
    allowed = snap.all_of([allowed] + [bits for bits in found if bits])
    narrowed = len(segments) > 1 and any(found)
    # Alone, a run of one or two letters within an edit would be found in almost any name.
    if not allowed or not narrowed and len("".join(segments[0])) < 3:
        return []
    result = None
    for units in (s for s, bits in zip(segments, found) if not bits):
        letters, edits = "".join(units), 1 if len(units) < 6 else 2
        sets = _unit_sets(snap, units)
        close = {}
        # An edit changes at most three pairs and three pairs of first letters.
        for docnum in most_shared(sets, allowed, MISSPELT_CANDIDATES,
                                  least=len(sets) - 6 * edits):
            # Fewest edits first, then the name with least besides what was typed.
            distance = min((_distance(units, letters, name_units, edits),
                            len(name_units) - len(units))
                           for _, name_units in snap.stored(docnum)["names"] if name_units)
            if distance[0] <= edits:
                close[docnum] = distance
        result = close if result is None else {
            d: (result[d][0] + e[0], result[d][1]) for d, e in close.items() if d in result}
    return sorted(result or (), key=lambda d: (result[d], d))


def _distance(units, letters, name_units, edits):
    """Edits between the typed run and the closest run of a name: unit by unit, else (a
    missing subscript splits a cluster) letter by letter, which costs more."""
    by_unit = approximate_find(units, name_units, edits)
    if by_unit <= 1:
        return by_unit
    return min(by_unit, approximate_find(letters, "".join(name_units), edits))


def lookalikes(snap, text, region, limit):
    """Licensed agencies whose names look like `text`: a broker often borrows one. Ids, most
    alike first. Candidates share the most typed words (any spelling) or pairs of units."""
    typed = analyse(text, region)
    words, units = typed.words, typed.units
    sets = [snap.any_of(_as_typed(words, i) + _spellings(snap, words[i], True))
            | _sounds(snap, words, i) for i in range(len(words))]
    sets += _unit_sets(snap, units)
    if not sets:
        return []
    alike = []
    # Dice over words or pairs of at least LOOKALIKE needs about half of them shared.
    for rank, docnum in enumerate(most_shared(sets, snap.term("status", "licensed"),
                                              LOOKALIKE_CANDIDATES, least=len(sets) // 2)):
        stored = snap.stored(docnum)
        score = max((_alike(words, units, name_words, name_units)
                     for name_words, name_units in stored["names"]), default=0.0)
        if score >= LOOKALIKE:
            alike.append((-score, rank, stored["agency_id"]))
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
