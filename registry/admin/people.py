"""Accounts (admin only) and the audit log."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import role_required
from ..extensions import db
from ..models import AuditEntry, User
from ..services import ServiceError, audit, users
from .common import ADMINS, get_or_404, refuse
from .forms import ConfirmForm, UserForm

bp = Blueprint("admin_people", __name__, url_prefix="/admin")
PAGE = 100


@bp.route("/users", methods=["GET", "POST"])
@role_required(*ADMINS)
def list_users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            users.create_user(form.email.data, form.role.data, form.password.data,
                              actor=current_user.email)
        except ServiceError as error:
            refuse(form, error)
        else:
            return redirect(url_for(".list_users"))
    return render_template("admin/users.html", form=form, rows=users.all_users(),
                           confirm=ConfirmForm()), 400 if form.errors or form.form_errors else 200


@bp.route("/users/<user_id>/<action>", methods=["POST"])
@role_required(*ADMINS)
def set_user_active(user_id, action):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit() and action in ("enable", "disable"):
        try:
            users.set_active(user, action == "enable", current_user.email)
        except ServiceError as error:
            db.session.rollback()
            return render_template("admin/users.html", form=UserForm(), rows=users.all_users(),
                                   confirm=ConfirmForm(), error=str(error)), 400
    return redirect(url_for(".list_users"))


@bp.route("/audit")
@role_required(*ADMINS)
def audit_log():
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    filters = {k: (request.args.get(k) or "").strip()[:100] for k in ("actor", "entity", "key")}
    if filters["actor"]:
        query = query.where(AuditEntry.actor == filters["actor"])
    if filters["entity"]:
        query = query.where(AuditEntry.entity == filters["entity"])
    if filters["key"]:
        query = query.where(AuditEntry.entity_key == filters["key"])
    rows = db.session.scalars(query.limit(PAGE)).all()
    return render_template("admin/audit.html", rows=rows, filters=filters,
                           head=audit.head_hash())
