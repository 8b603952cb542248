"""The numbers on the regulators' dashboard."""
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Agency, Complaint, Sanction, UnmatchedSearch
from ..status import STATUSES
from . import published
from .agencies import FULL_RECORD, status_of, today


def figures(months=12, top=20):
    agencies = db.session.scalars(select(Agency).options(*FULL_RECORD[:2])).all()
    by_status = Counter(status_of(a).code for a in agencies)
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
        "by_status": [(s, by_status[s]) for s in STATUSES],
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
