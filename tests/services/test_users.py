"""services.users: accounts, one-time first passwords, own passwords, sign-out, disabling."""
import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import User
from registry.services import ServiceError, logins, users

from .conftest import PASSWORD, last_entry

NEW = "lotus kettle granite harbour"


def test_create_user_sets_a_one_time_password_and_is_audited(ctx):
    user = users.create_user(" New.Officer@Ministry.example ", "clerk", PASSWORD, "admin@m")
    assert (user.email, user.role, user.must_change_password) == (
        "new.officer@ministry.example", "clerk", True)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    entry = last_entry()
    assert (entry.action, entry.actor, entry.after) == (
        "create_user", "admin@m", {"email": "new.officer@ministry.example", "role": "clerk"})


@pytest.mark.parametrize("email, role, password, message", [
    ("not-an-address", "clerk", PASSWORD, "not an e-mail address"),
    ("a@m.example", "king", PASSWORD, "role must be one of"),
    ("a@m.example", "clerk", "Password1234", "too easy to guess"),
    ("clerk@ministry.example", "clerk", PASSWORD, "already exists"),
])
def test_create_user_refuses(officers, email, role, password, message):
    with pytest.raises(ServiceError, match=message):
        users.create_user(email, role, password, "admin@m")


def test_change_password_ends_the_one_time_password_and_every_session(officers):
    user = officers["clerk"]
    version = user.session_version
    users.change_password(user, PASSWORD, NEW, NEW, "10.0.0.1")
    assert not user.must_change_password and user.session_version == version + 1
    assert logins.authenticate(user.email, NEW, "10.0.0.1")[0] is user
    assert (last_entry().action, last_entry().actor) == ("change_password", user.email)


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong current password", NEW, NEW, "current password is wrong"),
    (PASSWORD, NEW, NEW + "!", "not the same"),
    (PASSWORD, PASSWORD, PASSWORD, "different from the current one"),
    (PASSWORD, "aaaaaaaaaaaa", "aaaaaaaaaaaa", "too easy to guess"),
    (PASSWORD, "y" * 129, "y" * 129, "at most 128"),
])
def test_change_password_refuses(officers, current, new, confirm, message):
    user = officers["clerk"]
    with pytest.raises(ServiceError, match=message):
        users.change_password(user, current, new, confirm, "10.0.0.1")
    db.session.rollback()
    assert users.by_email(user.email).must_change_password


def test_guessing_the_current_password_is_throttled_like_sign_in(officers):
    user = officers["clerk"]
    for _ in range(logins.FREE["account"]):
        with pytest.raises(ServiceError, match="current password is wrong"):
            users.change_password(user, "wrong current password", NEW, NEW, "10.0.0.1")
    with pytest.raises(logins.Throttled):
        users.change_password(user, PASSWORD, NEW, NEW, "10.0.0.1")


def test_sign_out_ends_sessions_and_is_audited(officers):
    user = officers["clerk"]
    version = user.session_version
    users.sign_out(user)
    assert user.session_version == version + 1
    assert (last_entry().action, last_entry().actor) == ("sign_out", user.email)


def test_set_active_disables_and_enables(officers):
    clerk = officers["clerk"]
    users.set_active(clerk, False, "admin@ministry.example")
    assert not clerk.active
    assert last_entry().after == {"active": False}
    users.set_active(clerk, True, "admin@ministry.example")
    assert clerk.active and last_entry().action == "enable_user"
    with pytest.raises(ServiceError, match="your own account"):
        users.set_active(officers["admin"], False, "admin@ministry.example")


def test_all_users_and_by_email(officers):
    assert [u.email for u in users.all_users()] == sorted(
        u.email for u in db.session.scalars(select(User)))
    assert users.by_email(" CLERK@ministry.example") is officers["clerk"]
    assert users.by_email("nobody@ministry.example") is None
