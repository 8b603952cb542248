"""Ad clearances (issue 15): the ministry's approval of one recruitment advertisement, and
the four-eyes rule that makes it public, for every door that writes one.

Like sanctions: a clearance is drafted (`pending`, never public), approved by an approver who
neither drafted nor changed it (then public), and may be withdrawn (kept, shown as withdrawn).
Whether it may be aired on a day is registry.airing's rule."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..airing import airing
from ..extensions import db
from ..models import (AD_MEDIA, CLEARANCE_STATES, PUBLIC_CLEARANCE_STATES, Clearance, Licence,
                      utcnow)
from ..normalise import clean_text, licence_key
from . import ServiceError, audit, check_version, commit, may_approve, reindex_later, snapshot
from .agencies import status_of, today

FIELDS = ("number", "job_title", "destination", "workers", "worker_fee", "fee_currency",
          "valid_from", "valid_to", "media")
APPROVERS = ("approver",)
LIST_LIMIT = 200


def _check_rules(values, current=None):
    """Tidy `values` and refuse what no clearance may say."""
    values["number"] = clean_text(values["number"])
    key = licence_key(values["number"])
    if not key:
        raise ServiceError(_l("A clearance needs a number."))
    taken = db.session.scalar(select(Clearance.id).where(Clearance.number_key == key))
    if taken is not None and (current is None or taken != current.id):
        raise ServiceError(_l("Clearance number %(number)s is already on record.",
                              number=values["number"]))
    # A number read out over the phone must say which record it is: never a licence's too.
    if db.session.scalar(select(Licence.id).where(Licence.number_key == key)) is not None:
        raise ServiceError(_l("%(number)s is a licence number, not a clearance number.",
                              number=values["number"]))
    if values["valid_to"] < values["valid_from"]:
        raise ServiceError(_l("the clearance ends before it starts"))
    media = [m for m in AD_MEDIA if m in (values.get("media") or [])]
    if not media:
        raise ServiceError(_l("Choose at least one medium the advertisement may run in."))
    if values.get("worker_fee") is None:
        raise ServiceError(_l("Give the fee the worker pays (0 if none)."))
    values.update(media=media, number_key=key,
                  fee_currency=values.get("fee_currency") or "" if values["worker_fee"] else "")
    return values


def _add_editor(clearance, email):
    if email not in (clearance.editors or []):
        clearance.editors = [*(clearance.editors or []), email]


def draft(agency, values, actor):
    values = _check_rules(dict(values))
    clearance = Clearance(agency=agency, state="pending", drafted_by=actor.email,
                          editors=[actor.email], **values)
    db.session.add(clearance)
    db.session.flush()
    audit.record(actor.email, "draft_clearance", "clearances", clearance.id, None,
                 {**snapshot(clearance, FIELDS), "state": "pending"})
    commit()
    return clearance


def update_draft(clearance, values, version, actor):
    if clearance.state != "pending":
        raise ServiceError(_l("Only a clearance awaiting approval can be edited. Withdraw it "
                              "instead."))
    check_version(clearance, version, FIELDS)
    values = _check_rules(dict(values), current=clearance)
    before = snapshot(clearance, FIELDS)
    for field, value in values.items():
        setattr(clearance, field, value)
    after = snapshot(clearance, FIELDS)
    if after == before:
        return False
    _add_editor(clearance, actor.email)
    audit.record(actor.email, "edit_clearance", "clearances", clearance.id, before, after)
    commit()
    return True


def _require_approver(actor):
    if actor.role not in APPROVERS:
        raise ServiceError(_l("Only an approver may do this."))


def _transition(clearance, version, actor, action, allowed_from, new_state, **changes):
    _require_approver(actor)
    check_version(clearance, version, ("state",))
    if clearance.state not in allowed_from:
        raise ServiceError(_l("This step is not possible for this clearance now."))
    before = {"state": clearance.state}
    clearance.state = new_state
    for field, value in changes.items():
        setattr(clearance, field, value)
    audit.record(actor.email, action, "clearances", clearance.id, before,
                 {"state": new_state, **changes})
    reindex_later(clearance.agency_id)
    commit()


def approve(clearance, version, actor):
    _require_approver(actor)
    if not may_approve(clearance, actor.email):
        raise ServiceError(_l("You drafted or changed this clearance: another approver must "
                              "approve it."))
    _transition(clearance, version, actor, "approve_clearance", ("pending",), "approved",
                approved_by=actor.email, approved_at=utcnow().replace(microsecond=0))


def withdraw(clearance, version, reason, actor):
    if not (reason or "").strip():
        raise ServiceError(_l("Say why the clearance is withdrawn."))
    _transition(clearance, version, actor, "withdraw_clearance", ("approved",), "withdrawn",
                withdraw_reason=reason.strip())


def listing(state="pending", limit=LIST_LIMIT):
    query = select(Clearance).order_by(Clearance.updated_at.desc(), Clearance.id.desc())
    if state in CLEARANCE_STATES:
        query = query.where(Clearance.state == state)
    return db.session.scalars(query.limit(limit)).all()


# What the public sees: approved and withdrawn clearances, never drafts.

def public_of(agency):
    return [c for c in agency.clearances if c.state in PUBLIC_CLEARANCE_STATES]


def by_number(text):
    """The public clearance with this number (spaces, dashes and case aside), or None."""
    key = licence_key(text)
    if not key:
        return None
    return db.session.scalars(select(Clearance).where(
        Clearance.number_key == key, Clearance.state.in_(PUBLIC_CLEARANCE_STATES))).first()


def airing_of(clearance, on=None):
    on = on or today()
    return airing(clearance.state, clearance.valid_from, clearance.valid_to,
                  status_of(clearance.agency, on).code, on)
