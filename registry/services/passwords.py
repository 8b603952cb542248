"""Passwords: how they are hashed, checked, and what makes a new one acceptable.

Hashes are argon2id (RFC 9106 low-memory profile, above OWASP ASVS level 2's minimum). A new
password must be 12 to 128 characters and hard to guess: zxcvbn scores it against its offline
lists of common and breached passwords, names and keyboard patterns (NIST SP 800-63B 3.1.1.2;
no composition rules, no network at run time).
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from . import ServiceError

hasher = PasswordHasher()
MIN_PASSWORD = 12
MAX_PASSWORD = 128
#: zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" online).
MIN_STRENGTH = 3
#: zxcvbn's own limit; the start of a longer password is what it judges.
SCORED_LENGTH = 72
#: Words of this product that make a password easier to guess.
CONTEXT_WORDS = ("registry", "ministry", "recruitment", "agency", "licence", "license",
                 "admin", "approver", "clerk", "cambodia", "myanmar", "mlvt")
#: Verified when the account does not exist, so that an unknown address costs the same time.
DUMMY_HASH = hasher.hash("an account that does not exist")


def check_new_password(password, email=""):
    """Refuse a password that is too short, too long or easy to guess."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise ServiceError(_l("the password needs at least %(n)d characters", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise ServiceError(_l("the password may have at most %(n)d characters", n=MAX_PASSWORD))
    hints = [*CONTEXT_WORDS, email, *email.replace(".", "@").split("@")]
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=[h for h in hints if h])["score"] \
            < MIN_STRENGTH:
        raise ServiceError(_l("This password is too easy to guess: it is a common password, "
                              "a word with a few changes or a simple pattern. A phrase of four "
                              "or more unrelated words is strong and easy to remember."))


def hash_password(password):
    return hasher.hash(password)


def check_password(user, password):
    """Whether `password` is the user's; the same work when there is no such user."""
    try:
        return hasher.verify(user.password_hash if user else DUMMY_HASH, password) \
            and user is not None
    except (VerificationError, InvalidHashError):
        return False
