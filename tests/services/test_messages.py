"""services.messages: a text message's answer, in the sender's language, within two SMS
segments, with a receipt; help for anything else; a limit per sender that stores no sender."""
import shutil
import time
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from registry import search, sms
from registry.extensions import db
from registry.i18n import format_day
from registry.models import UnmatchedSearch, Verification
from registry.services import agencies, clearances, messages
from registry.zawgyi import is_zawgyi, to_unicode, to_zawgyi

from ..conftest import BOTH_COUNTRIES, agency_row, limits_on
from ..test_index_healing import HEALED_WITHIN

LANGS = ("en", "km", "my")
REF = "V-20261129-7KQ2M9"
LICENCE = "MOL-OEA-2021-000031"
#: Longer than any name on record: every answer must still fit, cut.
LONG_NAMES = {
    "en": "Golden Mekong International Human Resources Development and Overseas Employment "
          "Services Co., Ltd.",
    "km": "ក្រុមហ៊ុន ធនធានមនុស្ស អន្តរជាតិ មេគង្គមាស អភិវឌ្ឍន៍ និងការងារក្រៅប្រទេស ឯ.ក",
    "my": "ရွှေမဲခေါင် အပြည်ပြည်ဆိုင်ရာ လူ့စွမ်းအား အရင်းအမြစ် ဖွံ့ဖြိုးရေးနှင့် ပြည်ပ အလုပ်အကိုင် "
          "ဝန်ဆောင်မှု ကုမ္ပဏီ လီမိတက်",
}
ASCII_NAMES = {"en": LONG_NAMES["en"], "km": "", "my": ""}


def longest_day(year=2027):
    """The day whose written form is longest in the current language (month names differ)."""
    return max((date(year, month, 28) for month in range(1, 13)),
               key=lambda day: len(format_day(day)))


def receipt(status, reason, names=LONG_NAMES, also=()):
    return {"query": {"licence": LICENCE}, "status": status, "reference": REF,
            "also_matches": list(also),
            "agency": {"licence_number": LICENCE, "name": names, "status_reason": reason}}


def every_receipt(day):
    """One stored answer per status as shown (wording.shown_answer), with the dates it names."""
    d = day.isoformat()
    yield receipt("licensed", {"kind": "licence", "since": "2025-01-01", "until": d})
    yield receipt("licensed", {"kind": "licence", "since": "2025-01-01", "until": d},
                  also=["KH-1", "KH-2"])
    yield receipt("suspended", {"kind": "suspension", "since": d, "until": d})
    yield receipt("suspended", {"kind": "suspension", "since": d, "until": None})
    yield receipt("revoked", {"kind": "revocation", "since": d, "until": None})
    yield receipt("expired", {"kind": "licence", "since": d, "until": None})
    yield receipt("not_licensed", {"kind": "licence", "since": None, "until": d})
    yield receipt("not_licensed", {"kind": "no_licence", "since": None, "until": None})


def every_answer(day):
    for answer in every_receipt(day):
        yield messages.single(answer, "licence"), [LICENCE, REF]
        yield messages.single(answer, "licence", str(messages.CLOSEST) + " "), [LICENCE, REF]
    unknown = {"query": {"phone": "+855 12 345 678 901 234 567"}, "agency": None,
               "reference": REF}
    yield messages.single(unknown, "phone"), [REF, messages.hotline()]
    for airable in (True, False):
        answer = receipt("licensed", {"kind": "licence", "since": None, "until": None})
        answer["clearance"] = {"number": "KH-AD-2026-000042", "airable": airable,
                               "valid_to": day.isoformat()}
        yield messages.single(answer, "clearance"), ["KH-AD-2026-000042", REF]
    items = [{"licence_number": LICENCE, "name": LONG_NAMES, "status": status}
             for status in ("licensed", "revoked", "not_licensed")]
    yield messages.several({"items": items, "reference": REF}, 999), [LICENCE, REF]
    yield messages.fitted(messages.NO_NAME, shrink={"query": LONG_NAMES["my"]}), \
        [messages.hotline()]
    for template in (messages.REPAIRING, messages.HELP, messages.TOO_MANY):
        yield messages.fitted(template), [messages.hotline()]


@BOTH_COUNTRIES
@pytest.mark.parametrize("lang", LANGS)
def test_every_answer_fits_in_two_segments_and_keeps_what_it_must(ctx, lang):
    with force_locale(lang):
        answers = list(every_answer(longest_day()))
    assert len(answers) == 24
    for text, kept in answers:
        assert sms.fits(text), (sms.units(text), text)
        for part in kept:
            assert part in text, (part, text)


@BOTH_COUNTRIES
def test_english_answers_about_latin_names_are_gsm_7(ctx):
    """A UCS-2 character would halve what an English answer may hold."""
    with force_locale("en"):
        for answer in every_receipt(longest_day()):
            answer["agency"]["name"] = ASCII_NAMES
            text = messages.single(answer, "licence")
            assert sms.encoding(text) == "gsm7", text


def test_a_list_names_the_first_three_in_english_and_as_many_as_fit_otherwise(ctx):
    items = [{"licence_number": f"KH-MLVT-2025-000{n}", "name": LONG_NAMES, "status": "licensed"}
             for n in (1, 2, 3)]
    shown = {}
    for lang in LANGS:
        with force_locale(lang):
            text = messages.several({"items": items, "reference": REF}, 12)
        shown[lang] = sum(item["licence_number"] in text for item in items)
        assert "12" in text and REF in text
    assert shown["en"] == 3 and shown["km"] >= 1 and shown["my"] >= 1


# The registry the answers below read.
TODAY = date.today()


def iso(days):
    return (TODAY + timedelta(days=days)).isoformat()


@pytest.fixture
def registry(ctx, load):
    load(agencies=[
        agency_row("KH-A-0001", "Angkor Manpower Co., Ltd.", name_km="ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ",
                   name_my="အင်္ကော လုပ်သားအင်အား ကုမ္ပဏီ", phones="+855 12 777 888"),
        agency_row("KH-A-0002", "Angkor Workers Services", expires=iso(400)),
        agency_row("KH-R-0001", "Bassac Recruitment", issued="2020-01-01"),
        agency_row("KH-E-0001", "Expired Labour Co.", issued="2020-01-01", expires="2021-12-31"),
    ], sanctions=[
        {"licence_number": "KH-R-0001", "kind": "revocation", "decided_on": iso(-30),
         "effective_from": iso(-30), "state": "in_force", "decision_ref": "D-1"},
    ])
    return ctx


def reply_of(text, **kw):
    reply = messages.answer(text, **kw)
    assert reply.text is None or sms.fits(reply.text), reply.text
    return reply


def stored(reference):
    return db.session.scalars(select(Verification).where(
        Verification.reference == reference)).one()


def test_a_licence_number_gets_its_status_today_and_the_receipt_that_says_it(registry):
    reply = reply_of("kh-a 0001")
    assert reply.lang == "km"  # Cambodia's default, for a number in Latin letters
    assert reply.reference and reply.reference in reply.text
    assert "ក្រុមហ៊ុន អង្គរ" in reply.text and "KH-A-0001" in reply.text
    record = stored(reply.reference)
    assert (record.status, record.verified, record.query_kind) == ("licensed", True, "licence")
    with force_locale("en"):
        english = reply_of("EN KH-A-0001").text
    assert english.startswith("Angkor Manpower Co., Ltd. (KH-A-0001): licensed until")


@pytest.mark.parametrize("text, words", [
    ("EN KH-R-0001", ["Bassac Recruitment", "REVOKED on"]),
    ("EN KH-E-0001", ["ENDED on", "Dec 31, 2021"]),
    ("EN +855 12 777 888", ["Angkor Manpower", "licensed until"]),
    ("EN KH-Z-9999", ["KH-Z-9999: NO LICENCE on record", "Hotline 1297"]),
    ("EN 099 000 111", ["099 000 111: NO LICENCE on record", "Hotline 1297"]),
])
def test_each_kind_of_number_is_answered_with_a_receipt(registry, text, words):
    reply = reply_of(text)
    assert reply.lang == "en" and reply.reference in reply.text
    for word in words:
        assert word in reply.text
    assert stored(reply.reference).query_text == text[3:]


def test_a_zawgyi_name_is_answered_in_burmese(registry):
    reply = reply_of(to_zawgyi("အင်္ကော လုပ်သားအင်အား"))
    assert reply.lang == "my"
    assert "KH-A-0001" in reply.text and "အင်္ကော" in to_unicode(reply.text)[0]


def test_a_name_of_several_agencies_lists_them_and_how_to_narrow(registry):
    reply = reply_of("EN angkor")
    assert reply.text.startswith("2 agencies match: 1) Angkor")
    assert "KH-A-0001" in reply.text and "KH-A-0002" in reply.text
    assert "Send a licence number to check one." in reply.text
    batch = stored(reply.reference)
    assert batch.query_kind == "batch" and len(batch.answer["items"]) == 2


def test_a_name_only_like_one_on_record_says_so(registry):
    reply = reply_of("EN Bassac Recruitmant")
    assert reply.text.startswith("Not this exact name. Closest: Bassac Recruitment (KH-R-0001)")


def test_a_name_that_matches_nothing_is_a_lead_and_carries_the_hotline(registry):
    reply = reply_of("EN Mekong Dragon Brokers", sender="+855 97 111 2222")
    assert reply.reference is None
    assert reply.text.startswith('No agency named "Mekong Dragon Brokers" on record.')
    assert "Hotline 1297" in reply.text
    assert db.session.scalar(select(func.sum(UnmatchedSearch.count))) == 1
    assert db.session.scalar(select(func.count(Verification.id))) == 0


@pytest.mark.parametrize("text", [
    None, "", "   ", 12345, b"KH-A-0001", "\x00\x01\x02\x7f", "?", "\u200b\u200b", "KM", "Hello",
    "A" * 481, "KH-A-0001 " * 60, "<script>alert(1)</script>", "'; DROP TABLE agency; --",
    "{{7*7}}", "$(reboot)", "😀😀😀",
])
def test_empty_binary_huge_or_hostile_messages_get_the_help_text(registry, text):
    reply = reply_of(text, sender="+855 97 111 2222")
    assert reply.reference is None
    with force_locale(reply.lang):
        assert reply.text == messages.fitted(messages.HELP)
    assert db.session.scalar(select(func.count(Verification.id))) == 0
    assert db.session.scalar(select(func.count(UnmatchedSearch.id))) == 0


def test_a_clearance_number_says_whether_the_advert_may_be_aired(registry, officers):
    agency, _ = agencies.by_licence_number("KH-A-0001")
    clearance = clearances.draft(agency, {
        "number": "KH-AD-7", "job_title": "Factory workers", "destination": "TH", "workers": 10,
        "worker_fee": 0, "fee_currency": "", "valid_from": TODAY - timedelta(days=1),
        "valid_to": TODAY + timedelta(days=30), "media": ["radio"]}, officers["clerk"])
    clearances.approve(clearance, clearance.version, officers["approver"])
    with force_locale("en"):
        reply = reply_of("EN KH-AD-7")
        until = format_day(TODAY + timedelta(days=30))
    assert reply.text.startswith(f"Advert KH-AD-7 of Angkor Manpower Co., Ltd. is approved until "
                                 f"{until}.")
    assert stored(reply.reference).query_kind == "clearance"


@pytest.fixture
def limited(registry):
    with limits_on(registry, REGISTRY_LIMIT_MESSAGES="3 per hour"):
        yield registry


def test_a_sender_over_the_limit_is_told_once_then_not_answered(limited):
    for _ in range(3):
        assert reply_of("EN KH-A-0001", sender="+855 97 111 2222").reference
    with force_locale("en"):
        assert reply_of("EN KH-A-0001", sender="+855 97 111 2222").text == \
            messages.fitted(messages.TOO_MANY)
    assert reply_of("EN KH-A-0001", sender="+855 97 111 2222").text is None
    assert db.session.scalar(select(func.count(Verification.id))) == 3
    # Another sender, and the command line (no sender), are not held back.
    assert reply_of("EN KH-A-0001", sender="+855 97 333 4444").reference
    assert reply_of("EN KH-A-0001").reference


def test_nothing_about_the_sender_is_kept(limited, caplog):
    for text in ("EN KH-A-0001", "EN Mekong Dragon Brokers", "EN 099 000 111", "help"):
        reply_of(text, sender="+855 97 111 2222")
    dump = "\n".join(str(row) for table in db.metadata.sorted_tables
                     for row in db.session.execute(table.select()))
    for form in ("97 111 2222", "971112222", "+855971112222"):
        assert form not in dump and form not in caplog.text
    assert messages.sender_key("+855 97 111 2222") not in dump


def test_a_sender_who_types_zawgyi_is_answered_in_zawgyi(registry):
    """Their phone renders Zawgyi: Unicode Burmese would reach them as garbled letters."""
    for typed in ("အင်္ကော လုပ်သားအင်အား", "MY KH-A-0001", "အကူအညီ"):
        unicode_reply = reply_of(typed)
        zawgyi_reply = reply_of(to_zawgyi(typed)) if is_zawgyi(to_zawgyi(typed)) else None
        if zawgyi_reply is None:  # a keyword and a number: no Burmese letters to tell by
            continue
        assert zawgyi_reply.lang == "my" and is_zawgyi(zawgyi_reply.text)
        assert sms.fits(zawgyi_reply.text)
        expected = unicode_reply.text.replace(unicode_reply.reference or "-", "")
        converted = to_unicode(zawgyi_reply.text)[0].replace(zawgyi_reply.reference or "-", "")
        assert converted == expected


def test_a_name_while_the_index_is_rebuilt_is_not_called_unknown(registry):
    """Only identifiers can be looked up (in the database) then: a name that finds nothing
    is not "no agency named …", and is not counted as a lead."""
    shutil.rmtree(registry.config["REGISTRY_INDEX_DIR"])
    reply = reply_of("EN Bassac Recruitment")
    assert reply.text.startswith("Names cannot be searched just now.")
    assert db.session.scalar(select(func.count(UnmatchedSearch.id))) == 0
    assert "KH-R-0001" in reply_of("EN KH-R-0001").text
    # The rebuild runs in a thread reading the database: let it end before the tables are
    # emptied (on PostgreSQL, its reads and the next test's TRUNCATE would deadlock).
    deadline = time.monotonic() + HEALED_WITHIN
    while search.query("Bassac Recruitment").degraded and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not search.query("Bassac Recruitment").degraded
