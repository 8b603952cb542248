"""Index schema and analyzers. Only registry/search/ imports Whoosh."""
import re

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from ..normalise import clean_text

# Latin: case- and accent-folded words. Khmer and Burmese are handled as character bigrams
# below: Whoosh's default tokenizer breaks those scripts at every vowel sign.
LATIN = RegexTokenizer(r"[0-9a-zA-Z\u00c0-\u024f]+") | LowercaseFilter() | CharsetFilter(
    accent_map)
_SCRIPT_RUN = re.compile(r"[\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\uaa60-\uaa7f]+")


def latin_words(text):
    return [t.text for t in LATIN(clean_text(text))]


def script_bigrams(text):
    """Overlapping character pairs of each Khmer or Burmese run, spaces and zero-width spaces
    removed, so that any run of letters inside a name finds it however it was spaced."""
    joined = "".join(_SCRIPT_RUN.findall(clean_text(text).replace(" ", "")))
    if len(joined) == 1:
        return [joined]
    return [joined[i:i + 2] for i in range(len(joined) - 1)]


def word_grams(word, size=4):
    """Prefix and inner 4-grams of a Latin word: 'phnompenh' matches 'phnom' and 'penh'."""
    if len(word) <= size:
        return [word]
    return [word[i:i + size] for i in range(len(word) - size + 1)]


def make_schema():
    return Schema(
        agency_id=NUMERIC(stored=True, unique=True, bits=64),
        licence_number=STORED,
        # identifiers: licence keys, phone numbers in E.164, declared channel keys
        ids=KEYWORD(lowercase=False, commas=True),
        names=TEXT(analyzer=LATIN, phrase=False, field_boost=1.0),
        grams=KEYWORD(lowercase=False, commas=True),
        script=KEYWORD(lowercase=False, commas=True),
        sort_name=ID(sortable=True),
        status=ID(stored=True),
        #: yyyymmdd of the day the stored status may go stale; see status.next_change.
        status_until=ID(),
        province=ID(),
        destinations=KEYWORD(commas=True, lowercase=False),
    )
