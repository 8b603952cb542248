"""The numbers on the regulators' dashboard."""
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Agency, Complaint, Licence, Sanction, UnmatchedSearch
from ..status import (BINDING_STATES, EXPIRED, LICENSED, NOT_LICENSED, REVOKED, STATUSES,
                      SUSPENDED)
from . import published
from .agencies import today


def status_counts(on):
    """How many agencies hold each status on `on`, counted by the database in one query:
    loading every agency to ask the Python rule costs seconds at 100,000 agencies."""
    status = status_expression(on)
    return dict(db.session.execute(select(status, func.count()).select_from(Agency)
                                   .group_by(status)).all())


def status_expression(on):
    """An agency's status on `on` as an SQL expression: status.licence_status written in SQL
    (the first rule that applies wins; only binding sanctions count).
    tests/services/test_dashboard.py holds the two to the same answer on every case of the
    rule's table."""
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
    by_status = status_counts(today())
    since = (today().replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    per_month = Counter()
    for decided_on, in db.session.execute(published.public_sanctions_query().with_only_columns(
            Sanction.decided_on).where(Sanction.decided_on >= since)):
        per_month[decided_on.strftime("%Y-%m")] += 1
    compensation = defaultdict(int)
    for currency, total in db.session.execute(
            select(Complaint.compensation_currency, func.sum(Complaint.compensation_amount))
            .where(Complaint.compensation_amount.is_not(None))
            .group_by(Complaint.compensation_currency)):
        compensation[currency] = total
    leads = db.session.execute(
        select(UnmatchedSearch.kind, UnmatchedSearch.text, func.sum(UnmatchedSearch.count))
        .where(UnmatchedSearch.day >= today() - timedelta(days=30))
        .group_by(UnmatchedSearch.kind, UnmatchedSearch.text)
        .order_by(func.sum(UnmatchedSearch.count).desc()).limit(top)).all()
    return {
        "by_status": [(s, by_status.get(s, 0)) for s in STATUSES],
        "per_month": sorted(per_month.items()),
        "by_category": count_by(Complaint.category),
        "by_outcome": count_by(Complaint.status),
        "compensation": dict(compensation),
        "pending": db.session.scalar(select(func.count(Sanction.id)).where(
            Sanction.state == "pending")),
        "leads": leads,
    }


def count_by(column):
    return db.session.execute(select(column, func.count()).group_by(column)
                              .order_by(func.count().desc())).all()
