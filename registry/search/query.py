"""Turning what someone typed into a Whoosh query. Input is text, never query syntax."""
from dataclasses import dataclass

from whoosh.query import And, Every, FuzzyTerm, Or, Term
from whoosh.sorting import FieldFacet, ScoreFacet

from ..normalise import clean_text, licence_key, looks_like_phone, phone_key
from .schema import latin_words, script_bigrams, word_grams

MAX_QUERY = 200


@dataclass
class Results:
    total: int
    agency_ids: list


def build(text, region):
    text = clean_text(text)[:MAX_QUERY]
    parts = []
    ids = {licence_key(text)}
    if looks_like_phone(text):
        ids.add(phone_key(text, region))
    ids.discard("")
    # An identifier match outranks any name match.
    parts += [Term("ids", i, boost=100.0) for i in ids]
    words = latin_words(text)
    if words:
        parts.append(And([Term("names", w) for w in words], boost=5.0))
        parts.append(And([And([Term("grams", g) for g in word_grams(w)]) for w in words],
                         boost=2.0))
        fuzzy = [FuzzyTerm("names", w, maxdist=1 if len(w) < 7 else 2, prefixlength=1)
                 for w in words if len(w) >= 4]
        if fuzzy:
            parts.append(And(fuzzy, boost=1.0))
    grams = script_bigrams(text)
    if grams:
        parts.append(And([Term("script", g) for g in grams], boost=3.0))
    return Or(parts) if parts else None


def filters(status=None, province=None, destination=None):
    terms = []
    if status:
        terms.append(Term("status", status))
    if province:
        terms.append(Term("province", province))
    if destination:
        terms.append(Term("destinations", destination))
    return And(terms) if terms else None


def run(searcher, text, region, limit, offset=0, **filter_values):
    """Agency ids in rank order (best first), and how many matched."""
    limit = max(1, min(int(limit), 100))
    only = filters(**filter_values)
    query = build(text, region)
    if query is None:
        if not text.strip() or only is not None:
            query = Every()
        else:
            return Results(0, [])
    sortedby = FieldFacet("sort_name") if isinstance(query, Every) else [
        ScoreFacet(), FieldFacet("sort_name")]
    # Ask for everything up to the end of the wanted slice, so any offset works (Whoosh pages
    # would round it to a page boundary and repeat the last page past the end).
    hits = searcher.search(query, limit=offset + limit, filter=only, sortedby=sortedby)
    return Results(len(hits), [hit["agency_id"] for hit in hits[offset:offset + limit]])
