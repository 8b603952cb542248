"""Sanctions and the four-eyes rule, for every door (form, upload, command line).

A sanction reaches the public only when an approver who neither drafted nor edited it
approves it. Drafts are `pending`; approval, appeal and overturn are separate, audited steps;
an overturned sanction stays on the record. A file never moves a sanction between states,
except in a historic load that names a second officer (`historic_approver`)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import SANCTION_STATES, Sanction, User, utcnow
from ..wording import SANCTION_STATES as STATE_NAMES
from . import (ServiceError, audit, check_version, commit, may_approve, reindex_later,
               snapshot)

FIELDS = ("kind", "decided_on", "effective_from", "effective_to", "amount", "currency", "paid",
          "reason_en", "reason_km", "reason_my", "decision_ref")
APPROVERS = ("approver",)
LIST_LIMIT = 200


def _require_approver(actor):
    if actor.role not in APPROVERS:
        raise ServiceError(_l("Only an approver may do this."))


def _check_rules(values, sanction_id=None):
    if values["kind"] == "fine" and values.get("amount") is None:
        raise ServiceError(_l("a fine needs an amount"))
    if values["kind"] != "fine":
        values.update(amount=None, currency="", paid=None)
    if values["kind"] != "suspension":
        values["effective_to"] = None
    if values.get("effective_to") and values["effective_to"] < values["effective_from"]:
        raise ServiceError(_l("the sanction ends before it starts"))
    values["decision_ref"] = values.get("decision_ref") or None
    if values["decision_ref"] and db.session.scalar(select(Sanction.id).where(
            Sanction.decision_ref == values["decision_ref"], Sanction.id != sanction_id)):
        # One reference, one sanction: it is how a file's row finds the sanction it changes.
        raise ServiceError(_l("Decision reference %(ref)s is already recorded for another "
                              "sanction.", ref=values["decision_ref"]))
    return values


def _add_editor(sanction, email):
    if email not in (sanction.editors or []):
        # A new list, so SQLAlchemy sees the change to the JSON column.
        sanction.editors = [*(sanction.editors or []), email]


def draft(agency, values, actor):
    values = _check_rules(dict(values))
    sanction = Sanction(agency=agency, state="pending", drafted_by=actor.email,
                        editors=[actor.email], **values)
    db.session.add(sanction)
    db.session.flush()
    audit.record(actor.email, "draft_sanction", "sanctions", sanction.id, None,
                 {**snapshot(sanction, FIELDS), "state": "pending"})
    commit()
    return sanction


def update_draft(sanction, values, version, actor):
    if sanction.state != "pending":
        raise ServiceError(_l("Only a sanction awaiting approval can be edited. Overturn it "
                              "instead."))
    check_version(sanction, version, FIELDS)
    values = _check_rules(dict(values), sanction.id)
    before = snapshot(sanction, FIELDS)
    for field, value in values.items():
        setattr(sanction, field, value)
    after = snapshot(sanction, FIELDS)
    if after == before:
        return False
    _add_editor(sanction, actor.email)
    audit.record(actor.email, "edit_sanction", "sanctions", sanction.id, before, after)
    commit()
    return True


def _transition(sanction, version, actor, action, allowed_from, new_state, **changes):
    _require_approver(actor)
    check_version(sanction, version, ("state",))
    if sanction.state not in allowed_from:
        raise ServiceError(_l("This sanction is %(state)s: that step is not possible.",
                              state=STATE_NAMES[sanction.state]))
    before = {"state": sanction.state}
    sanction.state = new_state
    for field, value in changes.items():
        setattr(sanction, field, value)
    audit.record(actor.email, action, "sanctions", sanction.id, before,
                 {"state": new_state, **changes})
    reindex_later(sanction.agency_id)


def _approve(sanction, version, actor):
    if not may_approve(sanction, actor.email):
        raise ServiceError(_l("You drafted or changed this sanction: another approver must "
                              "approve it."))
    _transition(sanction, version, actor, "approve_sanction", ("pending",), "in_force",
                approved_by=actor.email, approved_at=utcnow().replace(microsecond=0))


def approve(sanction, version, actor):
    _approve(sanction, version, actor)
    commit()


def approve_many(items, actor):
    """Approve several drafts at once (an imported batch): all of them, or none if any one
    may not be approved. `items` are (sanction, version the officer reviewed)."""
    if not items:
        raise ServiceError(_l("Tick at least one sanction to approve."))
    for sanction, version in items:
        try:
            _approve(sanction, version, actor)
        except ServiceError as error:
            db.session.rollback()
            raise ServiceError(_l("Nothing was approved. %(reference)s: %(reason)s",
                                  reference=sanction.decision_ref or f"#{sanction.id}",
                                  reason=str(error))) from None
    commit()
    return len(items)


def mark_under_appeal(sanction, version, actor):
    _transition(sanction, version, actor, "appeal_sanction", ("in_force",), "under_appeal")
    commit()


def overturn(sanction, version, reason, actor):
    if not (reason or "").strip():
        raise ServiceError(_l("Say why the sanction is overturned."))
    _transition(sanction, version, actor, "overturn_sanction", ("in_force", "under_appeal"),
                "overturned", overturn_reason=reason.strip())
    commit()


def listing(state=None, batch=None, limit=LIST_LIMIT):
    """Sanctions for the regulators' list: by state, or the drafts of one import."""
    query = select(Sanction).order_by(Sanction.decided_on.desc(), Sanction.id.desc())
    if state in SANCTION_STATES:
        query = query.where(Sanction.state == state)
    if batch:
        query = query.where(Sanction.import_batch == batch[:32])
    return db.session.scalars(query.limit(limit)).all()


# The import's door. The planner asks `file_problem` for every row before anything is
# written; the writer then calls `from_file`. Both apply the same rule.

def historic_approver(email, operator):
    """The approver named for a historic load: an active approver account, not the operator."""
    email = (email or "").strip().lower()
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None or not user.active or user.role not in APPROVERS:
        raise ServiceError(_l("%(email)s is not an active approver account.", email=email))
    if email == (operator or "").strip().lower():
        raise ServiceError(_l("The approver of a historic load must be another officer than "
                              "the one who runs it."))
    return user


def file_values(values, default_currency):
    """A row of sanctions.csv as the fields a Sanction stores."""
    values = {f: values[f] for f in FIELDS}
    values["decision_ref"] = values["decision_ref"] or None
    if values["kind"] != "fine":
        values["paid"] = None
    values["currency"] = values["currency"] or (
        default_currency if values["amount"] is not None else "")
    return values


def file_problem(existing, values, state, approver=None):
    """Why a file row may not change `existing` (None if it may). Without an approver a
    file changes drafts only: a published sanction is corrected by overturning it."""
    if existing is None or existing.state == "pending":
        if approver is not None and existing is not None and state != "pending" \
                and not may_approve(existing, approver.email):
            return _l("%(email)s drafted or changed this sanction and cannot approve it",
                      email=approver.email)
        return None
    if approver is None and snapshot(existing, FIELDS) != values:
        return _l("this sanction is already public (%(state)s): a file cannot change it. "
                  "Overturn it in the admin module and draft a new one",
                  state=STATE_NAMES[existing.state])
    return None


def from_file(existing, agency_id, values, state, actor, batch, approver=None):
    """Create or change a sanction from a file row; returns it if anything changed.

    Without `approver` the row's `state` is ignored: new sanctions are drafts of this batch
    and changed drafts stay drafts, with `actor` among their editors. With one, the file's
    state is the decision already taken, recorded as approved by that officer."""
    new = existing is None
    sanction = existing or Sanction(agency_id=agency_id, state="pending", drafted_by=actor,
                                    editors=[])
    before = None if new else {**snapshot(sanction, FIELDS), "state": sanction.state}
    target = state if approver is not None else sanction.state
    if not new and snapshot(sanction, FIELDS) == values and sanction.state == target:
        return None
    for field, value in values.items():
        setattr(sanction, field, value)
    _add_editor(sanction, actor)
    after = {**snapshot(sanction, FIELDS), "state": target}
    sanction.state = target
    if approver is not None and target != "pending":
        sanction.approved_by = approver.email
        sanction.approved_at = utcnow().replace(microsecond=0)
        after["approved_by"] = approver.email
    if target == "pending":
        sanction.import_batch = batch
    db.session.add(sanction)
    db.session.flush()
    action = "import_sanction" if approver is None else "import_decided_sanction"
    audit.record(actor, action if new else action + "_change", "sanctions", sanction.id,
                 before, after)
    return sanction
