"""Verification records: every check through the verify page or API mints a reference that
shows that check later exactly as it was, signed."""
import json
import re
import secrets
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import ALPHABET, Verification, utcnow
from ..normalise import clean_text
from ..own_connection import receipts
from ..urls import absolute
from . import ServiceError, agencies, audit, clearances, leads, signing
from .audit import jsonable

MAX_QUERY = 100


def new_reference(now):
    # Six letters of 32 (5 bits each) from one draw of 30 random bits.
    bits = secrets.randbits(30)
    return f"V-{now:%Y%m%d}-" + "".join(ALPHABET[bits >> shift & 31] for shift in range(0, 30, 5))


def describe(agency, status):
    return jsonable({
        "licence_number": agency.licence_number,
        "name": agency.names(),
        "status_reason": status_reason(status),
    })


def status_reason(status):
    """The licence or sanction behind a status, with its dates, as plain data."""
    reason = {"since": status.since, "until": status.until}
    if status.sanction is not None:
        reason.update(kind=status.sanction.kind, decision_ref=status.sanction.decision_ref)
    elif status.licence is not None:
        reason.update(kind="licence", licence_number=status.licence.number)
    else:
        reason.update(kind="no_licence")
    return jsonable(reason)


KINDS = ("licence", "phone", "clearance")
#: What a checked text must hold: a letter or digit of the scripts licence, phone and clearance
#: numbers are typed in (ASCII and Latin-1 letters; Khmer, Myanmar and Shan; Thai, Lao,
#: fullwidth and mathematical digits). Explicit ranges of assigned characters, so that Python
#: here and JSON Schema validators (ECMA 262, where \w is ASCII only) read it alike: it is the
#: API's `pattern` in openapi.json. Anything else would earn a receipt of nothing.
MEANINGFUL = ("[0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0e50-\u0e59\u0ed0-\u0ed9"
              "\u1000-\u109f\u1780-\u17dd\u17e0-\u17e9\u17f0-\u17f9\u19e0-\u19ff"
              "\ua9e0-\ua9fe\uaa60-\uaa7f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
              "\U0001d7ce-\U0001d7ff]")
#: The most inputs one bulk check takes (page or API).
MAX_BATCH = 500


def describe_clearance(clearance, on):
    """A clearance as a receipt states it: the advertisement, and whether it may be aired."""
    air = clearances.airing_of(clearance, on)
    return jsonable({
        "number": clearance.number, "job_title": clearance.job_title,
        "destination": clearance.destination, "workers": clearance.workers,
        "worker_fee": {"amount": clearance.worker_fee,
                       "currency": clearance.fee_currency or None},
        "valid_from": clearance.valid_from, "valid_to": clearance.valid_to,
        "media": list(clearance.media), "state": clearance.state,
        "airable": air.airable, "airable_reason": air.reason,
    })


def _answer(kind, text, now):
    """What the registry answers about one licence number, phone or clearance number now."""
    clearance = None
    if kind == "licence":
        agency, _ = agencies.by_licence_number(text)
        matches = [agency] if agency else []
    elif kind == "clearance":
        clearance = clearances.by_number(text)
        matches = [clearance.agency] if clearance else []
    else:
        matches, reps = agencies.by_phone(text)
        matches = matches or [r.agency for r in reps]
    # A phone shared by two agencies is answered with the first; the page lists all of them.
    agency = matches[0] if matches else None
    status = agencies.status_of(agency, now.date()) if agency else None
    code = status.code if status else "not_licensed"
    answer = {
        "query": {kind: text},
        "verified": code == "licensed",
        "status": code,
        "agency": describe(agency, status) if agency else None,
        "also_matches": [a.licence_number for a in matches[1:]],
        "checked_at": now.isoformat() + "Z",
    }
    if kind == "clearance":
        answer["clearance"] = describe_clearance(clearance, now.date()) if clearance else None
        # An ad desk's yes: this advertisement may be aired today, not only "licensed".
        answer["verified"] = bool(clearance) and answer["clearance"]["airable"]
    return agency, answer


def _answer_kept(kind, text, now):
    """`_answer` for one check, as (agency id, answer, known), kept by the worker until the
    record changes or the day turns (audit.kept_until_changed): an ad desk or a broadcast's
    viewers check the same few licences over and over, and each check still gets its own
    reference, time and signature. The kept answer is never handed out itself, only copied;
    `known` is its members' canonical form (signing.members), which a check's signature joins
    to the check's own (its time, reference and address)."""
    kept = audit.kept_until_changed("registry_answers", dict)
    key = (kind, text, now.date())
    if key not in kept:
        if len(kept) >= KEPT_ANSWERS:
            kept.clear()
        agency, answer = _answer(kind, text, now)
        del answer["checked_at"]
        copied = json.dumps(answer)
        # Of the answer as every check copies it (JSON's types), so that they sign what they say.
        kept[key] = (agency.id if agency else None, copied, signing.members(json.loads(copied)))
    agency_id, answer, known = kept[key]
    return agency_id, json.loads(answer) | {"checked_at": now.isoformat() + "Z"}, known


#: How many answers a worker keeps between changes of the record (each a few hundred bytes).
KEPT_ANSWERS = 4096


@dataclass(slots=True)
class Receipt:
    """A check's record as it was written, with a Verification's columns (by_reference reads
    one back as a Verification). The driver writes it (_inserted): an ORM object, never added
    to a session, cost 28 µs against 1."""
    reference: str
    checked_at: datetime
    query_kind: str
    query_text: str
    agency_id: int | None
    status: str
    verified: bool
    answer: dict
    signature: str
    id: int | None = None


def _recorded(checks, now, cursor):
    """Store one signed Receipt per (kind, text, agency id, answer, known) in `checks`
    (`known`: signing.canonical's, or None), each under a fresh reference, on a cursor of
    receipts(); returns them. A reference minted twice (32^6 a day: a million checks a day
    would meet a few hundred) is skipped by the database, and that check is given another
    and signed again."""
    records, waiting, minted = [None] * len(checks), range(len(checks)), set()
    for _ in range(5):
        for i in waiting:
            kind, text, agency_id, answer, known = checks[i]
            reference = new_reference(now)
            while reference in minted:  # twice in one transaction: one row, two checks
                reference = new_reference(now)
            minted.add(reference)
            answer["reference"] = reference
            answer["url"] = receipt_url(reference)
            # A batch's answer has no status or verdict of its own: its items have.
            records[i] = Receipt(
                reference=reference, checked_at=now, query_kind=kind, query_text=text,
                agency_id=agency_id, status=answer.get("status", kind),
                verified=answer.get("verified", False), answer=answer,
                signature=signing.sign(answer, known))
        stored = _inserted(cursor, [records[i] for i in waiting])
        for i in waiting:
            records[i].id = stored.get(records[i].reference)
        waiting = [i for i in waiting if records[i].id is None]
        if not waiting:
            return records
    raise RuntimeError("no free verification reference in five tries")  # pragma: no cover


def _inserted(cursor, records):
    """Insert `records` on `cursor`; {reference: id} of those stored (a reference already
    stored is skipped)."""
    sql, order, processors = _insert_new(db.engine.dialect)
    stored = {}
    for record in records:
        values = {column: process(getattr(record, column)) if process
                  else getattr(record, column) for column, process in processors.items()}
        cursor.execute(sql, [values[name] for name in order] if order else values)
        stored.update(cursor.fetchall())
    return stored


#: What _inserted writes: a Receipt's columns but its id, which the database gives.
COLUMNS = tuple(field.name for field in fields(Receipt) if field.name != "id")


@cache
def _insert_new(dialect):
    """(SQL, parameter order or None, {column: bind processor}) of an INSERT of one receipt
    that skips a reference already stored and returns the reference and id it wrote,
    compiled by SQLAlchemy once per dialect; its column types' own bind processors store each
    value as the ORM would."""
    table = Verification.__table__
    if dialect.name == "sqlite":
        statement = insert(table).prefix_with("OR IGNORE", dialect="sqlite")
    else:  # pragma: no cover - the PostgreSQL run
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=["reference"])
    compiled = statement.values({column: bindparam(column) for column in COLUMNS}).returning(
        table.c.reference, table.c.id).compile(dialect=dialect)
    return compiled.string, compiled.positiontup, {
        column: table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        for column in COLUMNS}


def receipt_url(reference):
    return absolute("verify.any_language_receipt", reference=reference)


def _now():
    return utcnow().replace(microsecond=0)


def verify(licence=None, phone=None, clearance=None):
    """Check a licence number, phone number or clearance number today; store and return the
    signed record."""
    kind, text = next(((k, v) for k, v in zip(KINDS, (licence, phone, clearance)) if v),
                      ("phone", phone))
    text = clean_text(text)[:MAX_QUERY]
    now = _now()
    check = (kind, text, *_answer_kept(kind, text, now))
    with receipts() as cursor:
        record, = _recorded([check], now, cursor)
    return record


def meaningful(text):
    """Whether `text` (as sent) is worth a receipt: see MEANINGFUL."""
    return isinstance(text, str) and re.search(MEANINGFUL, text) is not None


def identify(text, names=False):
    """Which kind of number a line of a bulk check is: a licence or clearance on record, a
    phone number, or else a licence number (that the registry does not hold). With `names`,
    text that reads as a name and is none of those is "name" (a text message)."""
    if agencies.by_licence_number(text)[0] is not None:
        return "licence"
    if clearances.by_number(text) is not None:
        return "clearance"
    looks = leads.classify(text, agencies.profile().phone_region)[0]
    if looks == "phone" or (names and looks == "name"):
        return looks
    return "licence"


def verify_many(texts):
    """A bulk check (an ad desk's list): one signed record per input, in order, and one signed
    batch record listing them all (its reference and verdicts), written together. Returns the
    batch record; its answer's `items` give each input's reference."""
    if not texts:
        raise ServiceError(_l("Give at least one licence number, phone number or clearance "
                              "number."))
    if len(texts) > MAX_BATCH:
        raise ServiceError(_l("A bulk check takes at most %(max)d numbers; this list has "
                              "%(count)d.", max=MAX_BATCH, count=len(texts)))
    for line, text in enumerate(texts, 1):
        if not meaningful(text):
            raise ServiceError(_l("Line %(line)d holds no licence, phone or clearance number. "
                                  "Nothing was checked.", line=line))
    now, checks, items = _now(), [], []
    for text in texts:
        text = clean_text(text)[:MAX_QUERY]
        kind = identify(text)
        agency, answer = _answer(kind, text, now)
        checks.append((kind, text, agency.id if agency else None, answer, None))
        items.append({"input": text, "kind": kind,
                      "verified": answer["verified"], "status": answer["status"],
                      "agency_id": agency.public_id if agency else None,
                      "licence_number": agency.licence_number if agency else None,
                      "name": agency.names() if agency else None,
                      **({"airable_reason": (answer["clearance"] or {}).get("airable_reason")}
                         if kind == "clearance" else {})})
    with receipts() as cursor:
        # The items' references are minted first: the batch lists them, and is signed after.
        for item, record in zip(items, _recorded(checks, now, cursor)):
            item["reference"] = record.reference
        batch = {"query": {"batch": len(items)}, "items": items,
                 "checked_at": now.isoformat() + "Z",
                 "verified_count": sum(item["verified"] for item in items)}
        record, = _recorded([("batch", f"{len(items)} checks", None, batch, None)], now,
                            cursor)
    return record


def by_reference(reference):
    reference = clean_text(reference).upper()[:32]
    return db.session.scalars(select(Verification).where(
        Verification.reference == reference)).first()
