"""CSV upload in the import format (dry-run report first), and export."""
import io
import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_file
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from ..auth import role_required
from ..services.agencies import profile
from ..services.export import export_folder
from ..services.import_rows import FILES, count_rows
from ..services.imports import ImportRefused, import_folder
from .common import DATA_ENTRY
from .forms import ImportForm

bp = Blueprint("admin_data", __name__, url_prefix="/admin/data")


@bp.route("/import", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def upload():
    form = ImportForm()
    problems, result, unknown, too_large = None, None, [], None
    if form.validate_on_submit():
        with tempfile.TemporaryDirectory() as folder:
            for upload in request.files.getlist(form.files.name):
                name = secure_filename(upload.filename or "")
                if name in FILES:
                    upload.save(Path(folder) / name)
                else:
                    unknown.append(upload.filename)
            rows = count_rows(folder)
            if rows > current_app.config["REGISTRY_MAX_UPLOAD_ROWS"]:
                # It would outlast the web server's timeout: the command line has none.
                too_large = rows
            else:
                try:
                    result = import_folder(folder, profile(), current_user.email,
                                           dry_run=not form.commit.data)
                except ImportRefused as refused:
                    problems = refused.problems
    return render_template("admin/import.html", form=form, problems=problems, result=result,
                           unknown=unknown, committed=bool(form.commit.data and result),
                           too_large=too_large), \
        400 if problems or form.errors else 413 if too_large else 200


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    # The form must not read the request again: its body is what was too large.
    return render_template("admin/import.html", form=ImportForm(formdata=None), problems=None,
                           result=None, unknown=[], committed=False, too_large=True), 413


@bp.route("/export")
@role_required(*DATA_ENTRY)
def export():
    with tempfile.TemporaryDirectory() as tmp:
        export_folder(Path(tmp) / "csv")
        archive = shutil.make_archive(str(Path(tmp) / "export"), "zip", Path(tmp) / "csv")
        data = io.BytesIO(Path(archive).read_bytes())
    return send_file(data, mimetype="application/zip", as_attachment=True,
                     download_name="registry-export.zip")
