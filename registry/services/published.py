"""What the public may see of sanctions: the one place that says a pending sanction (a draft
awaiting a second officer's approval) is invisible. Pages, the API, feeds, exports, open data
and the dashboard's public figures all read sanctions through here."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import PUBLIC_SANCTION_STATES as PUBLIC_STATES
from ..models import Sanction


def is_public(sanction):
    return sanction.state in PUBLIC_STATES


def sanctions_of(agency):
    """The agency's sanctions the public sees, newest decision first."""
    return [s for s in agency.sanctions if is_public(s)]


def public_sanctions_query():
    """A SELECT of public sanctions, for callers that add their own order and limits."""
    return select(Sanction).where(Sanction.state.in_(PUBLIC_STATES))


def latest_sanctions(limit):
    """The most recently changed public sanctions, with their agencies (the Atom feed)."""
    return db.session.scalars(
        public_sanctions_query().options(joinedload(Sanction.agency))
        .order_by(Sanction.updated_at.desc(), Sanction.id.desc()).limit(limit)).all()
