"""Burmese typed in the Zawgyi font encoding, detected and converted to Unicode.

Many Burmese phones still type Zawgyi: the same bytes as Unicode Burmese, meaning different
letters. Google's detector (myanmartools) scores the text; ICU's Zawgyi-my transliterator
(Google's converter, maintained in ICU) converts it. Unicode text is never altered.
"""
import re
import threading

import icu
from myanmartools import ZawgyiDetector

#: Above this probability the text is treated as Zawgyi (the detector's documented cut-off).
THRESHOLD = 0.95
_MYANMAR = re.compile(r"[\u1000-\u109f]")
_local = threading.local()
_detector = ZawgyiDetector()


def _converter():
    # ICU transliterators are not shared across threads: one per thread.
    if not hasattr(_local, "converter"):
        _local.converter = icu.Transliterator.createInstance("Zawgyi-my")
    return _local.converter


def is_zawgyi(text):
    return bool(text and _MYANMAR.search(text)
                and _detector.get_zawgyi_probability(text) > THRESHOLD)


def to_unicode(text):
    """(text in Unicode, whether it was converted)."""
    if is_zawgyi(text):
        return _converter().transliterate(text), True
    return text, False


def to_zawgyi(text):
    """Unicode to Zawgyi (ICU's my-Zawgyi): the answer to a text message typed in Zawgyi
    (services.messages), and what tests send as such a phone would."""
    return icu.Transliterator.createInstance("my-Zawgyi").transliterate(text)
