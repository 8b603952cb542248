"""What the public reads for each code: statuses, sanction kinds, complaint categories.

Lazy strings, so each page gets them in its own language.
"""
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from .status import EXPIRED, LICENSED, NOT_LICENSED, REVOKED, SUSPENDED

#: How the public pages show `not_licensed` when a licence is on record but starts later: its
#: own words, so the page never says "no licence" above the licence it lists. (The status, in
#: the API and filters, stays not_licensed: the agency may not recruit yet.)
NOT_YET = "not_yet"

# i18n: status words on a coloured badge; keep them short
STATUS_NAMES = {
    LICENSED: _l("Licensed"),
    SUSPENDED: _l("Suspended"),
    REVOKED: _l("Licence revoked"),
    EXPIRED: _l("Licence expired"),
    NOT_LICENSED: _l("No licence on record"),
}
#: What a country profile calls its first-level divisions (its "subdivision").
SUBDIVISIONS = {
    "province": _l("Province"),
    # i18n: Myanmar's first-level divisions: its states and its regions
    "state_or_region": _l("State or region"),
}
# i18n: status words on a coloured badge, for a licence that starts on a later date
NOT_YET_NAME = _l("Not licensed yet")
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
    NOT_YET: "M4 2h8M4 14h8M5 2c0 4 6 4 6 6s-6 2-6 6M11 2c0 4-6 4-6 6",
}


def shown(status):
    """The code a public page shows for a Status: its own, or NOT_YET."""
    if status.code == NOT_LICENSED and status.licence is not None:
        return NOT_YET
    return status.code


def shown_answer(answer):
    """The same for a stored receipt's answer (a dict)."""
    agency = answer.get("agency") or {}
    if answer["status"] == NOT_LICENSED and \
            (agency.get("status_reason") or {}).get("kind") == "licence":
        return NOT_YET
    return answer["status"]


def badge_name(code):
    return NOT_YET_NAME if code == NOT_YET else STATUS_NAMES[code]


def status_advice(status, format_day):
    if shown(status) == NOT_YET:
        # i18n: under the badge of an agency whose licence starts on a later date
        return _l("Its licence starts on %(date)s. Until then it may not recruit workers: do "
                  "not pay fees to it.", date=format_day(status.licence.issued_on))
    return STATUS_ADVICE[status.code]

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
AD_MEDIA = {
    "radio": _l("Radio"),
    "tv": _l("Television"),
    "print": _l("Newspapers and magazines"),
    "online": _l("Internet and social media"),
    "poster": _l("Posters and leaflets"),
}
CLEARANCE_STATES = {
    "pending": _l("Awaiting approval"),
    "approved": _l("Approved"),
    "withdrawn": _l("Withdrawn"),
}
# i18n: whether a recruitment advertisement may be broadcast today, and why not
AIRING = {
    "airable": _l("May be aired today"),
    "withdrawn": _l("Do not air: the ministry withdrew this clearance"),
    "not_yet_valid": _l("Do not air yet: the clearance starts later"),
    "ended": _l("Do not air: the clearance has ended"),
    "agency_suspended": _l("Do not air: the agency is suspended"),
    "agency_revoked": _l("Do not air: the agency's licence was revoked"),
    "agency_expired": _l("Do not air: the agency's licence has expired"),
    "agency_not_licensed": _l("Do not air: the agency has no licence"),
}
#: The feed of changes (/feeds/changes.atom): what happened to a licence.
LICENCE_CHANGES = {
    "licence_granted": _l("Licence granted"),
    "licence_renewed": _l("Licence renewed"),
    "licence_expired": STATUS_NAMES[EXPIRED],
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
#: What an agency may share with a revoked or suspended one (services.resurfacing).
SHARED_KINDS = {**CHANNEL_KINDS, "address": _l("Head office")}


def status_reason(status, format_date):
    """One line saying which licence or sanction decided the status, with dates; its licence
    number, decision reference and dates are kept whole on a narrow screen."""
    message, parts = _status_reason(status, format_date)
    html = escape(str(message))
    for part in sorted({str(p) for p in parts if p}, key=len, reverse=True):
        html = html.replace(escape(part), Markup('<span class="nobreak">%s</span>') % part)
    return Markup(html)


def _status_reason(status, format_date):
    lic, s = status.licence, status.sanction
    ref = (s.decision_ref or "-") if s is not None else None
    if status.code == REVOKED:
        since = format_date(status.since)
        return _l("Revoked from %(date)s (decision %(ref)s).", date=since, ref=ref), (since, ref)
    if status.code == SUSPENDED and status.until:
        start, end = format_date(status.since), format_date(status.until)
        return _l("Suspended from %(start)s to %(end)s (decision %(ref)s).", start=start,
                  end=end, ref=ref), (start, end, ref)
    if status.code == SUSPENDED:
        start = format_date(status.since)
        return _l("Suspended from %(start)s until further notice (decision %(ref)s).",
                  start=start, ref=ref), (start, ref)
    if status.code == LICENSED:
        start, end = format_date(lic.issued_on), format_date(lic.expires_on)
        return _l("Licence %(number)s is valid from %(start)s to %(end)s.", number=lic.number,
                  start=start, end=end), (lic.number, start, end)
    if status.code == EXPIRED:
        ended = format_date(lic.expires_on)
        return _l("Licence %(number)s ended on %(date)s.", number=lic.number,
                  date=ended), (lic.number, ended)
    if lic is not None:
        starts = format_date(lic.issued_on)
        return _l("Licence %(number)s starts on %(date)s.", number=lic.number,
                  date=starts), (lic.number, starts)
    return _l("The ministry has no licence on record for this agency."), ()

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

#: What a search that found nothing says (issue 14). Only an identifier that is not on record
#: may say "no licence"; a name may just be spelt another way.
NOTHING_FOUND = {
    "identifier": STATUS_ADVICE[NOT_LICENSED],
    "name": _l("No agency by this name in the registry. Do not pay anyone until you find "
               "the agency here."),
    "repairing": _l("Search by name is being repaired and will be back in a few minutes. You "
                    "can still search by licence number or phone number. Do not pay anyone "
                    "until you find the agency here."),
    "filters": _l("No agency matches these filters."),
}
