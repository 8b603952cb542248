"""Open data: the whole public record as one download, dated snapshots of it kept for ever
(each with its SHA-256, `latest` links, an index for programs), the audit chain's head hash and
its signed checkpoints (so anyone can keep copies that a rewritten history would contradict)."""
from flask import (Blueprint, abort, jsonify, make_response, redirect, render_template,
                   request, send_file, url_for)

from .. import limits
from ..services import archive as archives
from ..services import audit, checkpoints, snapshots
from ..urls import absolute

bp = Blueprint("opendata", __name__, url_prefix="/data")
#: A dated snapshot never changes: caches may keep it for a year without asking again.
YEAR = 365 * 24 * 3600


@bp.route("/")
def index():
    snapshots.ensure_today()
    newest = checkpoints.latest()
    return render_template("public/data.html", head=audit.head_hash(),
                           checkpoint=newest[0] if newest else None,
                           verifier_key=checkpoints.verifier_key(),
                           problem=audit.latest_checkpoint_problem(),
                           snapshots=snapshots.kept())


@bp.route("/audit-checkpoints.txt")
def checkpoint_log():
    """Every signed checkpoint this node wrote, oldest first (C2SP signed notes)."""
    path = checkpoints.log_path()
    if not path.is_file():
        return "", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return send_file(path, mimetype="text/plain; charset=utf-8", conditional=True, max_age=0)


@bp.route("/registry-public.zip")
@limits.open_data
def archive():
    path, version = archives.current()
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name="registry-public.zip", etag=version, conditional=True,
                     max_age=0)


def _newest():
    snapshots.ensure_today()
    return snapshots.newest() or abort(404)


def _fresh(response):
    """What `latest` names changes once a day: a cache asks again each time."""
    response.cache_control.no_cache = True
    return response


@bp.route("/latest.zip")
@limits.open_data
def latest():
    return _fresh(redirect(url_for("opendata.snapshot", day=_newest().day.isoformat()), 302))


def _checksum(snapshot):
    """The snapshot's line of sha256sum: `sha256sum -c` checks a download against it."""
    response = make_response(snapshot.checksum_line)
    response.mimetype = "text/plain"
    response.set_etag(snapshot.sha256)
    return response.make_conditional(request)


@bp.route("/latest.sha256")
def latest_checksum():
    return _fresh(_checksum(_newest()))


@bp.route("/registry-public-<day>.zip")
@limits.open_data
def snapshot(day):
    found = snapshots.find(f"registry-public-{day}.zip") or abort(404)
    response = send_file(found.path, mimetype="application/zip", as_attachment=True,
                         download_name=found.name, etag=found.sha256, conditional=True,
                         max_age=YEAR)
    response.cache_control.immutable = True
    return response


@bp.route("/registry-public-<day>.zip.sha256")
def snapshot_checksum(day):
    found = snapshots.find(f"registry-public-{day}.zip") or abort(404)
    response = _checksum(found)
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return response


@bp.route("/snapshots.json")
def index_json():
    """The kept snapshots for programs, newest first, with absolute addresses."""
    snapshots.ensure_today()
    kept = snapshots.kept()
    response = jsonify({
        "latest": absolute("opendata.latest") if kept else None,
        "snapshots": [{"date": s.day.isoformat(), "bytes": s.size, "sha256": s.sha256,
                       "url": absolute("opendata.snapshot", day=s.day.isoformat()),
                       "sha256_url": absolute("opendata.snapshot_checksum",
                                              day=s.day.isoformat())}
                      for s in kept]})
    response.add_etag()
    return _fresh(response.make_conditional(request))
