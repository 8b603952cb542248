"""Verification records: every check through the verify page or API mints a reference that
shows that check later exactly as it was, signed."""
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import ALPHABET, Verification, utcnow
from ..normalise import clean_text
from ..urls import absolute
from . import agencies, signing
from .audit import jsonable

MAX_QUERY = 100


def new_reference(now):
    return f"V-{now:%Y%m%d}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


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


def verify(licence=None, phone=None):
    """Check a licence number or a phone number today; store and return the signed record."""
    kind, text = ("licence", licence) if licence else ("phone", phone)
    text = clean_text(text)[:MAX_QUERY]
    if kind == "licence":
        agency, _ = agencies.by_licence_number(text)
        matches = [agency] if agency else []
    else:
        matches, reps = agencies.by_phone(text)
        matches = matches or [r.agency for r in reps]
    now = utcnow().replace(microsecond=0)
    # A phone shared by two agencies is answered with the first; the page lists all of them.
    agency = matches[0] if matches else None
    status = agencies.status_of(agency) if agency else None
    code = status.code if status else "not_licensed"
    answer = {
        "query": {kind: text},
        "verified": code == "licensed",
        "status": code,
        "agency": describe(agency, status) if agency else None,
        "also_matches": [a.licence_number for a in matches[1:]],
        "checked_at": now.isoformat() + "Z",
    }
    for _ in range(5):
        reference = new_reference(now)
        if not db.session.scalar(select(Verification.id).where(
                Verification.reference == reference)):
            break
    answer["reference"] = reference
    answer["url"] = absolute("verify.any_language_receipt", reference=reference)
    record = Verification(reference=reference, checked_at=now, query_kind=kind, query_text=text,
                          agency_id=agency.id if agency else None, status=code,
                          verified=answer["verified"], answer=answer,
                          signature=signing.sign(answer))
    db.session.add(record)
    db.session.commit()
    return record


def by_reference(reference):
    reference = clean_text(reference).upper()[:32]
    return db.session.scalars(select(Verification).where(
        Verification.reference == reference)).first()
