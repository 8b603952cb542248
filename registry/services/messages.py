"""Answers to text messages: an SMS, a Telegram or Viber message, or the `message` command
(issue 11). One function, `answer`, turns what a person sent into a short answer in their
language, through the same search, status rule and receipts as the site; each channel is a
thin adapter (registry/messaging/) that only checks its signature and carries the text.

An answer fits in two SMS segments (sms.py), whatever the names it carries: names are
shortened, and a list of several agencies drops its last ones, until it does. Nothing about the
sender is kept: the rate limit counts a keyed hash of the sender in the limiter's store, and a
name that matches nothing counts as a lead exactly as a search on the site does.
"""
import hashlib
import hmac
import re
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale, lazy_gettext as _l
from limits import parse_many

from .. import search, sms, zawgyi
from ..i18n import current_lang, format_day, in_digits, text_in
from ..limits import counter
from ..normalise import clean_text
from ..status import EXPIRED, LICENSED, NOT_LICENSED, REVOKED, SUSPENDED
from ..wording import NOT_YET, STATUS_NAMES, shown_answer
from . import agencies, clearances, leads, verification

#: Longer than this (three SMS) is not a question a person typed: it gets the help text.
MAX_MESSAGE = 480
#: Markup, code and shell characters: no name, licence or phone number holds them, so a message
#: that does is not a question (it gets the help text, and is not counted as a lead).
HOSTILE = re.compile(r"[<>{}\[\]`|;=\\$]")
#: The most agencies one answer lists.
TOP = 3
#: Narrowest a name is cut to before a list drops an agency.
NARROWEST = 6
#: One notice that the limit is reached per sender in this time; then silence.
NOTICE = "1 per hour"

# i18n: a text-message answer (two SMS at most: keep it as short as the English). %(name)s is
# the agency, %(licence)s its licence number, %(ref)s a receipt reference (V-…).
SINGLE = {
    LICENSED: _l("%(name)s (%(licence)s): licensed until %(date)s. Pay only official fees, "
                 "with a receipt. Ref %(ref)s"),
    SUSPENDED: _l("%(name)s (%(licence)s): SUSPENDED since %(date)s. Do not pay it any fees. "
                  "Ref %(ref)s"),
    "suspended_until": _l("%(name)s (%(licence)s): SUSPENDED until %(date)s. Do not pay it any "
                          "fees. Ref %(ref)s"),
    REVOKED: _l("%(name)s (%(licence)s): licence REVOKED on %(date)s. Do not pay it any fees. "
                "Ref %(ref)s"),
    EXPIRED: _l("%(name)s (%(licence)s): licence ENDED on %(date)s. Do not pay it any fees. "
                "Ref %(ref)s"),
    NOT_YET: _l("%(name)s (%(licence)s): licensed only from %(date)s. Do not pay it any fees "
                "yet. Ref %(ref)s"),
    NOT_LICENSED: _l("%(name)s (%(licence)s): NO LICENCE on record. Do not pay it any fees. "
                     "Hotline %(hotline)s. Ref %(ref)s"),
}
# i18n: a text-message answer: the licence or phone number sent is not in the registry
UNKNOWN = _l("%(query)s: NO LICENCE on record. Do not pay fees to anyone using it. Hotline "
             "%(hotline)s. Ref %(ref)s")
# i18n: a text-message answer about an advertisement's clearance number
AIRABLE = _l("Advert %(number)s of %(name)s is approved until %(date)s. Ref %(ref)s")
NOT_AIRABLE = _l("Advert %(number)s of %(name)s is NOT approved today. Do not pay fees on its "
                 "word. Ref %(ref)s")
# i18n: a text-message answer to a name of several agencies; %(list)s holds each one's
# number in the list, name, licence number and status
SEVERAL = _l("%(count)s agencies match: %(list)s. Send a licence number to check one. "
             "Ref %(ref)s")
#: One agency of such a list: the same in every language.
LISTED = "%(number)s) %(name)s %(licence)s %(status)s"
# i18n: before a text-message answer whose agency's name only resembles the one sent
CLOSEST = _l("Not this exact name. Closest:")
# i18n: after a text-message answer about a phone number that several agencies declared
ALSO = _l("Other agencies using it: %(count)s.")
# i18n: a text-message answer: no agency's name resembles the one sent
NO_NAME = _l("No agency named \"%(query)s\" on record. Check the spelling or send its licence "
             "number. Pay nothing before you check. Hotline %(hotline)s")
# i18n: a text-message answer while the search index is rebuilt
REPAIRING = _l("Names cannot be searched just now. Send the licence number, or try again "
               "later. Hotline %(hotline)s")
# i18n: the text-message help: what to send, and the keywords EN, KM, MY (keep them as they are)
HELP = _l("Send an agency's licence number, phone number, advert number or name to check if "
          "it may recruit. EN, KM or MY first picks the language. Hotline %(hotline)s")
# i18n: the text-message answer when one sender has sent too many messages
TOO_MANY = _l("You have sent many messages. Please try again in an hour. Hotline %(hotline)s")


@dataclass(frozen=True)
class Reply:
    lang: str
    #: None: send nothing (a sender over the limit, told once).
    text: str | None
    reference: str | None = None


@dataclass(frozen=True)
class Question:
    lang: str
    #: What to look up ('' for the help text).
    query: str
    #: Typed in Zawgyi: the answer is written in Zawgyi too, or the sender's phone, which
    #: renders Zawgyi, would show Unicode Burmese as garbled letters.
    zawgyi: bool = False


#: How the answer being written is encoded for its reader (None: as it is, Unicode).
_writing = ContextVar("writing", default=None)


def answer(text, hint=None, sender=None):
    """The Reply to a message `text` (any value a channel carries). `hint`: the language the
    channel reports for the sender, if any; `sender`: the channel's id of the sender (a phone
    number, a chat id), used only through a keyed hash to count its messages against the limit
    (None from the command line: no limit)."""
    question = read(text, hint)
    writing = _writing.set(zawgyi.to_zawgyi if question.zawgyi else None)
    try:
        with force_locale(question.lang):
            reply = _reply(question, None if sender is None else sender_key(sender))
        return replace(reply, text=reply.text and written(reply.text))
    finally:
        _writing.reset(writing)


def _reply(question, client):
    lang, query = question.lang, question.query
    if client is not None and not within_limit(client):
        return Reply(lang, fitted(TOO_MANY) if first_notice(client) else None)
    if not query:
        return Reply(lang, fitted(HELP))
    return _answer_query(lang, query, client)


def welcome(hint=None):
    """The help text, to greet someone who opened a chat (in the channel's language for them)."""
    lang = read(None, hint).lang
    with force_locale(lang):
        return Reply(lang, fitted(HELP))


def read(text, hint=None):
    """The Question a message asks (see sms.read)."""
    default = agencies.profile().default_language
    if not isinstance(text, str) or len(text) > MAX_MESSAGE:
        sample = text[:MAX_MESSAGE] if isinstance(text, str) else ""
        return Question(sms.read(sample, default, hint).lang, "")
    text, converted = zawgyi.to_unicode(clean_text(text))
    reading = sms.read(text, default, hint)
    query = reading.query[:verification.MAX_QUERY]
    if not verification.meaningful(query) or HOSTILE.search(query):
        query = ""
    return Question(reading.lang, query, converted)


def written(text):
    """`text` as the reader's phone shows it (see Question.zawgyi)."""
    convert = _writing.get()
    return convert(text) if convert else text


def fits(text):
    return sms.fits(written(text))


def sender_key(sender):
    """A keyed hash of the sender: what the limiter's store holds instead of a phone number."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"message|{sender}".encode(), hashlib.sha256).hexdigest()[:32]


def within_limit(client):
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    limits = parse_many(current_app.config["REGISTRY_LIMIT_MESSAGES"])
    return all([counter().hit(item, "messages", client) for item in limits])


def first_notice(client):
    return counter().hit(parse_many(NOTICE)[0], "messages-notice", client)


def _answer_query(lang, query, client):
    kind = verification.identify(query, names=True)
    if kind == "name":
        return _answer_name(lang, query, client, agencies.profile().phone_region)
    record = verification.verify(**{kind: query})
    return Reply(lang, single(record.answer, kind), record.reference)


def _answer_name(lang, query, client, region):
    results = search.query(query, limit=TOP)
    if not results.total:
        if results.degraded:
            return Reply(lang, fitted(REPAIRING))
        leads.record_unmatched(query, region, client=client)
        return Reply(lang, fitted(NO_NAME, shrink={"query": query}))
    found = agencies.get_many(results.agency_ids, agencies.LISTED)
    prefix = "" if results.exact else str(CLOSEST) + " "
    if len(found) == 1:
        record = verification.verify(licence=found[0].licence_number)
        return Reply(lang, single(record.answer, "licence", prefix), record.reference)
    record = verification.verify_many([a.licence_number for a in found])
    return Reply(lang, several(record.answer, results.total, prefix), record.reference)


def single(answer, kind, prefix=""):
    """The text of a receipt's answer about one licence, phone or clearance number."""
    agency, ref = answer["agency"], answer["reference"]
    if agency is None:
        return fitted(UNKNOWN, prefix, shrink={"query": answer["query"][kind]}, ref=ref)
    name = text_in(agency["name"], current_lang())[0]
    if kind == "clearance":
        clearance = answer["clearance"]
        template = AIRABLE if clearance["airable"] else NOT_AIRABLE
        return fitted(template, prefix, shrink={"name": name}, number=clearance["number"],
                      date=format_day(clearance["valid_to"]), ref=ref)
    shown = shown_answer(answer)
    reason = agency["status_reason"]
    template, day = status_template(shown, reason)
    fields = dict(licence=agency["licence_number"], date=format_day(day) if day else "", ref=ref)
    if answer.get("also_matches"):
        # Worth saying when it fits; the receipt names the other agencies anyway.
        also = " " + str(ALSO) % {"count": in_digits(len(answer["also_matches"]))}
        text = fitted(template, prefix, also, shrink={"name": name}, **fields)
        if fits(text):
            return text
    return fitted(template, prefix, shrink={"name": name}, **fields)


def status_template(shown, reason):
    """The template for a status as shown, and the date it names."""
    since, until = (date.fromisoformat(reason[k]) if reason.get(k) else None
                    for k in ("since", "until"))
    if shown == SUSPENDED and until:
        return SINGLE["suspended_until"], until
    if shown == EXPIRED:
        return SINGLE[EXPIRED], since - timedelta(days=1)  # the licence's last day
    if shown == NOT_YET:
        return SINGLE[NOT_YET], until + timedelta(days=1)  # the licence's first day
    return SINGLE[shown], {LICENSED: until, SUSPENDED: since, REVOKED: since}.get(shown)


def several(batch, total, prefix=""):
    """A name's matches: as many of the first TOP as fit, with how many there are."""
    items = batch["items"]
    tries = [(shown, width) for shown in range(len(items), 0, -1) for width in widths()]
    for shown, width in tries:
        listed = "; ".join(LISTED % {
            "number": in_digits(n), "licence": item["licence_number"],
            "name": sms.shorten(text_in(item["name"], current_lang())[0], width),
            "status": STATUS_NAMES[item["status"]],
        } for n, item in enumerate(items[:shown], 1))
        text = prefix + str(SEVERAL) % {"count": in_digits(total), "list": listed,
                                        "ref": batch["reference"]}
        if fits(text) or (shown, width) == tries[-1]:
            return text


def fitted(template, prefix="", suffix="", shrink=None, **fields):
    """`template` filled in, within two segments: the `shrink` fields cut shorter and shorter
    until it fits."""
    shrink = shrink or {}
    fields.setdefault("hotline", hotline())
    for width in widths():
        text = prefix + str(template) % {**fields, **{
            k: sms.shorten(v, width) for k, v in shrink.items()}} + suffix
        if fits(text) or width == NARROWEST:  # the tests hold every template to the limit
            return text


def widths():
    """Widths a shortened field is tried at, widest first (the first keeps it whole)."""
    return (MAX_MESSAGE, 60, 40, 30, 24, 18, 14, 10, NARROWEST)


def hotline():
    ministry = agencies.profile().ministry
    return ministry.get("hotline_display") or ministry.get("hotline") or ""
