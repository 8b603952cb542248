"""Sanctions and the four-eyes rule: a clerk drafts (pending, never public); an approver other
than the author publishes; appeals and overturns keep the sanction on the record."""
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Sanction, utcnow
from ..wording import SANCTION_STATES
from . import ServiceError, audit, check_version, commit, reindex_later, snapshot

FIELDS = ("kind", "decided_on", "effective_from", "effective_to", "amount", "currency", "paid",
          "reason_en", "reason_km", "reason_my", "decision_ref")
APPROVERS = ("approver",)


def _require_approver(actor):
    if actor.role not in APPROVERS:
        raise ServiceError(_l("Only an approver may do this."))


def _check_rules(values):
    if values["kind"] == "fine" and values.get("amount") is None:
        raise ServiceError(_l("a fine needs an amount"))
    if values["kind"] != "fine":
        values.update(amount=None, currency="", paid=None)
    if values["kind"] != "suspension":
        values["effective_to"] = None
    if values.get("effective_to") and values["effective_to"] < values["effective_from"]:
        raise ServiceError(_l("the sanction ends before it starts"))
    values["decision_ref"] = values.get("decision_ref") or None
    return values


def draft(agency, values, actor):
    values = _check_rules(dict(values))
    sanction = Sanction(agency=agency, state="pending", drafted_by=actor.email, **values)
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
    values = _check_rules(dict(values))
    before = snapshot(sanction, FIELDS)
    for field, value in values.items():
        setattr(sanction, field, value)
    audit.record(actor.email, "edit_sanction", "sanctions", sanction.id, before,
                 snapshot(sanction, FIELDS))
    commit()


def _transition(sanction, version, actor, action, allowed_from, new_state, **changes):
    _require_approver(actor)
    check_version(sanction, version, ("state",))
    if sanction.state not in allowed_from:
        raise ServiceError(_l("This sanction is %(state)s: that step is not possible.",
                              state=SANCTION_STATES[sanction.state]))
    before = {"state": sanction.state}
    sanction.state = new_state
    for field, value in changes.items():
        setattr(sanction, field, value)
    audit.record(actor.email, action, "sanctions", sanction.id, before,
                 {"state": new_state, **changes})
    reindex_later(sanction.agency_id)
    commit()


def approve(sanction, version, actor):
    if sanction.drafted_by == actor.email:
        raise ServiceError(_l("You drafted this sanction: another approver must approve it."))
    _transition(sanction, version, actor, "approve_sanction", ("pending",), "in_force",
                approved_by=actor.email, approved_at=utcnow().replace(microsecond=0))


def mark_under_appeal(sanction, version, actor):
    _transition(sanction, version, actor, "appeal_sanction", ("in_force",), "under_appeal")


def overturn(sanction, version, reason, actor):
    if not (reason or "").strip():
        raise ServiceError(_l("Say why the sanction is overturned."))
    _transition(sanction, version, actor, "overturn_sanction", ("in_force", "under_appeal"),
                "overturned", overturn_reason=reason.strip())
