"""Open data: the whole public record as one download, the audit chain's head hash and its
signed checkpoints (so anyone can keep copies that a rewritten history would contradict)."""
import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, render_template, send_file

from ..services import audit, checkpoints
from ..services.export import export_folder

bp = Blueprint("opendata", __name__, url_prefix="/data")


def archive_path():
    """The archive for the current state of the registry, built once per change.

    Every write appends to the audit chain, so its head hash names the state exactly.
    """
    head = audit.head_hash()
    folder = Path(current_app.instance_path) / "opendata"
    path = folder / f"registry-public-{head[:16]}.zip"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            export_folder(Path(tmp) / "csv")
            # Whoever keeps this archive keeps the chain's head: history rewritten later shows.
            (Path(tmp) / "csv" / "audit-head.txt").write_text(head + "\n")
            newest = checkpoints.latest()
            if newest:
                (Path(tmp) / "csv" / "audit-checkpoint.txt").write_text(newest[0].note)
            built = shutil.make_archive(str(Path(tmp) / "archive"), "zip", Path(tmp) / "csv")
            Path(built).replace(path)  # atomic: a reader never sees half an archive
        for old in folder.glob("registry-public-*.zip"):
            if old != path:
                old.unlink(missing_ok=True)
    return path, head


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
def archive():
    path, head = archive_path()
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name="registry-public.zip", etag=head, conditional=True,
                     max_age=0)
