"""Normalisation rules for what people type: licence numbers, phone numbers, names.

Pure functions. Comparison keys, never shown to anyone: the stored text keeps its spelling.
"""
import hashlib
import re
import unicodedata

import phonenumbers

# Every decimal digit Unicode has counts as that digit: Khmer ០-៩, Myanmar ၀-၉ and Shan, the
# fullwidth ０-９ some phone keyboards type, Thai... (issue 15: 'KH-MLVT-２０２５-０００１' must
# find the licence, not earn a signed "no licence" receipt). Planes 0 and 1 hold them all.
_DIGITS = {cp: str(unicodedata.decimal(chr(cp))) for cp in range(0x20000)
           if unicodedata.decimal(chr(cp), None) is not None}
# Invisible characters that Khmer and Burmese text carries between words; they never change
# what a name is.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def tidy_text(text):
    """What is stored: NFC, no control characters, single spaces. Zero-width spaces stay (they
    tell Khmer line breaking where words end); comparison keys drop them."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = "".join(ch if unicodedata.category(ch) != "Cc" else " " for ch in text)
    return " ".join(text.split())


def clean_text(text):
    """NFKC (fullwidth and other compatibility forms of letters and digits become the plain
    ones), ASCII digits, no invisible separators, single spaces, no control characters."""
    text = unicodedata.normalize("NFKC", str(text or "")).translate(INVISIBLE).translate(_DIGITS)
    if not text.isprintable():  # only then can it hold a control or format character
        text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def licence_key(text):
    """'kh-mlvt 2024/0012' and 'KHMLVT20240012' are the same licence."""
    return _NOT_ALNUM.sub("", clean_text(text)).upper()


def phone_key(text, region):
    """E.164 for a number that parses in the country profile's region, else its digits.

    '+855 12 345 678', '012 345 678' and '(0)12-345-678' all give '+85512345678'.
    """
    text = clean_text(text)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 6:
        return ""
    candidate = re.sub(r"\(0\)", "0", text)
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return digits
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return digits


def looks_like_phone(text):
    text = clean_text(text)
    digits = re.sub(r"\D", "", text)
    return len(digits) >= 8 and not re.search(r"[^\d\s+()./-]", text)


def channel_key(kind, value, region):
    if kind == "phone" or kind in ("viber",) and looks_like_phone(value):
        return phone_key(value, region)
    value = clean_text(value).lower()
    value = re.sub(r"^https?://(www\.|m\.)?", "", value).rstrip("/")
    return value.lstrip("@")


#: Shorter than this once normalised, an address says too little to tie two agencies together
#: ("Phnom Penh", "ភ្នំពេញ"): no key.
ADDRESS_MIN_LENGTH = 12


class _AddressDividers(dict):
    """str.translate's table for address keys, filled as characters are met (a table of all of
    Unicode would cost every start-up): letters, marks and digits stay (Khmer and Burmese
    vowels and subscripts are marks, which \\W would count as punctuation); zero-width spaces
    go; anything else (punctuation, symbols, spaces) divides words."""
    def __missing__(self, codepoint):
        char = chr(codepoint)
        self[codepoint] = char if unicodedata.category(char)[0] in "LMN" else " "
        return self[codepoint]


_ADDRESS_TABLE = _AddressDividers(dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff")))


def address_key(text):
    """Two head-office addresses written alike: NFC, case-folded, zero-width spaces dropped,
    punctuation and whitespace as one space. '' when too short to mean one place."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold().translate(_ADDRESS_TABLE)
    key = " ".join(text.split())
    return key if len(key) >= ADDRESS_MIN_LENGTH else ""


def address_digest(text):
    """address_key as stored and indexed: a digest (128 bits), because an address may be
    longer than an index entry may be (PostgreSQL's B-tree holds about 2,700 bytes, and a Khmer
    character takes three). '' when the address has no key."""
    key = address_key(text)
    return hashlib.sha256(key.encode()).hexdigest()[:32] if key else ""


def address_digests(addresses):
    """{digest: language} of [(language, address)]: an agency's addresses as compared, the
    first language kept when two of them are written alike."""
    digests = {}
    for lang, text in addresses:
        digest = address_digest(text)
        if digest:
            digests.setdefault(digest, lang)
    return digests
