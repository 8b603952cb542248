"""Sanctions (draft, approve, appeal, overturn) and complaints (record, update)."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import role_required
from ..extensions import db
from ..models import Agency, Complaint, Sanction
from ..services import complaints, sanctions
from .common import DATA_ENTRY, attempt, get_or_404, status
from .forms import ComplaintForm, SanctionActionForm, SanctionForm

bp = Blueprint("admin_records", __name__, url_prefix="/admin")
PAGE = 100


def sanction_values(form):
    return {f: getattr(form, f).data for f in sanctions.FIELDS}


@bp.route("/sanctions")
@role_required(*DATA_ENTRY)
def list_sanctions():
    state = request.args.get("state", "pending")
    query = select(Sanction).order_by(Sanction.decided_on.desc()).limit(PAGE)
    if state in ("pending", "in_force", "under_appeal", "overturned"):
        query = query.where(Sanction.state == state)
    return render_template("admin/sanctions.html", rows=db.session.scalars(query).all(),
                           state=state)


@bp.route("/agencies/<agency_id>/sanctions/new", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def draft_sanction(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = SanctionForm()
    if form.validate_on_submit():
        sanction, _ = attempt(form, lambda: sanctions.draft(agency, sanction_values(form),
                                                            current_user))
        if sanction:
            return redirect(url_for(".show_sanction", sanction_id=sanction.id))
    return render_template("admin/sanction_form.html", form=form, agency=agency, sanction=None), \
        status(form)


@bp.route("/sanctions/<sanction_id>", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def show_sanction(sanction_id):
    """The sanction; while pending its draft can be edited here."""
    sanction = get_or_404(Sanction, sanction_id)
    form = SanctionForm(obj=sanction) if request.method == "GET" else SanctionForm()
    current = None
    if form.validate_on_submit():
        saved, current = attempt(form, lambda: sanctions.update_draft(
            sanction, sanction_values(form), form.version.data, current_user))
        if saved is not None:
            return redirect(url_for(".show_sanction", sanction_id=sanction.id))
    return render_template("admin/sanction_form.html", form=form, agency=sanction.agency,
                           sanction=sanction, current=current,
                           action_form=SanctionActionForm(version=sanction.version)), \
        status(form, current)


@bp.route("/sanctions/<sanction_id>/<step>", methods=["POST"])
@role_required("approver")
def sanction_step(sanction_id, step):
    sanction = get_or_404(Sanction, sanction_id)
    form = SanctionActionForm()
    steps = {
        "approve": lambda: sanctions.approve(sanction, form.version.data, current_user),
        "appeal": lambda: sanctions.mark_under_appeal(sanction, form.version.data, current_user),
        "overturn": lambda: sanctions.overturn(sanction, form.version.data, form.reason.data,
                                               current_user),
    }
    if step not in steps:
        return redirect(url_for(".show_sanction", sanction_id=sanction.id))
    if form.validate_on_submit() and attempt(form, steps[step])[0]:
        return redirect(url_for(".show_sanction", sanction_id=sanction.id))
    return render_template("admin/sanction_form.html", form=SanctionForm(obj=sanction),
                           agency=sanction.agency, sanction=sanction, action_form=form), 400


def complaint_values(form):
    return {f: getattr(form, f).data for f in complaints.FIELDS} | {
        "destination": form.destination.data or ""}


def private_values(form):
    return {f: getattr(form, f).data or "" for f in complaints.PRIVATE_FIELDS}


@bp.route("/complaints")
@role_required(*DATA_ENTRY)
def list_complaints():
    rows = db.session.scalars(select(Complaint).order_by(Complaint.received_on.desc())
                              .limit(PAGE)).all()
    return render_template("admin/complaints.html", rows=rows)


@bp.route("/agencies/<agency_id>/complaints/new", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def record_complaint(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = ComplaintForm()
    if form.validate_on_submit():
        complaint, _ = attempt(form, lambda: complaints.record(
            agency, complaint_values(form), private_values(form), current_user))
        if complaint:
            return redirect(url_for(".edit_complaint", complaint_id=complaint.id))
    return render_template("admin/complaint_form.html", form=form, agency=agency,
                           complaint=None), status(form)


@bp.route("/complaints/<complaint_id>", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def edit_complaint(complaint_id):
    complaint = get_or_404(Complaint, complaint_id)
    if request.method == "GET":
        form = ComplaintForm(obj=complaint)
        private = complaints.private_part(complaint)
        for field in complaints.PRIVATE_FIELDS:
            getattr(form, field).data = getattr(private, field)
    else:
        form = ComplaintForm()
    current = None
    if form.validate_on_submit():
        saved, current = attempt(form, lambda: complaints.update(
            complaint, complaint_values(form), private_values(form), form.version.data,
            current_user))
        if saved is not None:
            return redirect(url_for(".edit_complaint", complaint_id=complaint.id))
    return render_template("admin/complaint_form.html", form=form, agency=complaint.agency,
                           complaint=complaint, current=current), status(form, current)
