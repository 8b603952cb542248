"""Bulk checks for ad desks (issue 15): a pasted list or a CSV of up to 500 licence, phone or
clearance numbers, answered in one signed batch receipt (one receipt per number inside it),
shown as a printable page and downloadable as CSV."""
import csv
import io

from flask import Response, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from .. import limits
from ..services import ServiceError, verification
from ..spreadsheet import neutralise
from .forms import BulkVerifyForm
from .localised import localised_blueprint

bp = localised_blueprint("bulk", __name__)

CSV_COLUMNS = ("input", "kind", "verified", "status", "airable_reason", "agency_id",
               "licence_number", "name_en", "name_km", "name_my", "reference", "receipt_url")


class BadList(ValueError):
    pass


def numbers_in(pasted, upload):
    """The numbers to check, in order: each line of `pasted`, then the first cell of each row
    of the uploaded CSV (`upload`: bytes or None); a first row without a digit is a header."""
    lines = [line.split("\t")[0] for line in (pasted or "").splitlines()]
    if upload:
        try:
            text = upload.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadList(_l("The file is not a UTF-8 CSV file. Save it as \"CSV UTF-8\" and "
                             "try again.")) from None
        if "\x00" in text:
            raise BadList(_l("The file is not a UTF-8 CSV file. Save it as \"CSV UTF-8\" and "
                             "try again."))
        rows = [row[0] for row in csv.reader(io.StringIO(text)) if row]
        if rows and not any(c.isdigit() for c in rows[0]):
            rows = rows[1:]
        lines += rows
    return [line.strip() for line in lines if line.strip()]


@bp.route("/<lang>/verify/bulk", methods=["GET", "POST"])
@limits.bulk
def bulk_page():
    form = BulkVerifyForm()
    if form.validate_on_submit():
        try:
            upload = form.file.data.read() if form.file.data else None
            record = verification.verify_many(numbers_in(form.numbers.data, upload))
        except (BadList, ServiceError) as error:
            form.numbers.errors.append(str(error))
        else:
            return redirect(url_for("verify.receipt", reference=record.reference), 303)
    return render_template("public/bulk.html", form=form,
                           most=verification.MAX_BATCH), 400 if form.errors else 200


@bp.route("/verify/<reference>.csv")
def batch_csv(reference):
    """A batch receipt as a spreadsheet: one row per number, every cell safe to open."""
    record = verification.by_reference(reference)
    if record is None or record.query_kind != "batch":
        return render_template("errors/error.html", code=404, message=None,
                               receipt_missing=True), 404
    return Response(batch_rows(record.answer), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{record.reference}.csv"'})


def batch_rows(answer):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in answer["items"]:
        name = item.get("name") or {}
        row = {**item, "verified": "yes" if item["verified"] else "no",
               "name_en": name.get("en"), "name_km": name.get("km"), "name_my": name.get("my"),
               "receipt_url": verification.receipt_url(item["reference"])}
        writer.writerow([neutralise(str(row.get(c) or "")) for c in CSV_COLUMNS])
    # A byte-order mark, so that spreadsheets read Khmer and Burmese names as UTF-8.
    return "\ufeff" + out.getvalue()
