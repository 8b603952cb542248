"""Regulators' accounts. Passwords are hashed with argon2id (RFC 9106 low-memory profile,
above OWASP ASVS level 2's minimum)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, User
from . import ServiceError, audit, commit

hasher = PasswordHasher()
MIN_PASSWORD = 12


def create_user(email, role, password, actor):
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ServiceError(_l("%(email)s is not an e-mail address", email=email))
    if role not in ROLES:
        raise ServiceError(_l("role must be one of: %(roles)s", roles=", ".join(ROLES)))
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(_l("the password needs at least %(n)d characters", n=MIN_PASSWORD))
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ServiceError(_l("a user %(email)s already exists", email=email))
    user = User(email=email, role=role, password_hash=hasher.hash(password))
    db.session.add(user)
    audit.record(actor, "create_user", "users", email, None, {"email": email, "role": role})
    commit()
    return user


def check_password(user, password):
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user):
    """Every session cookie issued to the user stops working (logout, disable, new password)."""
    user.session_version += 1


def change_password(user, current, new, confirm):
    if not check_password(user, current or ""):
        raise ServiceError(_l("The current password is wrong."))
    if new != confirm:
        raise ServiceError(_l("The two new passwords are not the same."))
    if len(new or "") < MIN_PASSWORD:
        raise ServiceError(_l("the password needs at least %(n)d characters", n=MIN_PASSWORD))
    user.password_hash = hasher.hash(new)
    end_sessions(user)
    audit.record(user.email, "change_password", "users", user.email)
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
