"""Every agency, a page at a time, for re-users who keep a copy of the registry (issue 15).

The order is the permanent id: it never changes and never moves an agency, so a walk page by
page (keyset: "ids after the last one seen") gets each agency once, however many there are
and whatever changes meanwhile. `changed_since` keeps the agencies whose public record or
status changed at or after a moment: by a write (Agency.changed_at, stamped by
services.reindex_later), or by the calendar alone (a licence starting or running out, a
sanction starting, a suspension ending, a representative's authorisation starting or ending,
an ad clearance's days to be aired starting or ending, an agency it shares a phone or an
address with becoming or ceasing to be flagged: its `shared_with`, services.resurfacing),
which changes what the record says at midnight without any write."""
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, or_, select, union
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import PUBLIC_CLEARANCE_STATES, Agency, Clearance, Licence, Representative, Sanction
from ..status import BINDING_STATES, ONE_DAY, day_after, last_change
from . import agencies
from .resurfacing import FLAG_DAYS, FLAGGING, sharing

#: A flag lapses this long after its sanction took effect (unless the agency is still revoked
#: or suspended): the day the agencies sharing something with it stop naming it (flagged on
#: the FLAG_DAYS-th day, not on the next).
FLAG_SPAN = timedelta(days=FLAG_DAYS + 1)


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
                           first, last, [Clearance.valid_from], [Clearance.valid_to])),
        # Correlated explicitly: two levels down, SQLAlchemy would list agency in their FROM.
        *[exists().where(Sanction.agency_id.in_(others.correlate(Agency)),
                         *_flag_turns(first, last))
          for others in sharing(lambda mine: mine == Agency.id)])


def _flag_turns(first, last):
    """SQL conditions on Sanction: it flags its agency (resurfacing) and that turns on a day
    from `first` to `last`: it takes effect, a suspension ends, or five years have passed."""
    return (Sanction.kind.in_(FLAGGING), Sanction.state.in_(BINDING_STATES),
            or_(_turns_between(first, last, [Sanction.effective_from], [Sanction.effective_to]),
                Sanction.effective_from.between(_before(first), _before(last))))


def _before(day):
    """FLAG_SPAN before `day`, or the first day there is."""
    return day - FLAG_SPAN if day - date.min >= FLAG_SPAN else date.min


def _after(day):
    """FLAG_SPAN after `day`, or None past the last day there is."""
    return day + FLAG_SPAN if date.max - day >= FLAG_SPAN else None


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


def flag_turns(agency_ids, today):
    """{agency id: the days up to `today` on which an agency it shares something with became
    or ceased to be flagged} for the agencies `agency_ids` (one query)."""
    ids = sorted(agency_ids)
    pairs = union(*sharing(lambda mine: mine.in_(ids), pairs=True)).subquery()
    turns = defaultdict(list)
    for agency_id, start, end in db.session.execute(
            select(pairs.c.agency_id, Sanction.effective_from, Sanction.effective_to)
            .join(Sanction, Sanction.agency_id == pairs.c.other)
            .where(Sanction.kind.in_(FLAGGING), Sanction.state.in_(BINDING_STATES))):
        turns[agency_id] += [d for d in (start, day_after(end), _after(start))
                             if d and d <= today]
    return turns


def changed_at(agency, today, turns=()):
    """When the agency's record last changed, by a write or by the calendar (naive UTC):
    what changed_since compares, so every agency it lists changed at or after it. `turns`:
    its flag_turns."""
    days = [last_change(agency.licences, agency.sanctions, today), *turns]
    for rep in agency.representatives:
        days += [d for d in (rep.authorised_from, day_after(rep.authorised_to)) if d and d <= today]
    for ad in agency.clearances:
        if ad.state in PUBLIC_CLEARANCE_STATES:
            days += [d for d in (ad.valid_from, day_after(ad.valid_to)) if d and d <= today]
    days = [d for d in days if d is not None]
    return max([agency.changed_at, *(day_start(d) for d in days)])

