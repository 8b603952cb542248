"""The index schema. Only registry/search/ imports Whoosh.

Text is analysed in Python (analysis.py) before it reaches Whoosh: every searchable field is a
comma-separated list of ready-made terms, so what is indexed and what is searched for are made
by the same pure functions. Fields are scorable so that Whoosh keeps their lengths (without
them it looks for a missing length file once per posting, and indexing crawls).

Matching, and picking the candidates for misspelt Khmer or Burmese and for lookalikes,
happens on sets of documents (snapshot.py); Whoosh stores the postings and the names.
"""
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, KEYWORD, NUMERIC, STORED, Schema


def _terms():
    return KEYWORD(lowercase=False, commas=True, scorable=True)


def make_schema():
    return Schema(
        # One term per agency (Whoosh would add 15 more for numeric ranges, unused here).
        agency_id=NUMERIC(stored=True, unique=True, bits=64, shift_step=0),
        licence_number=STORED,
        #: Licence numbers (and their tails), phones in E.164, declared channel keys.
        ids=_terms(),
        #: Each whole name and alias, reduced to analysis.name_key.
        keys=_terms(),
        #: Folded Latin words of every name and alias.
        words=_terms(),
        #: Neighbouring Latin words written together ('phnompenh').
        joins=_terms(),
        #: Pairs of neighbouring Khmer clusters or Burmese syllables ('អ+ង្គ'), each unit alone,
        #: and the pairs without vowel signs ('~អ+ង្គ'; analysis.loose_pairs).
        pairs=_terms(),
        #: Skeletons of the Latin words Khmer names sound like; 'my:' and 'my.' terms of those
        #: Burmese names sound like (sounds.py).
        sounds=_terms(),
        #: The first words or units of each name, written together (documents.head_keys).
        heads=_terms(),
        #: Representatives' names: '=' whole name key, 'w:' words, 'u:' units, '~' skeletons.
        people=_terms(),
        #: Per name: (Latin words, script units); for lookalikes and misspelt Khmer or Burmese.
        names=STORED,
        #: The English name, case-folded, as UTF-8: the order of the registry as a list.
        sort_name=COLUMN(VarBytesColumn()),
        status=_terms(),
        #: yyyymmdd of the day the stored status may go stale; see status.next_change.
        status_until=_terms(),
        province=_terms(),
        destinations=_terms(),
    )


def signature(schema):
    """What must match for an index on disk to be searched with this code: field names, types
    and settings. (Whoosh schemas do not compare equal after a round trip to disk: their column
    objects have no equality.)"""
    def settings(field):
        return sorted((k, v) for k, v in vars(field).items()
                      if isinstance(v, (bool, int, float, str, type(None))))
    return sorted((name, type(field).__name__, type(field.column_type).__name__, settings(field))
                  for name, field in schema.items())
