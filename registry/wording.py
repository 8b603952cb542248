"""What the public reads for each code: statuses, sanction kinds, complaint categories.

Lazy strings, so each page gets them in its own language.
"""
from flask_babel import lazy_gettext as _l

from .status import EXPIRED, LICENSED, NOT_LICENSED, REVOKED, SUSPENDED

# i18n: status words on a coloured badge; keep them short
STATUS_NAMES = {
    LICENSED: _l("Licensed"),
    SUSPENDED: _l("Suspended"),
    REVOKED: _l("Licence revoked"),
    EXPIRED: _l("Licence expired"),
    NOT_LICENSED: _l("No licence on record"),
}
# i18n: one plain sentence under the status badge, for a first-time migrant
STATUS_ADVICE = {
    LICENSED: _l("This agency holds a valid licence today. Still, never pay more than the "
                 "official fees, and ask for a receipt."),
    SUSPENDED: _l("This agency may not recruit workers now. Do not pay fees to it."),
    REVOKED: _l("This agency lost its licence. It may not recruit workers. Do not pay fees to "
                "it."),
    EXPIRED: _l("This agency's licence has ended. It may not recruit workers. Do not pay fees "
                "to it."),
    NOT_LICENSED: _l("No licence on record: do not pay fees to this agency."),
}
# SVG path data of each status icon: tick, pause bars, cross, clock, exclamation mark.
STATUS_ICONS = {
    LICENSED: "M2 8.5l4 4 8-9",
    SUSPENDED: "M5 3v10M11 3v10",
    REVOKED: "M3 3l10 10M13 3L3 13",
    EXPIRED: "M8 1.5a6.5 6.5 0 1 0 0.01 0M8 4v4l3 2",
    NOT_LICENSED: "M8 2v8M8 13.5v0.5",
}

SANCTION_KINDS = {
    "warning": _l("Warning"),
    "fine": _l("Fine"),
    "suspension": _l("Suspension"),
    "revocation": _l("Revocation"),
}
SANCTION_STATES = {
    "pending": _l("Awaiting approval"),
    "in_force": _l("In force"),
    "under_appeal": _l("Under appeal (still applies)"),
    "overturned": _l("Overturned (cancelled on appeal)"),
}
COMPLAINT_CATEGORIES = {
    "excessive_fees": _l("Charged too much in fees"),
    "contract_substitution": _l("Contract changed after signing"),
    "deception": _l("Lied about the job"),
    "document_retention": _l("Kept passport or documents"),
    "abuse": _l("Abuse or violence"),
    "wage_theft": _l("Wages not paid"),
    "other": _l("Other problem"),
}
COMPLAINT_STATUSES = {
    "received": _l("Received"),
    "investigating": _l("Being investigated"),
    "mediated": _l("Settled by mediation"),
    "resolved": _l("Resolved"),
    "dismissed": _l("Dismissed"),
    "referred": _l("Sent to another authority"),
}
CHANNEL_KINDS = {
    "phone": _l("Phone"),
    "facebook": _l("Facebook page"),
    "telegram": _l("Telegram"),
    "viber": _l("Viber"),
    "website": _l("Website"),
    "email": _l("E-mail"),
    "branch": _l("Branch office"),
}


def status_reason(status, format_date):
    """One line saying which licence or sanction decided the status, with dates."""
    lic, s = status.licence, status.sanction
    if status.code == REVOKED:
        return _l("Revoked from %(date)s (decision %(ref)s).",
                  date=format_date(status.since), ref=s.decision_ref or "-")
    if status.code == SUSPENDED and status.until:
        return _l("Suspended from %(start)s to %(end)s (decision %(ref)s).",
                  start=format_date(status.since), end=format_date(status.until),
                  ref=s.decision_ref or "-")
    if status.code == SUSPENDED:
        return _l("Suspended from %(start)s until further notice (decision %(ref)s).",
                  start=format_date(status.since), ref=s.decision_ref or "-")
    if status.code == LICENSED:
        return _l("Licence %(number)s is valid from %(start)s to %(end)s.", number=lic.number,
                  start=format_date(lic.issued_on), end=format_date(lic.expires_on))
    if status.code == EXPIRED:
        return _l("Licence %(number)s ended on %(date)s.", number=lic.number,
                  date=format_date(lic.expires_on))
    if lic is not None:
        return _l("Licence %(number)s starts on %(date)s.", number=lic.number,
                  date=format_date(lic.issued_on))
    return _l("The ministry has no licence on record for this agency.")

ADMIN_CHARTS = {
    "status": _l("Agencies by status today"),
    "sanctions": _l("Sanctions decided per month (published)"),
    "categories": _l("Complaints by problem"),
    "outcomes": _l("Complaints by outcome"),
}

ROLES = {
    "clerk": _l("Clerk (enters data, drafts sanctions)"),
    "approver": _l("Approver (publishes sanctions)"),
    "admin": _l("Administrator (accounts, audit log)"),
}
