"""Ad clearances: draft, approve (four eyes), withdraw. Every write goes through
services.clearances."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import role_required
from ..models import CLEARANCE_STATES, Agency, Clearance
from ..services import clearances, may_approve
from .common import DATA_ENTRY, attempt, get_or_404, status
from .forms import ClearanceActionForm, ClearanceForm

bp = Blueprint("admin_clearances", __name__, url_prefix="/admin")


@bp.context_processor
def four_eyes():
    return {"may_approve": may_approve}


def clearance_values(form):
    return {f: getattr(form, f).data for f in clearances.FIELDS}


@bp.route("/clearances")
@role_required(*DATA_ENTRY)
def list_clearances():
    state = request.args.get("state", "pending")
    state = state if state in CLEARANCE_STATES else "pending"
    return render_template("admin/clearances.html", rows=clearances.listing(state), state=state)


@bp.route("/agencies/<agency_id>/clearances/new", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def draft_clearance(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = ClearanceForm()
    if form.validate_on_submit():
        clearance, _ = attempt(form, lambda: clearances.draft(agency, clearance_values(form),
                                                              current_user))
        if clearance:
            return redirect(url_for(".show_clearance", clearance_id=clearance.id))
    return render_template("admin/clearance_form.html", form=form, agency=agency,
                           clearance=None), status(form)


@bp.route("/clearances/<clearance_id>", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def show_clearance(clearance_id):
    """The clearance; while pending its draft can be edited here."""
    clearance = get_or_404(Clearance, clearance_id)
    form = ClearanceForm(obj=clearance) if request.method == "GET" else ClearanceForm()
    current = None
    if form.validate_on_submit():
        saved, current = attempt(form, lambda: clearances.update_draft(
            clearance, clearance_values(form), form.version.data, current_user))
        if saved is not None:
            return redirect(url_for(".show_clearance", clearance_id=clearance.id))
    return render_template("admin/clearance_form.html", form=form, agency=clearance.agency,
                           clearance=clearance, current=current,
                           action_form=ClearanceActionForm(version=clearance.version)), \
        status(form, current)


@bp.route("/clearances/<clearance_id>/<step>", methods=["POST"])
@role_required("approver")
def clearance_step(clearance_id, step):
    clearance = get_or_404(Clearance, clearance_id)
    form = ClearanceActionForm()
    steps = {
        "approve": lambda: clearances.approve(clearance, form.version.data, current_user),
        "withdraw": lambda: clearances.withdraw(clearance, form.version.data, form.reason.data,
                                                current_user),
    }
    if step not in steps:
        return redirect(url_for(".show_clearance", clearance_id=clearance.id))
    current = None
    if form.validate_on_submit():
        done, current = attempt(form, steps[step])
        if done:
            return redirect(url_for(".show_clearance", clearance_id=clearance.id))
    return render_template("admin/clearance_form.html", form=ClearanceForm(obj=clearance),
                           agency=clearance.agency, clearance=clearance, action_form=form,
                           current=current), 409 if current else 400
