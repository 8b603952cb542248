"""Signing in: a password, then a TOTP second factor (or both in one step).

Failed attempts slow further ones down; nothing locks an account (OWASP ASVS 5.0 V6.3,
NIST SP 800-63B 5.2.2). Failures are counted in the database, so every web node agrees, under
three keys: the account (wrong passwords, unknown accounts), the visitor's address (every
failure from it) and the account's second factor (wrong codes after a right password). After a
few free failures each further try must wait twice as long as the last, up to 15 minutes.

A stranger can slow down an account's password-only sign-in, but not its owner: a sign-in that
brings the password *and* a current code is not held back by the account's or the address's
waits, only by the second factor's own, which only someone who knows the password can raise.
An administrator (or `flask clear-sign-in-failures`) can clear an account's failures.
Known and unknown accounts take the same time to answer: an unknown one is checked against a
dummy argon2 hash.
"""
import hmac
import time
from datetime import timedelta

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import LoginFailure, User, utcnow
from . import ServiceError, audit, commit
from .passwords import check_password

WINDOW = timedelta(hours=1)
#: Failures in the window before each further try must wait (2, 4, 8… seconds).
FREE = {"account": 3, "address": 10, "code": 3}
MAX_WAIT = 15 * 60
ISSUER = "Recruitment Agency Registry"
STEP = 30


class Throttled(ServiceError):
    """Too many recent failures: try again after `retry_after` seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def normalise_email(email):
    return (email or "").strip().lower()


def _wait(kind, ident, now):
    count, last = db.session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at))
        .where(LoginFailure.key == f"{kind}:{ident}", LoginFailure.at > now - WINDOW)).one()
    if count < FREE[kind] or last is None:
        return 0
    ready = last + timedelta(seconds=min(2 ** (count - FREE[kind] + 1), MAX_WAIT))
    return max(0, int((ready - now).total_seconds() + 0.999))


def password_wait(email, address):
    """Seconds before a password-only attempt for this account from this address."""
    now = utcnow()
    return max(_wait("account", normalise_email(email), now), _wait("address", address, now))


def code_wait(email):
    """Seconds before another second-factor code may be tried for this account."""
    return _wait("code", normalise_email(email), utcnow())


def check_allowed(email, address):
    wait = password_wait(email, address)
    if wait:
        raise Throttled(_l("Too many failed sign-ins. Wait %(seconds)d seconds, or type the "
                           "6-digit code from your authenticator app together with your "
                           "password to sign in now.", seconds=wait), wait)


def _check_code_allowed(email):
    wait = code_wait(email)
    if wait:
        raise Throttled(_l("Too many wrong codes. Wait %(seconds)d seconds and try again.",
                           seconds=wait), wait)


def record_failure(email, address, kind="account"):
    db.session.add_all([LoginFailure(key=f"{kind}:{normalise_email(email)}"),
                        LoginFailure(key=f"address:{address}")])
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 2 * WINDOW))
    db.session.commit()


def _digits(code):
    return "".join(ch for ch in (code or "") if ch.isdigit())[:8]


def authenticate(email, password, address, code=None):
    """Check a sign-in. Returns (user, signed_in): signed_in is True when a right code came
    with the password; otherwise the second factor is the next step. Raises ServiceError."""
    email, code = normalise_email(email), _digits(code)
    if code:
        _check_code_allowed(email)
    else:
        check_allowed(email, address)
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if not check_password(user, password or "") or not user.active:
        record_failure(email, address)
        raise ServiceError(_l("Wrong e-mail address, password or code.") if code else
                           _l("Wrong e-mail address or password."))
    if not code or (not user.totp_enrolled and not password_wait(email, address)):
        return user, False  # next: the second-factor page (which enrols a new officer)
    if user.totp_enrolled and _accept_code(user, code):
        return user, True
    record_failure(email, address, kind="code")
    raise ServiceError(_l("Wrong e-mail address, password or code."))


def provisioning_uri(user):
    """A new secret for enrolment (kept until confirmed) and the otpauth:// URI for the QR."""
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _accept_code(user, code):
    """Accept a code once: the step is claimed by one conditional UPDATE, so two requests
    carrying the same code at the same moment cannot both pass. Enrols on first success."""
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time()) // STEP
    for step in (now, now - 1, now + 1):  # the neighbouring steps absorb clock skew
        if not hmac.compare_digest(code, totp.at(step * STEP)):
            continue
        enrolling = not user.totp_enrolled
        claimed = db.session.execute(
            update(User).where(User.id == user.id, User.totp_last_step < step)
            .values(totp_last_step=step, totp_enrolled=True)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            db.session.rollback()
            return False
        if enrolling:
            audit.record(user.email, "enrol_second_factor", "users", user.email)
        audit.record(user.email, "sign_in", "users", user.email)
        commit()
        db.session.refresh(user)
        return True
    return False


def check_second_factor(user, code, address):
    """The second step: a current code, accepted once; enrols the app on first success."""
    _check_code_allowed(user.email)
    if _digits(code) and user.totp_secret and _accept_code(user, _digits(code)):
        return
    record_failure(user.email, address, kind="code")
    raise ServiceError(_l("That code is not right. Type the 6 digits your authenticator app "
                          "shows now."))


def failures(email):
    """Recent failed sign-ins and codes of an account (the accounts screen shows them)."""
    email = normalise_email(email)
    return db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.key.in_((f"account:{email}", f"code:{email}")),
        LoginFailure.at > utcnow() - WINDOW)) or 0


def clear_failures(email, actor):
    """Let an account sign in again at once (an administrator's decision, audited)."""
    email = normalise_email(email)
    cleared = db.session.execute(delete(LoginFailure).where(
        LoginFailure.key.in_((f"account:{email}", f"code:{email}")))).rowcount
    audit.record(actor, "clear_sign_in_failures", "users", email, None, {"cleared": cleared})
    commit()
    return cleared
