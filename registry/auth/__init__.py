"""Regulators' sign-in: Flask-Login sessions bound to a per-user session version, idle and
absolute timeouts, and the role check every admin screen uses."""
import time
from functools import wraps

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, logout_user

from ..extensions import db
from ..models import User
from ..web import session_cookie_sent
from .views import bp

__all__ = ["bp", "init_app", "role_required"]

#: What an officer whose password must be changed may still open.
OPEN_UNTIL_CHANGED = ("auth.password", "auth.logout", "static")
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 10 * 3600
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id):
    ident, _, version = user_id.partition(".")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None  # logged out, disabled or password changed since this cookie was issued
    return user


def init_app(app):
    # Flask-Login's own context processor looks the user up for every template, which opens
    # the session of public pages too (Vary: Cookie); its proxy looks only when a template
    # (the staff pages') uses it.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    # Its remember-cookie upkeep also opens every response's session: only where one can be.
    upkeep = login_manager._update_remember_cookie
    app.after_request_funcs[None].remove(upkeep)
    app.after_request(lambda response: upkeep(response) if request.path.startswith("/admin")
                      or session_cookie_sent() else response)
    app.register_blueprint(bp)

    @app.before_request
    def session_timeouts():
        # Only staff pages (all under /admin) know who is signed in: public pages never open
        # the session, so they cost no sign-in lookup and carry no Vary: Cookie.
        if not request.path.startswith("/admin") or not current_user.is_authenticated:
            return None
        now = time.time()
        started, seen = session.get("login_at", 0), session.get("seen_at", 0)
        if now - seen > IDLE_SECONDS or now - started > ABSOLUTE_SECONDS:
            logout_user()
            session.clear()
            flash(str(_l("Your session has ended. Please sign in again.")))
            return redirect(url_for("auth.login", next=request.path))
        session["seen_at"] = now
        if (current_user.must_change_password and request.path.startswith("/admin")
                and request.endpoint not in OPEN_UNTIL_CHANGED):
            # Someone else chose this password: nothing else until the officer picks their own.
            flash(str(_l("Your password was chosen by someone else. Choose your own now.")))
            return redirect(url_for("auth.password"))
        return None


def role_required(*roles):
    """Signed-in staff with one of `roles`; anyone else is sent to sign in or refused (403)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate
