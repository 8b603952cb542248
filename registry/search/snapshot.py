"""One generation of the index as a worker searches it: the Whoosh searcher, the vocabularies
of its words and syllable pairs, and the sets of documents that terms match.

Matching is done on those sets, kept as Python integers (bit n set: document n matches):
intersecting 'angkor' with 'manpower' at 100k agencies is then two machine-speed operations,
and an exact count is a popcount, where walking Whoosh's posting lists in Python took tens of
milliseconds. A term's set is read from its posting list once per index segment and kept
(SegmentSets, LRU-bounded). Segments never change, so the sets outlive the generation: after a
write, only the write's small new segment is read; documents deleted since are masked out.
"""
import threading
import weakref
from collections import OrderedDict
from functools import cached_property

from .vocabulary import Vocabulary

#: Document sets kept per process; at 100k agencies each takes at most 12.5 KB.
CACHED_TERMS = 8192


class SegmentSets:
    """(segment, field, term) -> the segment's documents with that term, as an int."""

    def __init__(self, capacity=CACHED_TERMS):
        self.capacity = capacity
        self._sets = OrderedDict()
        self._lock = threading.Lock()

    def get(self, reader, field, text):
        segment = reader.segment()
        key = (segment.segment_id() if segment else id(reader), field, text)
        with self._lock:
            if key in self._sets:
                self._sets.move_to_end(key)
                return self._sets[key]
        bitmap = bytearray(reader.doc_count_all() // 8 + 1)
        if (field, text) in reader:
            for docnum in posting_ids(reader.postings(field, text)):
                bitmap[docnum >> 3] |= 1 << (docnum & 7)
        bits = int.from_bytes(bitmap, "little")
        with self._lock:
            self._sets[key] = bits
            if len(self._sets) > self.capacity:
                self._sets.popitem(last=False)
        return bits


def posting_ids(matcher):
    """The document numbers of a posting list. Whoosh's all_ids() makes three method calls a
    posting; reading its w3 codec's blocks (whoosh-reloaded 2.7.5, pinned) takes a quarter of
    the time, which is most of a first search on a common syllable at 100k agencies."""
    if not hasattr(matcher, "_read_ids"):
        yield from matcher.all_ids()
        return
    while not matcher._atend:
        matcher._read_ids()
        yield from matcher._ids
        matcher._next_block()


class Snapshot:
    def __init__(self, searcher, sets=None, files=None, generation=None):
        self.searcher = searcher
        #: What the page cache keys search answers by (pagecache.py).
        self.generation = generation
        #: {file: [size, time]} of its segments, as integrity.check saw them.
        self.files = files or {}
        self.size = searcher.doc_count_all()
        self.leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        self.sets = sets or SegmentSets()
        # Files are read, not mapped (index.py): the last reference closes them. Not __del__:
        # in a collected cycle (an app torn down) the files' own finalisers may run first and
        # warn of unclosed files; a weakref callback runs before any of them.
        weakref.finalize(self, searcher.close)

    # -- vocabularies ----------------------------------------------------------------------------
    def _terms(self, field):
        decode = self.searcher.schema[field].from_bytes
        return ((decode(text), info.doc_frequency())
                for text, info in self.searcher.reader().iter_field(field))

    @cached_property
    def vocabulary(self):
        """The Latin words of the index."""
        return Vocabulary(self._terms("words"))

    @cached_property
    def by_name(self):
        """Every live document number, by English name."""
        names = self.searcher.reader().column_reader("sort_name")
        return sorted(members(self.live, 0, self.size), key=lambda d: (names[d], d))

    # -- document sets ---------------------------------------------------------------------------
    def term(self, field, text):
        """The set of (live) documents that have `text` in `field`."""
        bits = 0
        for reader, offset in self.leaves:
            bits |= self.sets.get(reader, field, text) << offset
        return bits & self.live

    def any_of(self, terms):
        bits = 0
        for field, text in terms:
            bits |= self.term(field, text)
        return bits

    def all_of(self, sets):
        """Intersection of document sets (an iterable of ints); everything if empty."""
        bits = None
        for other in sets:
            bits = other if bits is None else bits & other
            if not bits:
                return 0
        return self.live if bits is None else bits

    @cached_property
    def live(self):
        """Every document that is not deleted."""
        bits = 0
        for reader, offset in self.leaves:
            if reader.has_deletions():
                bitmap = bytearray(reader.doc_count_all() // 8 + 1)
                for docnum in reader.all_doc_ids():
                    bitmap[docnum >> 3] |= 1 << (docnum & 7)
                bits |= int.from_bytes(bitmap, "little") << offset
            else:
                bits |= ((1 << reader.doc_count_all()) - 1) << offset
        return bits

    # -- results ---------------------------------------------------------------------------------
    def agency_ids(self, docnums):
        return [self.searcher.stored_fields(docnum)["agency_id"] for docnum in docnums]

    def stored(self, docnum):
        return self.searcher.stored_fields(docnum)


def members(bits, skip, take):
    """Document numbers in `bits`, lowest first, after skipping `skip` of them."""
    found = []
    binary = bin(bits)[:1:-1]  # bit 0 first
    position = binary.find("1")
    while position >= 0 and len(found) < take:
        if skip:
            skip -= 1
        else:
            found.append(position)
        position = binary.find("1", position + 1)
    return found


def most_shared(sets, allowed, limit, least=1):
    """Up to `limit` document numbers of `allowed` that are in the most of `sets` (at least
    `least`, and one), most first. Counted on whole sets: at_least[k] holds the documents
    in k of them."""
    at_least = [allowed] + [0] * len(sets)
    for bits in sets:
        for k in range(len(sets), 0, -1):
            at_least[k] |= at_least[k - 1] & bits
    found, taken = [], 0
    for bits in reversed(at_least[max(1, least):]):
        found += members(bits & ~taken, 0, limit - len(found))
        taken |= bits
        if len(found) >= limit:
            break
    return found


def page(tiers, offset, limit):
    """Document numbers offset..offset+limit of tiers (disjoint sets, best first)."""
    found = []
    for bits in tiers:
        count = bits.bit_count()
        if offset >= count:
            offset -= count
            continue
        found += members(bits, offset, limit - len(found))
        offset = 0
        if len(found) >= limit:
            break
    return found
