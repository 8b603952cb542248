"""Accounts (admin only) and the audit log."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth import role_required
from ..extensions import db
from ..models import User
from ..services import ServiceError, audit, checkpoints, logins, users
from .common import ADMINS, get_or_404, refuse
from .forms import ConfirmForm, UserForm

bp = Blueprint("admin_people", __name__, url_prefix="/admin")


def users_page(form, error=None):
    rows = [(u, logins.failures(u.email)) for u in users.all_users()]
    return render_template("admin/users.html", form=form, rows=rows, confirm=ConfirmForm(),
                           error=error), 400 if error or form.errors or form.form_errors else 200


@bp.route("/users", methods=["GET", "POST"])
@role_required(*ADMINS)
def list_users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            users.create_user(form.email.data, form.role.data, form.password.data,
                              actor=current_user.email)
        except ServiceError as error:
            db.session.rollback()
            refuse(form, error)
        else:
            return redirect(url_for(".list_users"))
    return users_page(form)


@bp.route("/users/<user_id>/<action>", methods=["POST"])
@role_required(*ADMINS)
def change_user(user_id, action):
    """Disable or enable an account, or clear its failed sign-ins."""
    user = get_or_404(User, user_id)
    steps = {
        "enable": lambda: users.set_active(user, True, current_user.email),
        "disable": lambda: users.set_active(user, False, current_user.email),
        "clear-failures": lambda: logins.clear_failures(user.email, current_user.email),
    }
    if action not in steps:
        return redirect(url_for(".list_users"))
    try:
        steps[action]()
    except ServiceError as error:
        db.session.rollback()
        return users_page(UserForm(), str(error))
    if action == "clear-failures":
        flash(str(_l("%(email)s can sign in again at once.", email=user.email)))
    return redirect(url_for(".list_users"))


@bp.route("/audit")
@role_required(*ADMINS)
def audit_log():
    filters = {k: (request.args.get(k) or "").strip()[:100] for k in ("actor", "entity", "key")}
    newest = checkpoints.latest()
    return render_template("admin/audit.html", rows=audit.entries(**filters), filters=filters,
                           head=audit.head_hash(), checkpoint=newest[0] if newest else None)
