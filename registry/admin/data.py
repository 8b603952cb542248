"""CSV upload in the import format (dry-run report first), and export."""
import io
import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user
from werkzeug.utils import secure_filename

from ..auth import role_required
from ..services.agencies import profile
from ..services.export import export_folder
from ..services.import_rows import FILES
from ..services.imports import ImportRefused, import_folder
from .common import DATA_ENTRY
from .forms import ImportForm

bp = Blueprint("admin_data", __name__, url_prefix="/admin/data")


@bp.route("/import", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def upload():
    form = ImportForm()
    problems, result, unknown = None, None, []
    if form.validate_on_submit():
        with tempfile.TemporaryDirectory() as folder:
            for upload in request.files.getlist(form.files.name):
                name = secure_filename(upload.filename or "")
                if name in FILES:
                    upload.save(Path(folder) / name)
                else:
                    unknown.append(upload.filename)
            try:
                result = import_folder(folder, profile(), current_user.email,
                                       dry_run=not form.commit.data)
            except ImportRefused as refused:
                problems = refused.problems
    return render_template("admin/import.html", form=form, problems=problems, result=result,
                           unknown=unknown, committed=bool(form.commit.data and result)), \
        400 if problems or form.errors else 200


@bp.route("/export")
@role_required(*DATA_ENTRY)
def export():
    with tempfile.TemporaryDirectory() as tmp:
        export_folder(Path(tmp) / "csv")
        archive = shutil.make_archive(str(Path(tmp) / "export"), "zip", Path(tmp) / "csv")
        data = io.BytesIO(Path(archive).read_bytes())
    return send_file(data, mimetype="application/zip", as_attachment=True,
                     download_name="registry-export.zip")
