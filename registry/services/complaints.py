"""Recording complaints. Who complained and what they said stay in ComplaintPrivate, which
only this service and the admin screens read."""
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Complaint, ComplaintPrivate
from . import audit, check_version, commit, reindex_later, snapshot

FIELDS = ("received_on", "category", "destination", "workers_affected", "status",
          "compensation_amount", "compensation_currency", "closed_on")
PRIVATE_FIELDS = ("complainant_name", "complainant_phone", "details")


def private_part(complaint):
    return db.session.get(ComplaintPrivate, complaint.id) or ComplaintPrivate(
        complaint_id=complaint.id)


def record(agency, values, private, actor):
    complaint = Complaint(agency=agency, case_ref=new_case_ref(values["received_on"]),
                          **{f: values[f] for f in FIELDS})
    db.session.add(complaint)
    db.session.flush()
    db.session.add(ComplaintPrivate(complaint_id=complaint.id,
                                    **{f: private[f] for f in PRIVATE_FIELDS}))
    # The audit says a complainant was recorded, never who.
    audit.record(actor.email, "record_complaint", "complaints", complaint.case_ref, None,
                 {**snapshot(complaint, FIELDS), "private": "recorded"})
    reindex_later(agency.id)
    commit()
    return complaint


def update(complaint, values, private, version, actor):
    check_version(complaint, version, FIELDS)
    before = snapshot(complaint, FIELDS)
    for field in FIELDS:
        setattr(complaint, field, values[field])
    stored = private_part(complaint)
    private_changed = any(getattr(stored, f) != private[f] for f in PRIVATE_FIELDS)
    for field in PRIVATE_FIELDS:
        setattr(stored, field, private[field])
    db.session.add(stored)
    after = snapshot(complaint, FIELDS)
    public = after != before  # who complained, and what they said, is no public change
    if private_changed:
        after["private"] = "changed"
    audit.record(actor.email, "update_complaint", "complaints", complaint.case_ref, before, after)
    reindex_later(complaint.agency_id, public=public)
    commit()


def new_case_ref(received_on):
    return f"C-{received_on:%Y}-{secrets.token_hex(4).upper()}"


def latest(limit=100):
    """The most recently received complaints, for the regulators' list."""
    return db.session.scalars(select(Complaint).options(joinedload(Complaint.agency))
                              .order_by(Complaint.received_on.desc(), Complaint.id.desc())
                              .limit(limit)).all()
