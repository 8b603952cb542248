"""What the public may see of sanctions: the one place that says a pending sanction (a draft
awaiting a second officer's approval) is invisible. Pages, the API, feeds, exports, open data
and the dashboard's public figures all read sanctions through here."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import PUBLIC_CLEARANCE_STATES
from ..models import PUBLIC_SANCTION_STATES as PUBLIC_STATES
from ..models import Agency, Clearance, Licence, Sanction


def is_public(sanction):
    return sanction.state in PUBLIC_STATES


def sanctions_of(agency):
    """The agency's sanctions the public sees, newest decision first."""
    return [s for s in agency.sanctions if is_public(s)]


def public_sanctions_query():
    """A SELECT of public sanctions, for callers that add their own order and limits."""
    return select(Sanction).where(Sanction.state.in_(PUBLIC_STATES))


@dataclass(frozen=True)
class Change:
    """One public change to the record, for the feed of changes."""
    kind: str  # licence_granted|renewed|expired, sanction_<state>, clearance_<state>
    on: datetime
    agency: object
    licence: object = None
    sanction: object = None
    clearance: object = None


def latest_changes(limit, today):
    """The newest public changes up to `today`: licences granted or renewed (on their first
    day), licences that ran out (the day after their last), and sanctions and ad clearances
    as they became public or changed state (when an officer approved or changed them)."""
    # Each licence's agency with all its licences, in two queries: renewal is read from them.
    with_agency = joinedload(Licence.agency).selectinload(Agency.licences)
    licences = db.session.scalars(
        select(Licence).options(with_agency).where(Licence.issued_on <= today)
        .order_by(Licence.issued_on.desc(), Licence.id.desc()).limit(limit)).all()
    lapsed = db.session.scalars(
        select(Licence).options(joinedload(Licence.agency)).where(Licence.expires_on < today)
        .order_by(Licence.expires_on.desc(), Licence.id.desc()).limit(limit)).all()
    changes = [Change("licence_renewed" if _renews(lic) else "licence_granted",
                      datetime.combine(lic.issued_on, time()), lic.agency, licence=lic)
               for lic in licences]
    changes += [Change("licence_expired", datetime.combine(lic.expires_on + timedelta(days=1),
                                                           time()), lic.agency, licence=lic)
                for lic in lapsed]
    changes += [Change(f"sanction_{s.state}", s.updated_at, s.agency, sanction=s)
                for s in latest_sanctions(limit)]
    changes += [Change(f"clearance_{c.state}", c.updated_at, c.agency, clearance=c)
                for c in db.session.scalars(
                    select(Clearance).options(joinedload(Clearance.agency))
                    .where(Clearance.state.in_(PUBLIC_CLEARANCE_STATES))
                    .order_by(Clearance.updated_at.desc(), Clearance.id.desc()).limit(limit))]
    return sorted(changes, key=lambda c: c.on, reverse=True)[:limit]


def _renews(licence):
    return any(other.issued_on < licence.issued_on for other in licence.agency.licences)


def latest_sanctions(limit):
    """The most recently changed public sanctions, with their agencies (the Atom feed)."""
    return db.session.scalars(
        public_sanctions_query().options(joinedload(Sanction.agency))
        .order_by(Sanction.updated_at.desc(), Sanction.id.desc()).limit(limit)).all()
