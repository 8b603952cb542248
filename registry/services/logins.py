"""Signing in: password, then a TOTP second factor; failed attempts slow and then stop further
tries, per account and per address. Counts live in the database so every web node agrees."""
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginFailure, User, utcnow
from . import ServiceError, audit
from .users import check_password

WINDOW = timedelta(minutes=15)
#: Failures in the window after which each further try must wait longer (2, 4, 8… seconds).
SLOW_AFTER = 3
#: Failures in the window after which sign-in is refused until the window has passed.
REFUSE_ACCOUNT_AFTER = 10
REFUSE_ADDRESS_AFTER = 30
ISSUER = "Recruitment Agency Registry"


@dataclass
class Throttle:
    wait_seconds: int = 0
    refused: bool = False


def throttle(email, address):
    """Whether a sign-in attempt may be made now."""
    now = utcnow()
    result = Throttle()
    for key, limit in ((f"account:{email}", REFUSE_ACCOUNT_AFTER),
                       (f"address:{address}", REFUSE_ADDRESS_AFTER)):
        count, last = db.session.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at))
            .where(LoginFailure.key == key, LoginFailure.at > now - WINDOW)).one()
        if count >= limit:
            result.refused = True
        elif count >= SLOW_AFTER and last is not None:
            ready = last + timedelta(seconds=2 ** (count - SLOW_AFTER + 1))
            result.wait_seconds = max(result.wait_seconds, int((ready - now).total_seconds()) + 1
                                      if ready > now else 0)
    return result


def check_allowed(email, address):
    state = throttle(email, address)
    if state.refused:
        raise ServiceError(_l("Too many failed sign-ins. Try again in 15 minutes, or ask an "
                              "administrator."))
    if state.wait_seconds:
        raise ServiceError(_l("Too many failed sign-ins. Wait %(seconds)d seconds and try "
                              "again.", seconds=state.wait_seconds))


def record_failure(email, address):
    db.session.add_all([LoginFailure(key=f"account:{email}"),
                        LoginFailure(key=f"address:{address}")])
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 2 * WINDOW))
    db.session.commit()


def authenticate(email, password, address):
    """The user whose password this is, or a ServiceError; failures are counted."""
    email = (email or "").strip().lower()
    check_allowed(email, address)
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None or not user.active or not check_password(user, password or ""):
        record_failure(email, address)
        raise ServiceError(_l("Wrong e-mail address or password."))
    return user


def provisioning_uri(user):
    """A new secret for enrolment (kept until confirmed) and the otpauth:// URI for the QR."""
    if not user.totp_secret or not user.totp_enrolled:
        if not user.totp_secret:
            user.totp_secret = pyotp.random_base32()
            db.session.commit()
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def check_second_factor(user, code, address):
    """Accept a TOTP code once (the same code cannot be replayed); enrol on first success."""
    check_allowed(user.email, address)
    code = "".join(ch for ch in (code or "") if ch.isdigit())[:8]
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    for drift in (0, -1, 1):  # the previous and next 30-second step absorb clock skew
        step = int(now.timestamp()) // 30 + drift
        if code and code == totp.at(step * 30) and step > user.totp_last_step:
            user.totp_last_step = step
            if not user.totp_enrolled:
                user.totp_enrolled = True
                audit.record(user.email, "enrol_second_factor", "users", user.email)
            db.session.commit()
            return
    record_failure(user.email, address)
    raise ServiceError(_l("That code is not right. Type the 6 digits your authenticator app "
                          "shows now."))
