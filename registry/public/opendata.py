"""Open data: the whole public record as one download, the audit chain's head hash and its
signed checkpoints (so anyone can keep copies that a rewritten history would contradict)."""
from flask import Blueprint, render_template, send_file

from .. import limits
from ..services import archive as archives
from ..services import audit, checkpoints

bp = Blueprint("opendata", __name__, url_prefix="/data")


@bp.route("/")
def index():
    newest = checkpoints.latest()
    return render_template("public/data.html", head=audit.head_hash(),
                           checkpoint=newest[0] if newest else None,
                           verifier_key=checkpoints.verifier_key(),
                           problem=audit.latest_checkpoint_problem())


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
