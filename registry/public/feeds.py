"""Atom feeds: public sanctions (all agencies, and one per agency), every public change, and
the audit chain's signed checkpoints."""
import uuid

from flask import Blueprint, abort, make_response, render_template, request

from ..normalise import licence_key
from ..services import agencies, checkpoints, published
from ..urls import absolute, tag

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
LATEST = 100


def atom(sanctions, title, agency=None):
    self_url = absolute(request.endpoint, **(request.view_args or {}))
    feed_id = tag("agency", agency.public_id, "sanctions") if agency else tag("sanctions")
    body = render_template("public/feed.xml", sanctions=sanctions, title=title, agency=agency,
                           self_url=self_url, feed_id=feed_id, entry_id=lambda s: tag(
                               "agency", s.agency.public_id, "sanction", s.public_id),
                           updated=max((s.updated_at for s in sanctions), default=None))
    return atom_response(body)


def atom_response(body):
    """Readers poll feeds: they keep them, and ask again with the ETag (304 when unchanged)."""
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/sanctions.atom")
def sanctions_feed():
    return atom(published.latest_sanctions(LATEST), "sanctions")


@bp.route("/changes.atom")
def changes_feed():
    """Every public change, newest first: licences granted, renewed and run out, sanctions
    published or changed (issue 15)."""
    changes = published.latest_changes(LATEST, agencies.today())
    body = render_template("public/changes.xml", changes=changes, feed_id=tag("changes"),
                           self_url=absolute("feeds.changes_feed"), entry_id=change_id,
                           updated=changes[0].on if changes else None)
    return atom_response(body)


def change_id(change):
    if change.clearance is not None:
        return tag("agency", change.agency.public_id, "clearance",
                   licence_key(change.clearance.number), change.clearance.state)
    if change.sanction is not None:
        return tag("agency", change.agency.public_id, "sanction", change.sanction.public_id,
                   change.sanction.state)
    return tag("agency", change.agency.public_id, "licence", change.licence.number,
               change.kind.removeprefix("licence_"))


@bp.route("/agencies/<path:licence_number>.atom")
def agency_feed(licence_number):
    agency, _ = agencies.find(licence_number[:100])
    if agency is None:
        abort(404)
    return atom(published.sanctions_of(agency), "agency", agency)


@bp.route("/audit-checkpoints.atom")
def checkpoints_feed():
    """The newest signed checkpoints of the audit chain, for anyone who keeps copies."""
    newest = list(reversed(checkpoints.latest(LATEST)))
    body = render_template("public/checkpoints.xml", checkpoints=newest,
                           feed_id=uuid.uuid5(uuid.NAMESPACE_URL, checkpoints.origin()),
                           entry_id=lambda cp: uuid.uuid5(uuid.NAMESPACE_URL, cp.note))
    return atom_response(body)
