"""Sanctions (draft, approve, appeal, overturn) and complaints (record, update)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from ..auth import role_required
from ..extensions import db
from ..models import SANCTION_STATES, Agency, Complaint, Sanction
from ..services import ServiceError, complaints, sanctions
from .common import DATA_ENTRY, attempt, get_or_404, status
from .forms import ComplaintForm, ConfirmForm, SanctionActionForm, SanctionForm

bp = Blueprint("admin_records", __name__, url_prefix="/admin")


@bp.context_processor
def four_eyes():
    return {"may_approve": sanctions.may_approve}


def sanction_values(form):
    return {f: getattr(form, f).data for f in sanctions.FIELDS}


@bp.route("/sanctions")
@role_required(*DATA_ENTRY)
def list_sanctions(error=None):
    """Sanctions by state; the pending ones (or one import's) can be approved together."""
    state = request.args.get("state", "pending")
    state = state if state in SANCTION_STATES else "pending"
    batch = (request.args.get("batch") or "").strip()[:32]
    rows = sanctions.listing(state, batch)
    return render_template("admin/sanctions.html", rows=rows, state=state, batch=batch,
                           confirm=ConfirmForm(), error=error), 400 if error else 200


@bp.route("/sanctions/approve", methods=["POST"])
@role_required("approver")
def approve_sanctions():
    """Approve the ticked drafts: each box carries the id and the version the officer saw.
    (CSRFProtect checks the token of every POST before this runs.)"""
    items = []
    for value in request.form.getlist("sanction")[:sanctions.LIST_LIMIT]:
        ident, _, version = value.partition(":")
        sanction = db.session.get(Sanction, int(ident)) if ident.isdigit() else None
        if sanction is not None:
            items.append((sanction, version))
    try:
        count = sanctions.approve_many(items, current_user)
    except ServiceError as error:
        db.session.rollback()
        return list_sanctions(str(error))
    flash(ngettext("%(num)d sanction approved and published.",
                   "%(num)d sanctions approved and published.", count))
    return redirect(url_for(".list_sanctions", state="pending",
                            batch=request.args.get("batch", "")))


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
    current = None
    if form.validate_on_submit():
        done, current = attempt(form, steps[step])
        if done:
            return redirect(url_for(".show_sanction", sanction_id=sanction.id))
    return render_template("admin/sanction_form.html", form=SanctionForm(obj=sanction),
                           agency=sanction.agency, sanction=sanction, action_form=form,
                           current=current), 409 if current else 400


def complaint_values(form):
    return {f: getattr(form, f).data for f in complaints.FIELDS} | {
        "destination": form.destination.data or ""}


def private_values(form):
    return {f: getattr(form, f).data or "" for f in complaints.PRIVATE_FIELDS}


@bp.route("/complaints")
@role_required(*DATA_ENTRY)
def list_complaints():
    return render_template("admin/complaints.html", rows=complaints.latest())


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
