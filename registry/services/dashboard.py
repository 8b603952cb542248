"""The numbers on the regulators' dashboard."""
from collections import Counter
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Agency, Complaint, Licence, Sanction, UnmatchedSearch
from ..status import (BINDING_STATES, EXPIRED, LICENSED, NOT_LICENSED, REVOKED, STATUSES,
                      SUSPENDED)
from . import agencies, audit, published
from .agencies import today


def statuses(on, among=None):
    """{agency id: status on `on`} of every agency, or of the ids `among`, by the database."""
    query = select(Agency.id, status_expression(on))
    if among is not None:
        query = query.where(Agency.id.in_(sorted(among)))
    return dict(db.session.execute(query).all())


@lru_cache(maxsize=4)
def status_expression(on):
    """An agency's status on `on` as an SQL expression: status.licence_status written in SQL
    (the first rule that applies wins; only binding sanctions count).
    tests/services/test_dashboard.py holds the two to the same answer on every case of the
    rule's table. Kept per day: building it (aliases, adapted clauses) was a fifth of the
    dashboard's first view after a change on the demo data."""
    def sanction(kind):
        s = aliased(Sanction)
        return s, [s.agency_id == Agency.id, s.kind == kind, s.state.in_(BINDING_STATES),
                   s.effective_from <= on]

    def licence(conditions, of=Agency.id):
        lic = aliased(Licence)
        return exists().where(lic.agency_id == of, *conditions(lic))

    revocation, revoked = sanction("revocation")
    # A licence issued after a revocation took effect is the agency licensed afresh.
    revoked.append(~licence(lambda lic: (lic.issued_on > revocation.effective_from,
                                         lic.issued_on <= on), of=revocation.agency_id))
    suspension, suspended = sanction("suspension")
    suspended.append(or_(suspension.effective_to.is_(None), suspension.effective_to >= on))
    return case(
        (exists().where(*revoked), REVOKED), (exists().where(*suspended), SUSPENDED),
        (licence(lambda lic: (lic.issued_on <= on, lic.expires_on >= on)), LICENSED),
        (licence(lambda lic: (lic.expires_on < on,)), EXPIRED), else_=NOT_LICENSED)


def figures(months=12, top=20):
    """The dashboard's figures. Those counted over the whole record (a million complaints take
    most of a second) are kept by the app and caught up on each change with what it touched
    (audit.kept_until_changed with catch_up), counted afresh when the day turns; leads and
    pending drafts are read each time."""
    kept = audit.kept_until_changed("registry_dashboard", record_figures, months,
                                    catch_up=caught_up)
    leads = db.session.execute(
        select(UnmatchedSearch.kind, UnmatchedSearch.text, func.sum(UnmatchedSearch.count))
        .where(UnmatchedSearch.day >= today() - timedelta(days=30))
        .group_by(UnmatchedSearch.kind, UnmatchedSearch.text)
        .order_by(func.sum(UnmatchedSearch.count).desc()).limit(top)).all()
    return {**{k: v for k, v in kept.items() if k != "statuses"}, "leads": leads,
            "pending": db.session.scalar(
                select(func.count(Sanction.id)).where(Sanction.state == "pending"))}


def record_figures(months):
    by_category, by_outcome, compensation = complaint_figures()
    return {**counted_statuses(statuses(today())), "per_month": sanctions_per_month(months),
            "by_category": by_category.most_common(), "by_outcome": by_outcome.most_common(),
            "compensation": compensation}


def counted_statuses(by_agency):
    counts = Counter(by_agency.values())
    return {"statuses": by_agency, "by_status": [(s, counts.get(s, 0)) for s in STATUSES]}


def caught_up(kept, entries, months):
    """`kept` (record_figures) after the audit entries `entries`: the statuses of the agencies
    they touched, sanctions per month if a sanction changed, complaints if one did."""
    kept = dict(kept)
    touched = agencies.touched_by(entries)
    if touched:
        kept.update(counted_statuses({**kept["statuses"],
                                      **statuses(today(), among=touched)}))
    entities = {entity for entity, _ in entries}
    if "sanctions" in entities:
        kept["per_month"] = sanctions_per_month(months)
    if "complaints" in entities:
        by_category, by_outcome, compensation = complaint_figures()
        kept.update(by_category=by_category.most_common(), by_outcome=by_outcome.most_common(),
                    compensation=compensation)
    return kept


def sanctions_per_month(months):
    since = (today().replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    per_month = Counter()
    # Counted per day by the database (a few hundred rows, not tens of thousands of
    # sanctions), then per month here: months are written differently in each SQL dialect.
    for decided_on, count in db.session.execute(
            published.public_sanctions_query().with_only_columns(Sanction.decided_on, func.count())
            .where(Sanction.decided_on >= since).group_by(Sanction.decided_on)):
        per_month[decided_on.strftime("%Y-%m")] += count
    return sorted(per_month.items())


def complaint_figures():
    """Complaints by category, by outcome, and compensation per currency, from one pass over
    the complaints (a million of them at national scale) rather than one each."""
    by_category, by_outcome, compensation = Counter(), Counter(), {}
    for category, outcome, currency, count, total in db.session.execute(
            select(Complaint.category, Complaint.status, Complaint.compensation_currency,
                   func.count(), func.sum(Complaint.compensation_amount))
            .group_by(Complaint.category, Complaint.status, Complaint.compensation_currency)):
        by_category[category] += count
        by_outcome[outcome] += count
        if total is not None:
            compensation[currency] = compensation.get(currency, 0) + total
    return by_category, by_outcome, compensation
