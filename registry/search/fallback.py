"""Identifiers looked up in the database, for when the index cannot be trusted to answer.

The database is the truth. A licence number, phone number or page address is one indexed
lookup there, so it is answered from the database when the index is damaged (with the tails
of numbers too, by a scan), and checked there when the index found nothing: a migrant is never
told "no licence on record" by a broken or lagging index about an agency the database holds.
"""
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Channel, Licence, Representative
from .analysis import phone_tail_query

#: Tails shorter than this are not looked up with LIKE (a scan): they name nothing.
MIN_TAIL = 6


def identifier_agencies(keys, tails=True):
    """Ids of agencies that hold (or held) a licence, or declared a phone or page, or whose
    representative carries a phone, matching one of `keys` (query.identifier_keys). With
    `tails`, also licence numbers and phones that end so: a scan, for when the index (which
    holds the tails) cannot answer."""
    ends = [k[4:] for k in keys if k.startswith("tel~")] if tails else []
    exact = [k for k in keys if not k.startswith("tel~")]
    licences = [Licence.number_key.in_(exact)]
    licences += [Licence.number_key.like(f"%{k}") for k in exact
                 if tails and k.isalnum() and len(k) >= MIN_TAIL]
    channels = [Channel.lookup_key.in_(exact)]
    channels += [Channel.lookup_key.like(f"%{t}") for t in ends]
    people = [Representative.phone_key.in_(exact)]
    people += [Representative.phone_key.like(f"%{t}") for t in ends]
    found = set()
    for column, conditions in ((Licence.agency_id, licences), (Channel.agency_id, channels),
                               (Representative.agency_id, people)):
        found.update(db.session.scalars(select(column).where(or_(*conditions))).all())
    return sorted(found)


def worth_checking(text, keys):
    """Whether a query that found nothing in the index could be an identifier: licence
    numbers and phones carry digits, names seldom three."""
    return bool(keys) and (sum(c.isdigit() for c in text) >= 3 or bool(phone_tail_query(text)))
