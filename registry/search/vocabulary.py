"""The Latin words of the index, and the ways a typed word can reach them.

A query word is expanded, before Whoosh sees it, to the indexed words that are other
romanisations of it (same skeleton), that it begins (typed halfway) or that are a typo or two
away. Expanding against the vocabulary (a few thousand words even at 100k agencies) costs
microseconds; Whoosh's FuzzyTerm would walk the term list for every query.
"""
from bisect import bisect_left
from collections import defaultdict
from itertools import combinations

from .analysis import edit_distance, max_edits, skeleton, variant_of
from .romanisation import dropped_t, romanised

#: At most this many indexed words stand in for one typed word (the most frequent first).
MAX_EXPANSIONS = 12


class Vocabulary:
    def __init__(self, frequencies):
        """`frequencies`: (word, number of agencies that have it)."""
        self.frequency = dict(frequencies)
        self.sorted = sorted(self.frequency)
        self.by_skeleton = defaultdict(list)
        for word in self.sorted:
            self.by_skeleton[_bucket(word)].append(word)
        self._deletions = None

    def __contains__(self, word):
        return word in self.frequency

    def _best(self, words):
        return sorted(words, key=lambda w: (-self.frequency[w], w))[:MAX_EXPANSIONS]

    def variants(self, word):
        """Indexed words that are other romanisations of `word` (Het's are among Htet's)."""
        same = [w for form in filter(None, (word, dropped_t(word)))
                for w in self.by_skeleton.get(_bucket(form), ())]
        return self._best({w for w in same if w != word and variant_of(word, w)})

    def completions(self, word):
        """Indexed words that `word` begins: someone stopped typing, or wrote a stem."""
        if len(word) < 3:
            return []
        found, i = [], bisect_left(self.sorted, word)
        while i < len(self.sorted) and self.sorted[i].startswith(word):
            if self.sorted[i] != word:
                found.append(self.sorted[i])
            i += 1
        return self._best(found)

    def near(self, word):
        """Indexed words within max_edits(word) typos of `word`, closest first."""
        limit = max_edits(word)
        if not limit:
            return []
        candidates = set()
        index = self._deletion_index()
        for deleted in _deletions(word, limit):
            candidates.update(index.get(deleted, ()))
        scored = sorted((edit_distance(word, w, limit), -self.frequency[w], w)
                        for w in candidates if w != word)
        return [w for d, _, w in scored if d <= limit][:MAX_EXPANSIONS]

    def _deletion_index(self):
        # Symmetric deletion (SymSpell): two words within n edits share a string made by
        # deleting at most n letters from each. Built on first use: only misspelt queries need it.
        if self._deletions is None:
            index = defaultdict(list)
            for word in self.sorted:
                if len(word) >= 3 and word.isalpha():
                    for deleted in _deletions(word, 2 if len(word) >= 5 else 1):
                        index[deleted].append(word)
            self._deletions = index
        return self._deletions


def _bucket(word):
    """Where a word's romanisations are: the same romanised first letter and skeleton."""
    return romanised(word)[:1], skeleton(word)


def _deletions(word, n):
    found = {word}
    for k in range(1, n + 1):
        if len(word) - k < 2:
            break
        found.update("".join(word[i] for i in range(len(word)) if i not in gone)
                     for gone in combinations(range(len(word)), k))
    return found
