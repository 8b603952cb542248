"""Regulators' accounts. A password chosen by someone else (an administrator, the command
line) works for one sign-in, which must end by choosing a new one (docs/admin.md)."""
import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, User
from . import ServiceError, audit, commit, logins
from .passwords import check_new_password, check_password, hash_password


def create_user(email, role, password, actor):
    """An account whose first password was chosen by `actor`: it must be changed at once."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ServiceError(_l("%(email)s is not an e-mail address", email=email))
    if role not in ROLES:
        raise ServiceError(_l("role must be one of: %(roles)s", roles=", ".join(ROLES)))
    check_new_password(password, email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ServiceError(_l("a user %(email)s already exists", email=email))
    user = User(email=email, role=role, password_hash=hash_password(password),
                must_change_password=True)
    db.session.add(user)
    audit.record(actor, "create_user", "users", email, None, {"email": email, "role": role})
    commit()
    return user


def end_sessions(user):
    """Every session cookie issued to the user stops working (logout, disable, new password)."""
    user.session_version += 1


def change_password(user, current, new, confirm, address):
    """The user's own new password. Wrong current passwords count as failed sign-ins."""
    logins.check_allowed(user.email, address)
    if not check_password(user, current or ""):
        logins.record_failure(user.email, address)
        raise ServiceError(_l("The current password is wrong."))
    if new != confirm:
        raise ServiceError(_l("The two new passwords are not the same."))
    if new == current:
        raise ServiceError(_l("Choose a password different from the current one."))
    check_new_password(new, user.email)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)
    audit.record(user.email, "change_password", "users", user.email)
    commit()


def sign_out(user):
    end_sessions(user)
    audit.record(user.email, "sign_out", "users", user.email)
    commit()


def set_active(user, active, actor):
    if user.email == actor and not active:
        raise ServiceError(_l("You cannot disable your own account."))
    before = {"active": user.active}
    user.active = active
    end_sessions(user)
    audit.record(actor, "enable_user" if active else "disable_user", "users", user.email,
                 before, {"active": active})
    commit()


def all_users():
    return db.session.scalars(select(User).order_by(User.email)).all()


def by_email(email):
    email = (email or "").strip().lower()
    return db.session.scalars(select(User).where(User.email == email)).first()


def create_demo_officer(email, role, password, actor):
    """An officer for trying the registry locally: their own password and an enrolled
    authenticator, so the first sign-in is an ordinary one. Returns the otpauth:// URI."""
    user = create_user(email, role, password, actor)
    user.must_change_password = False
    user.totp_secret, user.totp_enrolled = pyotp.random_base32(), True
    audit.record(actor, "create_demo_officer", "users", email, None, {"role": role})
    commit()
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=email, issuer_name=logins.ISSUER)
