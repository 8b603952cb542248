"""Text messages as a phone network counts and a reader writes them: pure functions, no Flask.

Length (3GPP TS 23.038): a message in the GSM 7-bit alphabet takes 160 characters in one
segment, 153 in each of a concatenated message's; anything else is sent as UCS-2 (UTF-16),
70 units in one segment, 67 in each of several. Two segments, the most an answer may take
(issue 11), hold 306 GSM characters or 134 UCS-2 units: every Khmer or Burmese answer is UCS-2.

Language (issue 11): the message's script decides (Khmer → km, Burmese in Unicode or Zawgyi →
my); a keyword first (EN, KM, MY) chooses; else the channel's hint, else the country's default.
"""
import math
import re
import unicodedata
from dataclasses import dataclass

#: GSM 03.38's default alphabet (one septet each) and its extension table (two: escape + char).
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
             "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = "^{}\\[~]|€\f"
_GSM = frozenset(GSM_BASIC + GSM_EXTENDED)
#: Two segments: the longest answer.
MAX_SEGMENTS = 2
SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}

KEYWORDS = {"EN": "en", "KM": "km", "MY": "my"}
HELP_WORDS = frozenset({"HELP", "?", "START", "HI", "HELLO", "ជំនួយ", "សួស្តី", "အကူအညီ",
                        "မင်္ဂလာပါ"})
_KHMER = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
_MYANMAR = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")


def encoding(text):
    return "gsm7" if set(text) <= _GSM else "ucs2"


def units(text):
    """How many units `text` takes in its encoding: septets, or UTF-16 code units."""
    if encoding(text) == "gsm7":
        return len(text) + sum(ch in GSM_EXTENDED for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text):
    kind, size = encoding(text), units(text)
    return 1 if size <= SINGLE[kind] else math.ceil(size / PART[kind])


def fits(text, limit=MAX_SEGMENTS):
    return segments(text) <= limit


def shorten(text, width):
    """`text` in at most `width` characters, cut between letters (never after a Khmer coeng or
    before a combining vowel), ending in an ellipsis the text's own encoding can send."""
    if len(text) <= width:
        return text
    mark = "..." if encoding(text) == "gsm7" else "…"
    cut = max(1, width - len(mark))
    while cut > 1 and (unicodedata.category(text[cut])[0] == "M"
                       or text[cut - 1] in "\u17d2\u1039"):
        cut -= 1
    return text[:cut].rstrip(" ,.-") + mark


def script_language(text):
    """'km' or 'my' when the text holds more of that script than of the other; else None."""
    khmer, myanmar = len(_KHMER.findall(text)), len(_MYANMAR.findall(text))
    if khmer > myanmar:
        return "km"
    if myanmar > khmer:
        return "my"
    return None


@dataclass(frozen=True)
class Reading:
    lang: str
    #: What to look up ('' when the message asks for help or holds nothing to look up).
    query: str


def read(text, default, hint=None):
    """The language and the question of a cleaned message (see the module's docstring)."""
    words = text.split(maxsplit=1)
    chosen = None
    if words and words[0].upper() in KEYWORDS:
        chosen, text = KEYWORDS[words[0].upper()], words[1] if len(words) > 1 else ""
    lang = chosen or script_language(text) or (hint if hint in KEYWORDS.values() else default)
    if text.strip().upper() in HELP_WORDS or text.startswith("/"):
        text = ""
    return Reading(lang, text.strip())
