"""services.logins: signing in resists guessing without letting a stranger lock the owner out
(OWASP ASVS 5.0 V6.3; NIST SP 800-63B 5.2.2)."""
import multiprocessing
import statistics
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.extensions import db
from registry.models import LoginFailure, User, utcnow
from registry.services import ServiceError, logins, passwords, users

from .conftest import PASSWORD, last_entry

OWNER, ATTACKER = "10.0.0.1", "203.0.113.9"


def enrolled(user):
    """Enrol the officer's authenticator app; returns the TOTP that app would show."""
    logins.provisioning_uri(user)
    totp = pyotp.TOTP(user.totp_secret)
    logins.check_second_factor(user, totp.now(), OWNER)
    return totp


def next_code(user, totp):
    """A code for a step not used yet (each step is accepted once)."""
    step = max(user.totp_last_step + 1, int(time.time()) // 30)
    return totp.at(step * 30) if step <= int(time.time()) // 30 + 1 else None


def fail(email, times, address=ATTACKER):
    for _ in range(times):
        with pytest.raises(ServiceError):
            logins.authenticate(email, "not the password at all", address)


def test_a_right_password_leads_to_the_second_factor(officers):
    user, signed_in = logins.authenticate(" Clerk@Ministry.example ", PASSWORD, OWNER)
    assert (user.email, signed_in) == ("clerk@ministry.example", False)


def test_wrong_passwords_slow_the_account_down_without_counting_the_waits(officers):
    fail("clerk@ministry.example", 3)
    with pytest.raises(logins.Throttled) as slowed:
        logins.authenticate("clerk@ministry.example", PASSWORD, OWNER)
    assert 1 <= slowed.value.retry_after <= 2
    assert "Wait" in str(slowed.value)
    keys = db.session.scalars(select(LoginFailure.key)).all()
    assert keys.count("account:clerk@ministry.example") == 3  # the refused try is not counted


def test_the_waits_double_and_are_capped(officers, monkeypatch):
    email = "clerk@ministry.example"
    for n, expected in ((4, 4), (5, 8), (20, logins.MAX_WAIT)):
        db.session.execute(LoginFailure.__table__.delete())
        db.session.add_all([LoginFailure(key=f"account:{email}") for _ in range(n)])
        db.session.commit()
        assert expected - 1 <= logins.password_wait(email, OWNER) <= expected


def test_failures_older_than_the_window_do_not_count(officers):
    email = "clerk@ministry.example"
    old = utcnow() - logins.WINDOW - timedelta(minutes=1)
    db.session.add_all([LoginFailure(key=f"account:{email}", at=old) for _ in range(10)])
    db.session.commit()
    assert logins.password_wait(email, OWNER) == 0
    ancient = utcnow() - 3 * logins.WINDOW
    db.session.add(LoginFailure(key=f"account:{email}", at=ancient))
    db.session.commit()
    logins.record_failure(email, OWNER)  # prunes what no window will count again
    assert db.session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.at < utcnow() - 2 * logins.WINDOW)) == 0


def test_an_address_that_fails_often_waits_for_every_account(officers):
    for i in range(logins.FREE["address"]):
        fail(f"guess{i}@ministry.example", 1)
    with pytest.raises(logins.Throttled):
        logins.authenticate("approver@ministry.example", PASSWORD, ATTACKER)
    user, _ = logins.authenticate("approver@ministry.example", PASSWORD, OWNER)
    assert user.email == "approver@ministry.example"


def test_a_stranger_cannot_lock_the_owner_out(officers):
    """The attack: a third party fails many times on the officer's account. The officer's
    password alone must wait; with a current code it gets through at once."""
    owner = officers["approver"]
    totp = enrolled(owner)
    fail(owner.email, 25)
    with pytest.raises(logins.Throttled) as waiting:
        logins.authenticate(owner.email, PASSWORD, OWNER)
    assert "together with your password" in str(waiting.value)
    user, signed_in = logins.authenticate(owner.email, PASSWORD, OWNER, next_code(owner, totp))
    assert (user.email, signed_in) == (owner.email, True)
    assert last_entry().action == "sign_in"


def test_the_one_step_path_still_needs_the_right_password(officers):
    owner = officers["approver"]
    totp = enrolled(owner)
    fail(owner.email, 5)
    before = logins.failures(owner.email)
    with pytest.raises(ServiceError, match="password or code"):
        logins.authenticate(owner.email, "a wrong guess entirely", ATTACKER,
                            next_code(owner, totp))
    assert logins.failures(owner.email) == before + 1


def test_wrong_codes_after_a_right_password_are_slowed_down(officers):
    owner = officers["approver"]
    enrolled(owner)
    for _ in range(logins.FREE["code"]):
        with pytest.raises(ServiceError, match="password or code"):
            logins.authenticate(owner.email, PASSWORD, ATTACKER, "000000")
    with pytest.raises(logins.Throttled, match="wrong codes"):
        logins.authenticate(owner.email, PASSWORD, ATTACKER, "000000")
    with pytest.raises(logins.Throttled, match="wrong codes"):
        logins.check_second_factor(owner, "000000", ATTACKER)
    assert logins.code_wait(owner.email) > 0


def test_a_code_before_enrolment_is_ignored_and_enrolment_comes_next(officers):
    user, signed_in = logins.authenticate("clerk@ministry.example", PASSWORD, OWNER, "123456")
    assert (user.email, signed_in) == ("clerk@ministry.example", False)


def test_a_disabled_account_is_refused_like_a_wrong_password(officers):
    users.set_active(officers["clerk"], False, "admin@ministry.example")
    with pytest.raises(ServiceError, match="Wrong e-mail address or password"):
        logins.authenticate("clerk@ministry.example", PASSWORD, OWNER)


def test_an_administrator_clears_the_failures_and_it_is_audited(officers):
    fail("clerk@ministry.example", 12)
    assert logins.failures("clerk@ministry.example") == 3  # waits are refused, not counted
    assert logins.clear_failures("Clerk@ministry.example", "admin@ministry.example") == 3
    assert logins.failures("clerk@ministry.example") == 0
    entry = last_entry()
    assert (entry.action, entry.actor, entry.after) == (
        "clear_sign_in_failures", "admin@ministry.example", {"cleared": 3})
    assert logins.authenticate("clerk@ministry.example", PASSWORD, OWNER)[0]


def test_enrolment_and_every_sign_in_are_audited(officers):
    user = officers["clerk"]
    assert "otpauth://totp/" in logins.provisioning_uri(user)
    secret = user.totp_secret
    logins.provisioning_uri(user)
    assert user.totp_secret == secret  # kept until confirmed
    logins.check_second_factor(user, pyotp.TOTP(secret).now(), OWNER)
    assert user.totp_enrolled
    actions = [e.action for e in db.session.scalars(select(type(last_entry())).order_by(
        type(last_entry()).seq)).all()][-2:]
    assert actions == ["enrol_second_factor", "sign_in"]


def test_a_code_is_accepted_once(officers):
    user = officers["clerk"]
    totp = enrolled(user)
    used = totp.at(user.totp_last_step * 30)
    with pytest.raises(ServiceError, match="code is not right"):
        logins.check_second_factor(user, used, OWNER)


def claim_code(database_url, tmp, email, code, barrier, results):
    """In another process: submit `code` for `email` the moment the other process does."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "REGISTRY_INDEX_DIR": f"{tmp}/index-{multiprocessing.current_process().pid}",
                      "REGISTRY_SIGNING_KEY_FILE": f"{tmp}/signing.pem",
                      "REGISTRY_CHECKPOINT_LOG": f"{tmp}/checkpoints.log"})
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        barrier.wait()
        try:
            logins.check_second_factor(user, code, "192.0.2.1")
        except ServiceError:
            results.put("refused")
        else:
            results.put("signed in")


def test_two_processes_submitting_one_code_at_once_sign_in_once(app, officers, database_url,
                                                                tmp_path):
    user = officers["clerk"]
    totp = enrolled(user)
    code = next_code(user, totp)
    db.session.remove()
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=claim_code, args=(database_url, str(tmp_path), user.email,
                                                       code, barrier, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(results.get(timeout=5) for _ in workers) == ["refused", "signed in"]


def test_unknown_accounts_do_the_same_work_as_known_ones(officers, monkeypatch):
    verified = []

    class Spy:
        def verify(self, hashed, password):
            verified.append(hashed)
            return real.verify(hashed, password)
    real = passwords.hasher
    monkeypatch.setattr(passwords, "hasher", Spy())
    for email in ("clerk@ministry.example", "nobody@ministry.example"):
        with pytest.raises(ServiceError) as wrong:
            logins.authenticate(email, "not the password at all", OWNER)
        assert str(wrong.value) == "Wrong e-mail address or password."
    assert len(verified) == 2 and verified[1] == passwords.DUMMY_HASH
    assert logins.failures("nobody@ministry.example") == 1


def test_known_and_unknown_accounts_answer_in_the_same_time(ctx, monkeypatch):
    """The issue's measurement (8 ms against 140 ms) repeated with the real argon2 cost:
    medians of interleaved tries must be within 20 % of each other."""
    from argon2 import PasswordHasher
    monkeypatch.setattr(passwords, "hasher", PasswordHasher())
    monkeypatch.setattr(passwords, "DUMMY_HASH",
                        passwords.hasher.hash("an account that does not exist"))
    users.create_user("timed@ministry.example", "clerk", PASSWORD, "test")

    def attempt(email):
        start = time.perf_counter()
        with pytest.raises(ServiceError):
            logins.authenticate(email, "not the password at all", f"198.51.100.{len(times)}")
        return time.perf_counter() - start

    for _ in range(3):  # a busy shared machine: measure again before concluding
        times = {"known": [], "unknown": []}
        for i in range(7):
            times["known"].append(attempt("timed@ministry.example"))
            times["unknown"].append(attempt(f"nobody{i}@ministry.example"))
            db.session.execute(LoginFailure.__table__.delete())
            db.session.commit()
        known, unknown = (statistics.median(times[k]) for k in ("known", "unknown"))
        if abs(known - unknown) <= 0.2 * max(known, unknown):
            break
    assert abs(known - unknown) <= 0.2 * max(known, unknown), (known, unknown)
