"""Sign in (password, then second factor), sign out, change password."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from .. import limits
from ..extensions import db
from ..models import User
from ..qrcode import qr_svg
from ..services import ServiceError, logins, users
from .forms import CodeForm, LoginForm, PasswordChangeForm

bp = Blueprint("auth", __name__, url_prefix="/admin")
#: Minutes between the password and the second factor.
PENDING_SECONDS = 300


def client_address():
    # Behind nginx, REGISTRY_PROXY_COUNT (ProxyFix) makes remote_addr the visitor's address.
    return request.remote_addr or "unknown"


def safe_next(default):
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def refused(template, form, field, error):
    """Show a refusal on the form: 429 with Retry-After when sign-in is slowed down."""
    field.errors.append(str(error))
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        return render_template(template, form=form), 429, {"Retry-After": str(retry_after)}
    return render_template(template, form=form), 400


def start_session(user):
    session.clear()
    login_user(user)
    session["login_at"] = session["seen_at"] = time.time()
    return redirect(safe_next(url_for("admin.dashboard_page")))


@bp.route("/login", methods=["GET", "POST"])
@limits.sign_in
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user, signed_in = logins.authenticate(form.email.data, form.password.data,
                                                  client_address(), form.code.data)
        except ServiceError as error:
            return refused("auth/login.html", form, form.password, error)
        if signed_in:
            return start_session(user)
        session.clear()
        session["pending_user"] = user.id
        session["pending_at"] = time.time()
        return redirect(url_for("auth.second_factor", next=safe_next("")))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def pending_user():
    user_id, since = session.get("pending_user"), session.get("pending_at", 0)
    if user_id is None or time.time() - since > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


@bp.route("/second-factor", methods=["GET", "POST"])
@limits.sign_in
def second_factor():
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            logins.check_second_factor(user, form.code.data, client_address())
        except ServiceError as error:
            form.code.errors.append(str(error))
            retry_after = getattr(error, "retry_after", None)
            status, headers = (429, {"Retry-After": str(retry_after)}) if retry_after \
                else (400, {})
        else:
            return start_session(user)
    elif form.errors:
        status = 400
    qr = None if user.totp_enrolled else qr_svg(logins.provisioning_uri(user))
    return render_template("auth/second_factor.html", form=form, qr=qr,
                           secret=None if user.totp_enrolled else user.totp_secret), \
        status, headers


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    users.sign_out(db.session.get(User, current_user.id))
    logout_user()
    session.clear()
    flash(str(_l("You are signed out.")))
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limits.sign_in
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user, form.current.data, form.new.data,
                                  form.confirm.data, client_address())
        except ServiceError as error:
            return refused("auth/password.html", form, form.new, error)
        else:
            logout_user()
            session.clear()
            flash(str(_l("Your password is changed. Please sign in with the new one.")))
            return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200

