"""Agencies: list, create, edit (with stale-edit protection), licences, representatives."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth import role_required
from ..i18n import current_lang
from ..models import Agency
from ..services import agency_edits
from ..services.agencies import find_for_staff, profile, status_of
from ..wording import SUBDIVISIONS
from .common import DATA_ENTRY, attempt, get_or_404, status
from .forms import AgencyForm, LicenceForm, NewAgencyForm, RepresentativeForm

bp = Blueprint("admin_agencies", __name__, url_prefix="/admin/agencies")
PAGE = 50


def province_choices(form):
    form.province.label.text = SUBDIVISIONS[profile().subdivision]
    form.province.choices = [SelectChoice("", "-")] + [
        SelectChoice(p.code, f"{p.name(current_lang())} ({p.code})") for p in profile().provinces]


def agency_values(form):
    return {f: getattr(form, f).data for f in agency_edits.FIELDS if f not in (
        "aliases",)} | {"aliases": [a.strip() for a in (form.aliases.data or "").split(";")
                                    if a.strip()],
                        "province": form.province.data or None}


@bp.route("/")
@role_required(*DATA_ENTRY)
def list_agencies():
    q = (request.args.get("q") or "").strip()[:100]
    rows = find_for_staff(q, PAGE)
    return render_template("admin/agencies.html", rows=[(a, status_of(a)) for a in rows], q=q)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def new_agency():
    form = NewAgencyForm()
    province_choices(form)
    if form.validate_on_submit():
        agency, _ = attempt(form, lambda: agency_edits.create_agency(
            agency_values(form), form.channels.data,
            (form.licence_number.data, form.issued_on.data, form.expires_on.data), current_user))
        if agency:
            return redirect(url_for(".edit_agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=None), status(form)


@bp.route("/<agency_id>", methods=["GET", "POST"])
@role_required(*DATA_ENTRY)
def edit_agency(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency) if request.method == "GET" else AgencyForm()
    province_choices(form)
    if request.method == "GET":
        form.aliases.data = "; ".join(agency.aliases or [])
        form.destinations.data = "; ".join(agency.destinations or [])
        form.channels.data = "\n".join(f"{c.kind}:{c.value}" for c in agency.channels)
        form.province.data = agency.province or ""
    current = None
    if form.validate_on_submit():
        saved, current = attempt(form, lambda: agency_edits.update_agency(
            agency, agency_values(form), form.channels.data, form.version.data, current_user))
        if saved is not None:
            return redirect(url_for(".edit_agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=agency, current=current,
                           status=status_of(agency), licence_form=LicenceForm(),
                           rep_form=RepresentativeForm()), status(form, current)


@bp.route("/<agency_id>/licences", methods=["POST"])
@role_required(*DATA_ENTRY)
def add_licence(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = LicenceForm()
    if form.validate_on_submit() and attempt(form, lambda: agency_edits.add_licence(
            agency, form.licence_number.data, form.issued_on.data, form.expires_on.data,
            current_user))[0]:
        return redirect(url_for(".edit_agency", agency_id=agency.id))
    return render_template("admin/child_form.html", form=form, agency=agency,
                           action=url_for(".add_licence", agency_id=agency.id)), 400


@bp.route("/<agency_id>/representatives", methods=["POST"])
@role_required(*DATA_ENTRY)
def add_representative(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = RepresentativeForm()
    values = {f: getattr(form, f).data for f in (
        "name", "id_number", "phone", "authorised_from", "authorised_to")}
    if form.validate_on_submit() and attempt(
            form, lambda: agency_edits.add_representative(agency, values, current_user))[0]:
        return redirect(url_for(".edit_agency", agency_id=agency.id))
    return render_template("admin/child_form.html", form=form, agency=agency,
                           action=url_for(".add_representative", agency_id=agency.id)), 400
