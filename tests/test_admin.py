"""The regulators' module through its web forms: roles, four eyes, CSRF, sign-in limits,
sessions, stale edits, Zawgyi."""
import io
import re

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEntry, Sanction
from registry.zawgyi import to_zawgyi

from .admin_helpers import PASSWORD, Staff
from .conftest import agency_row

ROLES = ("clerk", "approver", "admin")
# (method, url, roles allowed); ids 1 exist in the data loaded by `records`.
ADMIN_URLS = [
    ("GET", "/admin/", ROLES),
    ("GET", "/admin/agencies/", ("clerk", "approver")),
    ("GET", "/admin/agencies/new", ("clerk", "approver")),
    ("GET", "/admin/agencies/1", ("clerk", "approver")),
    ("POST", "/admin/agencies/1/licences", ("clerk", "approver")),
    ("POST", "/admin/agencies/1/representatives", ("clerk", "approver")),
    ("GET", "/admin/agencies/1/sanctions/new", ("clerk", "approver")),
    ("GET", "/admin/agencies/1/complaints/new", ("clerk", "approver")),
    ("GET", "/admin/sanctions", ("clerk", "approver")),
    ("GET", "/admin/sanctions/1", ("clerk", "approver")),
    ("POST", "/admin/sanctions/1/approve", ("approver",)),
    ("POST", "/admin/sanctions/1/appeal", ("approver",)),
    ("POST", "/admin/sanctions/1/overturn", ("approver",)),
    ("GET", "/admin/complaints", ("clerk", "approver")),
    ("GET", "/admin/complaints/1", ("clerk", "approver")),
    ("GET", "/admin/data/import", ("clerk", "approver")),
    ("GET", "/admin/data/export", ("clerk", "approver")),
    ("GET", "/admin/users", ("admin",)),
    ("POST", "/admin/users/1/disable", ("admin",)),
    ("GET", "/admin/audit", ("admin",)),
    ("GET", "/admin/password", ROLES),
]


@pytest.fixture
def staff(app, client):
    return Staff(app, client)


@pytest.fixture
def records(load):
    load(agencies=[agency_row("KH-A-1", "Angkor Admin Test", name_km="ក្រុមហ៊ុន អង្គរ")],
         sanctions=[{"licence_number": "KH-A-1", "kind": "warning", "decided_on": "2025-01-01",
                     "decision_ref": "D-1", "state": "pending"}],
         complaints=[{"licence_number": "KH-A-1", "received_on": "2025-01-02",
                      "complainant_name": "Sok Private", "details": "secret"}])


@pytest.mark.parametrize("method, url, allowed", ADMIN_URLS, ids=[u for _, u, _ in ADMIN_URLS])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_access_control(app, client, staff, records, method, url, allowed, role):
    if role:
        staff.create(f"{role}@ministry.example", role)
        assert staff.login(f"{role}@ministry.example").status_code == 302
    response = client.open(url, method=method)
    if role is None:
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    elif role in allowed:
        assert response.status_code in (200, 302, 400), response.status_code  # 400: empty form
    else:
        assert response.status_code == 403


def draft_form(**extra):
    return {"kind": "suspension", "decided_on": "2025-03-01", "effective_from": "2025-03-01",
            "decision_ref": "Prakas 99/2025", "reason_en": "Sub-licensing to brokers", **extra}


def test_a_sanction_reaches_the_public_only_after_another_officer_approves(
        app, client, staff, records):
    for email, role in (("clerk@m.example", "clerk"), ("a1@m.example", "approver"),
                        ("a2@m.example", "approver")):
        staff.create(email, role)
    staff.login("clerk@m.example")
    response = client.post("/admin/agencies/1/sanctions/new", data=draft_form())
    assert response.status_code == 302
    sanction_id = int(response.headers["Location"].rsplit("/", 1)[1])
    staff.logout()

    def public_status():
        return client.get("/api/v1/agencies/KH-A-1").json["status"]
    assert public_status() == "licensed"  # pending: invisible
    assert "Prakas 99/2025" not in client.get("/en/agencies/KH-A-1").get_data(as_text=True)

    staff.login("a1@m.example")
    with app.app_context():
        version = db.session.get(Sanction, sanction_id).version
    assert client.post(f"/admin/sanctions/{sanction_id}/approve",
                       data={"version": version}).status_code == 302
    staff.logout()
    assert public_status() == "suspended"
    with app.app_context():
        sanction = db.session.get(Sanction, sanction_id)
        assert (sanction.drafted_by, sanction.approved_by) == ("clerk@m.example", "a1@m.example")
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "sanctions", AuditEntry.entity_key == str(sanction_id))).all()
        assert actions == ["draft_sanction", "approve_sanction"]
    assert "Prakas 99/2025" in client.get("/en/agencies/KH-A-1").get_data(as_text=True)


def test_an_approver_cannot_approve_their_own_draft(app, client, staff, records):
    staff.create("a1@m.example", "approver")
    staff.login("a1@m.example")
    response = client.post("/admin/agencies/1/sanctions/new", data=draft_form())
    sanction_id = int(response.headers["Location"].rsplit("/", 1)[1])
    refused = client.post(f"/admin/sanctions/{sanction_id}/approve", data={"version": 1})
    assert refused.status_code == 400
    assert "another approver must approve it" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Sanction, sanction_id).state == "pending"


def test_overturn_keeps_the_sanction_and_shows_it_overturned(app, client, staff, records):
    staff.create("a1@m.example", "approver")
    staff.create("a2@m.example", "approver")
    staff.login("a2@m.example")  # the import ("test") drafted it
    assert client.post("/admin/sanctions/1/approve", data={"version": 1}).status_code == 302
    no_reason = client.post("/admin/sanctions/1/overturn", data={"version": 2, "reason": ""})
    assert no_reason.status_code == 400
    assert client.post("/admin/sanctions/1/overturn",
                       data={"version": 2, "reason": "Appeal court ruling 7/2025"}
                       ).status_code == 302
    page = client.get("/en/agencies/KH-A-1").get_data(as_text=True)
    assert "Overturned" in page


def test_forms_are_protected_by_csrf(app, client, staff, records):
    app.config["WTF_CSRF_ENABLED"] = True
    staff.create("a1@m.example", "approver")
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/admin/login", data={"email": "a1@m.example",
                                             "password": PASSWORD}).status_code == 400
    assert client.post("/admin/login", data={"email": "a1@m.example", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 302


def test_failed_sign_ins_are_slowed_then_refused_in_the_visitors_language(client, staff):
    staff.create("clerk@m.example", "clerk")
    for _ in range(3):
        assert "Wrong e-mail address or password" in staff.login(
            "clerk@m.example", "wrong password!").get_data(as_text=True)
    slowed = staff.login("clerk@m.example")  # even the right password must wait now
    assert slowed.status_code == 400 and "Wait" in slowed.get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "km"
    khmer = client.post("/admin/login", data={"email": "clerk@m.example", "password": "x"})
    assert re.search(r"[\u1780-\u17ff]", khmer.get_data(as_text=True))
    assert "Wait" not in khmer.get_data(as_text=True)


def test_too_many_failures_refuse_the_account(app, client, staff, monkeypatch):
    from registry.services import logins
    monkeypatch.setattr(logins, "SLOW_AFTER", 100)  # skip the waits; count refusals only
    staff.create("clerk@m.example", "clerk")
    for _ in range(logins.REFUSE_ACCOUNT_AFTER):
        staff.login("clerk@m.example", "wrong password!")
    refused = staff.login("clerk@m.example")
    assert "Try again in 15 minutes" in refused.get_data(as_text=True)


def test_a_session_cookie_copied_before_logout_is_worthless_after(app, client, staff, records):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    assert client.get("/admin/agencies/").status_code == 200
    copied = client.get_cookie("session", domain="registry.test").value
    staff.logout()
    client.set_cookie("session", copied, domain="registry.test")
    response = client.get("/admin/agencies/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_disabling_an_account_ends_its_session(app, staff, records):
    admin_client = app.test_client()
    admin = Staff(app, admin_client)
    clerk_client = app.test_client()
    clerk = Staff(app, clerk_client)
    admin.create("admin@m.example", "admin")
    clerk.create("clerk@m.example", "clerk")
    clerk.login("clerk@m.example")
    admin.login("admin@m.example")
    assert clerk_client.get("/admin/agencies/").status_code == 200
    assert admin_client.post("/admin/users/2/disable").status_code == 302
    assert clerk_client.get("/admin/agencies/").status_code == 302


def test_a_totp_code_cannot_be_replayed(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    staff.logout()
    client.post("/admin/login", data={"email": "clerk@m.example", "password": PASSWORD})
    with app.app_context():
        from registry.models import User
        user = db.session.scalars(select(User)).one()
        import pyotp
        used = pyotp.TOTP(user.totp_secret).at(user.totp_last_step * 30)
    assert client.post("/admin/second-factor", data={"code": used}).status_code == 400


def test_a_stale_edit_is_refused_and_shows_what_changed(app, client, staff, records):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    form = {"version": "1", "name_en": "Angkor Edited By Me", "name_km": "ក្រុមហ៊ុន អង្គរ",
            "province": "", "destinations": "", "channels": ""}
    assert client.post("/admin/agencies/1", data={**form, "name_en": "Angkor Renamed First"}
                       ).status_code == 302
    stale = client.post("/admin/agencies/1", data=form)  # still based on version 1
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else saved this record" in body and "Angkor Renamed First" in body
    assert client.get("/api/v1/agencies/KH-A-1").json["name"]["en"] == "Angkor Renamed First"


def test_zawgyi_typed_into_a_form_is_stored_as_unicode(app, client, staff, records):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    unicode_name = "ရွှေမြန်မာ အလုပ်အကိုင် ဝန်ဆောင်မှု"
    response = client.post("/admin/agencies/1", data={
        "version": "1", "name_en": "Angkor Admin Test", "name_my": to_zawgyi(unicode_name),
        "province": "", "destinations": "TH", "channels": "phone:012 345 678"},
        follow_redirects=True)
    assert "changed to Unicode" in response.get_data(as_text=True)
    assert client.get("/api/v1/agencies/KH-A-1").json["name"]["my"] == unicode_name


def test_complainants_are_shown_to_staff_only_and_never_cached(app, client, staff, records):
    assert "Sok Private" not in client.get("/en/agencies/KH-A-1").get_data(as_text=True)
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    response = client.get("/admin/complaints/1")
    assert "Sok Private" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_upload_reports_every_problem_before_writing(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    bad = ("licence_number,name_en,licence_issued_on,licence_expires_on\n"
           "X-1,,2024-02-30,2025-01-01\n").encode()
    response = client.post("/admin/data/import", data={
        "files": (io.BytesIO(bad), "agencies.csv"), "commit": "y"},
        content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "agencies.csv:2: name_en" in body and "agencies.csv:2: licence_issued_on" in body
    with app.app_context():
        from registry.models import Agency
        assert db.session.scalar(select(func.count(Agency.id))) == 0
