"""Reading agencies: lookups by licence number or phone, status today, complaint summaries."""
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import countries
from ..extensions import db
from ..models import AGENCY_ID, Agency, Channel, Licence, Representative, Sanction
from ..normalise import clean_text, licence_key, phone_key
from ..search.analysis import licence_query_keys
from ..status import LICENSED, licence_status

#: What a line of results shows (name, licence number, status): one query per relationship
#: for the whole page of results, and nothing it does not show.
LISTED = (selectinload(Agency.licences), selectinload(Agency.sanctions))
#: Everything a public record shows, in a fixed number of queries whatever its size.
FULL_RECORD = (
    *LISTED, selectinload(Agency.complaints), selectinload(Agency.representatives),
    selectinload(Agency.channels), selectinload(Agency.clearances),
)


def profile():
    return countries.for_config(current_app.config)


def today():
    return date.today()


def status_of(agency, on=None):
    """Status from the database as of today (or `on`): never from the search index."""
    return licence_status(agency.licences, agency.sanctions, on or today())


def touched_by(entries):
    """The ids of the agencies whose own record, licences or sanctions the audit entries
    (entity, entity_key) changed: what decides an agency's status and its links. Agencies
    and licences are entered under a licence number, sanctions under their id."""
    numbers = {licence_key(key) for entity, key in entries if entity in ("agencies", "licences")}
    sanction_ids = {int(key) for entity, key in entries if entity == "sanctions"}
    touched = set()
    if numbers:
        touched.update(db.session.scalars(select(Licence.agency_id).where(
            Licence.number_key.in_(sorted(numbers)))))
    if sanction_ids:
        touched.update(db.session.scalars(select(Sanction.agency_id).where(
            Sanction.id.in_(sorted(sanction_ids)))))
    return touched


def by_licence_number(text):
    """The agency that holds or held this licence number, and that licence; (None, None).
    A number typed with the usual slips (O for 0, I for 1) is read as meant when it is not
    a licence number as typed."""
    key = licence_key(text)
    if not key:
        return None, None
    for candidate in [key, *sorted(licence_query_keys(text) - {key})]:
        lic = db.session.scalars(select(Licence).where(Licence.number_key == candidate)).first()
        if lic:
            return lic.agency, lic
    return None, None


def find(text):
    """The agency an address names: its permanent id (AG-…), or a licence number it holds or
    held (by_licence_number). (agency or None, the licence named or None)."""
    key = clean_text(text).upper()
    if AGENCY_ID.fullmatch(key):
        return db.session.scalars(select(Agency).where(Agency.public_id == key)).first(), None
    return by_licence_number(text)


def by_phone(text):
    """Agencies that declared this number, and representatives who carry it."""
    key = phone_key(text, profile().phone_region)
    if not key:
        return [], []
    agencies = db.session.scalars(select(Agency).where(Agency.id.in_(
        select(Channel.agency_id).where(Channel.lookup_key == key))).order_by(Agency.id)).all()
    reps = db.session.scalars(select(Representative).where(Representative.phone_key == key)).all()
    return agencies, reps


def get_many(agency_ids, load=FULL_RECORD):
    """Agencies in the order of `agency_ids` (search rank), with what `load` names."""
    if not agency_ids:
        return []
    rows = db.session.scalars(
        select(Agency).where(Agency.id.in_(agency_ids)).options(*load)
    ).all()
    by_id = {a.id: a for a in rows}
    return [by_id[i] for i in agency_ids if i in by_id]


def licensed_in(province, on=None):
    """(agency, status) for the agencies of a province licensed on `on` (today), by English
    name: a poster of a province. Three queries whatever their number (agencies, then their
    licences, sanctions and phones), never one per agency."""
    on = on or today()
    holding = select(Licence.agency_id).where(Licence.issued_on <= on, Licence.expires_on >= on)
    rows = db.session.scalars(
        select(Agency).where(Agency.province == province, Agency.id.in_(holding)).options(
            selectinload(Agency.licences), selectinload(Agency.sanctions),
            selectinload(Agency.channels))
    ).all()
    # Sorted here, not in SQL: SQLite and PostgreSQL collate case differently.
    rows.sort(key=lambda a: (a.name_en.casefold(), a.id))
    return [(a, status) for a, status in ((a, status_of(a, on)) for a in rows)
            if status.code == LICENSED]


def complaint_summary(agency):
    """Counts by category and status, and compensation awarded per currency."""
    complaints = agency.complaints
    compensation = defaultdict(Decimal)
    for c in complaints:
        if c.compensation_amount:
            compensation[c.compensation_currency or profile().currency] += c.compensation_amount
    return {
        "total": len(complaints),
        "workers_affected": sum(c.workers_affected or 0 for c in complaints),
        "by_category": dict(Counter(c.category for c in complaints).most_common()),
        "by_status": dict(Counter(c.status for c in complaints).most_common()),
        "compensation": dict(sorted(compensation.items())),
    }


def find_for_staff(text, limit=50):
    """The admin list: agencies whose name holds `text` (as typed: % and _ are letters, not
    wildcards), or whose licence number it is."""
    query = select(Agency).order_by(Agency.name_en)
    if text:
        query = query.where(or_(
            Agency.name_en.icontains(text, autoescape=True),
            Agency.name_km.contains(text, autoescape=True),
            Agency.name_my.contains(text, autoescape=True),
            Agency.id.in_(select(Licence.agency_id).where(
                Licence.number_key == licence_key(text)))))
    return db.session.scalars(query.options(*LISTED).limit(limit)).all()


def counts():
    """How many agencies, for the home page."""
    return db.session.scalar(select(db.func.count(Agency.id))) or 0
