"""Every agency, a page at a time, for re-users who keep a copy of the registry (issue 15).

The order is the permanent id: it never changes and never moves an agency, so a walk page by
page (keyset: "ids after the last one seen") gets each agency once, however many there are
and whatever changes meanwhile. `changed_since` keeps the agencies whose public record or
status changed at or after a moment: by a write (Agency.changed_at, stamped by
services.reindex_later), or by the calendar alone (a licence starting or running out, a
sanction starting, a suspension ending, a representative's authorisation starting or ending,
an ad clearance's days to be aired starting or ending),
which changes what the record says at midnight without any write."""
from datetime import UTC, datetime, time

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import PUBLIC_CLEARANCE_STATES, Agency, Clearance, Licence, Representative, Sanction
from ..status import BINDING_STATES, ONE_DAY, day_after, last_change
from . import agencies


def day_start(day):
    """The moment `day` begins, as naive UTC like the database's times. Days turn at midnight
    by the server's clock, as services.agencies.today counts them."""
    try:
        return datetime.combine(day, time()).astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):  # near the first or last day a datetime holds
        return datetime.min if day.year == 1 else datetime.max


def first_day_at_or_after(moment):
    """The first day that begins at or after `moment` (aware, at least a day from either end
    of what a datetime holds)."""
    local = moment.astimezone()
    return local.date() if local.time() == time() else local.date() + ONE_DAY


def _turns_between(first, last, starts, ends):
    """SQL: a day from `first` to `last` is one of the `starts`, or the day after one of the
    `ends` (a last day)."""
    return or_(*[column.between(first, last) for column in starts],
               *[column.between(first - ONE_DAY, last - ONE_DAY) for column in ends])


def turned_by_the_calendar(first, last):
    """SQL condition: the agency's record changes by itself on some day from `first` to `last`
    (status.change_days, and representatives' authorisations)."""
    return or_(
        exists().where(Licence.agency_id == Agency.id, _turns_between(
            first, last, [Licence.issued_on], [Licence.expires_on])),
        exists().where(Sanction.agency_id == Agency.id, Sanction.state.in_(BINDING_STATES),
                       _turns_between(first, last, [Sanction.effective_from],
                                      [Sanction.effective_to])),
        exists().where(Representative.agency_id == Agency.id, _turns_between(
            first, last, [Representative.authorised_from], [Representative.authorised_to])),
        exists().where(Clearance.agency_id == Agency.id,
                       Clearance.state.in_(PUBLIC_CLEARANCE_STATES), _turns_between(
                           first, last, [Clearance.valid_from], [Clearance.valid_to])))


def changed_since(moment, today):
    """SQL condition: changed at or after `moment` (aware), up to the day `today`."""
    written = Agency.changed_at >= moment.astimezone(UTC).replace(tzinfo=None)
    first = first_day_at_or_after(moment)
    if first > today:
        return written
    return or_(written, turned_by_the_calendar(first, today))


def page(after, limit, since=None):
    """Up to `limit` agencies whose permanent id sorts after `after` (None: from the first),
    in that order; with `since`, only those changed at or after it. (agencies, more follow)"""
    query = (select(Agency).order_by(Agency.public_id).limit(limit + 1)
             .options(selectinload(Agency.licences), selectinload(Agency.sanctions),
                      selectinload(Agency.representatives), selectinload(Agency.clearances)))
    if after is not None:
        query = query.where(Agency.public_id > after)
    if since is not None:
        query = query.where(changed_since(since, agencies.today()))
    found = db.session.scalars(query).all()
    return found[:limit], len(found) > limit


def changed_at(agency, today):
    """When the agency's record last changed, by a write or by the calendar (naive UTC):
    what changed_since compares, so every agency it lists changed at or after it."""
    days = [last_change(agency.licences, agency.sanctions, today)]
    for rep in agency.representatives:
        days += [d for d in (rep.authorised_from, day_after(rep.authorised_to)) if d and d <= today]
    for ad in agency.clearances:
        if ad.state in PUBLIC_CLEARANCE_STATES:
            days += [d for d in (ad.valid_from, day_after(ad.valid_to)) if d and d <= today]
    days = [d for d in days if d is not None]
    return max([agency.changed_at, *(day_start(d) for d in days)])

