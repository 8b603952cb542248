"""Atom feeds of public sanctions: all agencies, and one per agency."""
from flask import Blueprint, abort, make_response, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import PUBLIC_SANCTION_STATES, Sanction
from ..services import agencies

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
LATEST = 100


def atom(sanctions, title, agency=None):
    body = render_template("public/feed.xml", sanctions=sanctions, title=title, agency=agency,
                           updated=max((s.updated_at for s in sanctions), default=None))
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/sanctions.atom")
def sanctions_feed():
    sanctions = db.session.scalars(
        select(Sanction).where(Sanction.state.in_(PUBLIC_SANCTION_STATES))
        .options(joinedload(Sanction.agency)).order_by(Sanction.updated_at.desc()).limit(LATEST)
    ).all()
    return atom(sanctions, "sanctions")


@bp.route("/agencies/<path:licence_number>.atom")
def agency_feed(licence_number):
    agency, _ = agencies.by_licence_number(licence_number[:100])
    if agency is None:
        abort(404)
    return atom(agencies.public_sanctions(agency), "agency", agency)
