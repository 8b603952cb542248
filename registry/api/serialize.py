"""Public records as JSON: public fields only, dates ISO 8601, amounts as decimal strings."""
from ..services import agencies, clearances, published, resurfacing
from ..services.audit import jsonable
from ..services.verification import describe_clearance, status_reason
from ..urls import absolute


def three(obj, prefix):
    return {lang: getattr(obj, f"{prefix}_{lang}") or "" for lang in ("en", "km", "my")}


def agency_url(agency):
    return absolute("public.agency", lang="en", licence_number=agency.licence_number)


def search_result(agency):
    return {
        "id": agency.public_id,
        "licence_number": agency.licence_number,
        "name": agency.names(),
        "status": agencies.status_of(agency).code,
        "url": agency_url(agency),
    }


def agency_record(agency):
    profile = agencies.profile()
    today = agencies.today()
    status = agencies.status_of(agency, today)
    province = profile.province(agency.province) if agency.province else None
    summary = agencies.complaint_summary(agency)
    return jsonable({
        "id": agency.public_id,
        "licence_number": agency.licence_number,
        "name": agency.names(),
        "aliases": list(agency.aliases or []),
        "status": status.code,
        "status_on": today,
        "status_reason": status_reason(status),
        "province": {"code": province.code, "name": dict(province.names)} if province else None,
        "address": three(agency, "address"),
        "destinations": list(agency.destinations or []),
        "email": agency.email or "",
        "website": agency.website or "",
        "channels": [{"kind": c.kind, "value": c.value} for c in agency.channels],
        "licences": [{"number": lic.number, "issued_on": lic.issued_on,
                      "expires_on": lic.expires_on} for lic in agency.licences],
        "sanctions": [sanction(s) for s in published.sanctions_of(agency)],
        "complaint_summary": {
            **{k: summary[k] for k in ("total", "workers_affected", "by_category", "by_status")},
            "compensation": [{"currency": c, "amount": a}
                             for c, a in summary["compensation"].items()],
        },
        "complaints": [complaint(c) for c in agency.complaints],
        "representatives": [representative(r, today) for r in agency.representatives],
        "clearances": [describe_clearance(c, today) for c in clearances.public_of(agency)],
        "shared_with": [shared(link) for link in resurfacing.links_of(agency, today)],
        "url": agency_url(agency),
    })


def shared(link):
    """A channel or address shared with a revoked or suspended agency: a lead, not a verdict."""
    return {
        "kind": link.kind, "value": link.value,
        "agency": {"id": link.other.public_id, "licence_number": link.other.licence_number,
                   "name": link.other.names(), "url": agency_url(link.other)},
        "sanction": {"kind": link.sanction.kind, "effective_from": link.sanction.effective_from},
    }


def sanction(s):
    return {
        "id": s.public_id, "kind": s.kind, "state": s.state, "decided_on": s.decided_on,
        "effective_from": s.effective_from, "effective_to": s.effective_to,
        "amount": s.amount, "currency": s.currency or None, "paid": s.paid,
        "reason": three(s, "reason"), "decision_ref": s.decision_ref or "",
    }


def complaint(c):
    # Public fields only: who complained and what they wrote never leave the admin module.
    return {
        "case_ref": c.case_ref, "received_on": c.received_on, "category": c.category,
        "destination": c.destination or None, "workers_affected": c.workers_affected,
        "status": c.status, "compensation_amount": c.compensation_amount,
        "currency": c.compensation_currency or None, "closed_on": c.closed_on,
    }


def representative(r, today):
    return {
        "name": r.name, "id_number": r.id_number, "phone": r.phone, "province": r.province,
        "authorised_from": r.authorised_from, "authorised_to": r.authorised_to,
        "authorised_today": r.authorised_on(today),
    }
