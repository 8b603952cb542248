"""The regulators' module through its web forms: roles, four eyes, CSRF, sign-in limits,
sessions, stale edits, Zawgyi."""
import io
import re

import pyotp
import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEntry, Sanction, User
from registry.zawgyi import to_zawgyi

from .admin_helpers import PASSWORD, Staff
from .conftest import agency_row

ROLES = ("clerk", "approver", "admin")
# (method, url, roles allowed, what an allowed role gets); ids 1 exist in the data loaded by
# `records`. A POST without its form's fields must reach the view and be refused there (400,
# with the form's own message), never pass for a refusal of access (403).
ADMIN_URLS = [
    ("GET", "/admin/", ROLES, 200),
    ("GET", "/admin/agencies/", ("clerk", "approver"), 200),
    ("GET", "/admin/agencies/new", ("clerk", "approver"), 200),
    ("GET", "/admin/agencies/1", ("clerk", "approver"), 200),
    ("POST", "/admin/agencies/1/licences", ("clerk", "approver"), 400),
    ("POST", "/admin/agencies/1/representatives", ("clerk", "approver"), 400),
    ("GET", "/admin/agencies/1/sanctions/new", ("clerk", "approver"), 200),
    ("GET", "/admin/agencies/1/complaints/new", ("clerk", "approver"), 200),
    ("GET", "/admin/sanctions", ("clerk", "approver"), 200),
    ("GET", "/admin/sanctions/1", ("clerk", "approver"), 200),
    ("POST", "/admin/sanctions/approve", ("approver",), 400),
    ("POST", "/admin/sanctions/1/approve", ("approver",), 409),
    ("POST", "/admin/sanctions/1/appeal", ("approver",), 409),
    ("POST", "/admin/sanctions/1/overturn", ("approver",), 400),
    ("GET", "/admin/agencies/1/clearances/new", ("clerk", "approver"), 200),
    ("POST", "/admin/agencies/1/clearances/new", ("clerk", "approver"), 400),
    ("GET", "/admin/clearances", ("clerk", "approver"), 200),
    ("GET", "/admin/complaints", ("clerk", "approver"), 200),
    ("GET", "/admin/complaints/1", ("clerk", "approver"), 200),
    ("GET", "/admin/data/import", ("clerk", "approver"), 200),
    ("GET", "/admin/data/export", ("clerk", "approver"), 200),
    ("GET", "/admin/users", ("admin",), 200),
    ("POST", "/admin/users/1/disable", ("admin",), 400),  # their own account
    ("POST", "/admin/users/1/clear-failures", ("admin",), 302),
    ("GET", "/admin/audit", ("admin",), 200),
    ("GET", "/admin/password", ROLES, 200),
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


@pytest.mark.parametrize("method, url, allowed, expected", ADMIN_URLS,
                         ids=[u for _, u, _, _ in ADMIN_URLS])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_access_control(app, client, staff, records, method, url, allowed, expected, role):
    if role:
        staff.create(f"{role}@ministry.example", role)
        assert staff.login(f"{role}@ministry.example").status_code == 302
    response = client.open(url, method=method)
    if role is None:
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    elif role in allowed:
        assert response.status_code == expected, response.status_code
        if expected == 400:
            assert 'role="alert"' in response.get_data(as_text=True)  # the form's message
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


def test_failed_sign_ins_are_slowed_down_in_the_visitors_language(client, staff):
    staff.create("clerk@m.example", "clerk")
    for _ in range(3):
        assert "Wrong e-mail address or password" in staff.login(
            "clerk@m.example", "wrong password!").get_data(as_text=True)
    slowed = staff.login("clerk@m.example")  # even the right password must wait now
    assert slowed.status_code == 429 and "Wait" in slowed.get_data(as_text=True)
    assert 1 <= int(slowed.headers["Retry-After"]) <= 2
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "km"
    khmer = client.post("/admin/login", data={"email": "clerk@m.example", "password": "x"})
    assert re.search(r"[\u1780-\u17ff]", khmer.get_data(as_text=True))
    assert "Wait" not in khmer.get_data(as_text=True)


def test_the_owner_gets_past_a_strangers_failures_with_password_and_code(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")  # enrols the authenticator app
    staff.logout()
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(8):
        stranger.post("/admin/login", data={"email": "clerk@m.example", "password": "guess!"})
    assert staff.login("clerk@m.example").status_code == 429
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "clerk@m.example")).one()
        code = pyotp.TOTP(user.totp_secret).at((user.totp_last_step + 1) * 30)
    one_step = client.post("/admin/login", data={"email": "clerk@m.example",
                                                 "password": PASSWORD, "code": code})
    assert one_step.status_code == 302 and one_step.headers["Location"].endswith("/admin/")
    assert client.get("/admin/agencies/").status_code == 200


def test_an_administrator_lets_a_slowed_account_sign_in_again(app, client, staff):
    staff.create("admin@m.example", "admin")
    staff.create("clerk@m.example", "clerk")
    other = app.test_client()
    for _ in range(5):
        other.post("/admin/login", data={"email": "clerk@m.example", "password": "guess!"})
    staff.login("admin@m.example")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Let them sign in again now" in page
    with app.app_context():
        clerk_id = db.session.scalars(select(User.id).where(User.email == "clerk@m.example")).one()
    response = client.post(f"/admin/users/{clerk_id}/clear-failures", follow_redirects=True)
    assert "can sign in again at once" in response.get_data(as_text=True)
    staff.logout()
    assert Staff(app, app.test_client()).login("clerk@m.example").status_code == 302


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
        user = db.session.scalars(select(User)).one()
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


def upload(client, **files):
    data = {name: (io.BytesIO(text.encode()), f"{name}.csv") for name, text in files.items()}
    return client.post("/admin/data/import", data={"files": list(data.values()), "commit": "y"},
                       content_type="multipart/form-data")


AGENCIES_CSV = ("licence_number,name_en,licence_issued_on,licence_expires_on\n"
                "KH-W-1,Web Upload Agency,2025-01-01,2030-01-01\n")
SANCTIONS_CSV = ("licence_number,kind,decided_on,decision_ref,reason_en,state\n"
                 "KH-W-1,revocation,2026-01-10,Prakas 5/2026,Sub-licensing,in_force\n"
                 "KH-W-1,warning,2026-01-11,Prakas 6/2026,Late report,overturned\n")


def test_a_clerks_upload_never_publishes_a_sanction(app, client, staff):
    """The attack: a clerk uploads sanctions.csv with a state column saying in_force."""
    staff.create("clerk@m.example", "clerk")
    staff.create("a1@m.example", "approver")
    staff.login("clerk@m.example")
    response = upload(client, agencies=AGENCIES_CSV, sanctions=SANCTIONS_CSV)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 sanctions of this import await another officer" in body
    batch = re.search(r"batch=(I-\d{8}-[0-9A-Z]{6})", body).group(1)
    assert client.get("/api/v1/agencies/KH-W-1").json["status"] == "licensed"
    assert client.post("/admin/sanctions/approve", data={"sanction": "1:1"}).status_code == 403
    staff.logout()

    staff.login("a1@m.example")
    review = client.get(f"/admin/sanctions?state=pending&batch={batch}").get_data(as_text=True)
    assert "Prakas 5/2026" in review and "Prakas 6/2026" in review
    with app.app_context():
        boxes = [f"{s.id}:{s.version}" for s in db.session.scalars(select(Sanction))]
    done = client.post(f"/admin/sanctions/approve?batch={batch}", data={"sanction": boxes},
                       follow_redirects=True)
    assert "2 sanctions approved and published" in done.get_data(as_text=True)
    assert client.get("/api/v1/agencies/KH-W-1").json["status"] == "revoked"
    with app.app_context():
        # Approval publishes a sanction as in force; the file's "overturned" was never applied.
        assert {s.state for s in db.session.scalars(select(Sanction))} == {"in_force"}


def test_the_uploader_cannot_approve_their_own_batch(app, client, staff):
    staff.create("a1@m.example", "approver")
    staff.login("a1@m.example")
    upload(client, agencies=AGENCIES_CSV, sanctions=SANCTIONS_CSV)
    review = client.get("/admin/sanctions?state=pending").get_data(as_text=True)
    assert 'type="checkbox"' not in review and "Not you" in review
    refused = client.post("/admin/sanctions/approve", data={"sanction": ["1:1", "2:1"]})
    assert refused.status_code == 400 and "Nothing was approved" in refused.get_data(
        as_text=True)
    assert client.get("/api/v1/agencies/KH-W-1").json["status"] == "licensed"


def test_an_approver_who_rewrote_a_draft_cannot_approve_it_on_the_web(app, client, staff,
                                                                       records):
    staff.create("a1@m.example", "approver")
    staff.login("a1@m.example")
    edited = client.post("/admin/sanctions/1", data={
        "version": 1, "kind": "fine", "decided_on": "2025-01-01", "effective_from": "2025-01-01",
        "amount": "99999", "currency": "USD", "decision_ref": "D-1"})
    assert edited.status_code == 302
    page = client.get("/admin/sanctions/1").get_data(as_text=True)
    assert "Approve and publish" not in page and "Changed by a1@m.example" in page
    refused = client.post("/admin/sanctions/1/approve", data={"version": 2})
    assert refused.status_code == 400
    assert "another approver must approve it" in refused.get_data(as_text=True)
    assert client.get("/api/v1/agencies/KH-A-1").json["sanctions"] == []


def test_a_password_chosen_by_an_administrator_works_once(app, client, staff):
    staff.create("admin@m.example", "admin")
    staff.login("admin@m.example")
    form = client.get("/admin/users").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="password"[^>]*type="password"', form)
    weak = client.post("/admin/users", data={"email": "new@m.example", "role": "clerk",
                                             "password": "Password1234"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    assert "Password1234" not in weak.get_data(as_text=True)  # never typed back in clear
    assert client.post("/admin/users", data={"email": "new@m.example", "role": "clerk",
                                             "password": PASSWORD}).status_code == 302
    staff.logout()
    officer = Staff(app, client)
    assert officer.login("new@m.example").status_code == 302
    forced = client.get("/admin/agencies/")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/admin/password")
    new = "granite lantern saffron meadow"
    changed = client.post("/admin/password", data={"current": PASSWORD, "new": new,
                                                   "confirm": new})
    assert changed.status_code == 302
    assert officer.login("new@m.example", password=new).status_code == 302
    assert client.get("/admin/agencies/").status_code == 200


def test_a_password_longer_than_the_limit_is_refused_where_it_is_set(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    too_long = "granite lantern saffron meadow " * 5
    response = client.post("/admin/password", data={"current": PASSWORD, "new": too_long,
                                                    "confirm": too_long})
    assert response.status_code == 400


def test_changing_the_password_is_throttled(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    new = "granite lantern saffron meadow"
    for _ in range(3):
        assert client.post("/admin/password", data={"current": "wrong!", "new": new,
                                                    "confirm": new}).status_code == 400
    slowed = client.post("/admin/password", data={"current": PASSWORD, "new": new,
                                                  "confirm": new})
    assert slowed.status_code == 429 and "Retry-After" in slowed.headers


def test_signing_in_and_out_is_audited(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    staff.logout()
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.actor == "clerk@m.example").order_by(AuditEntry.seq)).all()
    assert actions == ["enrol_second_factor", "sign_in", "sign_out"]


def test_the_agency_list_search_treats_wildcards_as_letters(app, client, staff, load):
    load(agencies=[agency_row("L-1", "100% Jobs"), agency_row("L-2", "Plain_Name Agency"),
                   agency_row("L-3", "Other Agency")])
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")

    def names(q):
        return re.findall(r'/admin/agencies/\d+">([^<]+)<', client.get(
            "/admin/agencies/", query_string={"q": q}).get_data(as_text=True))
    assert names("%") == ["100% Jobs"]
    assert names("_") == ["Plain_Name Agency"]
    assert names("l-3") == ["Other Agency"]


def test_an_import_error_does_not_show_the_servers_folders(app, client, staff):
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    response = upload(client, sanctions=SANCTIONS_CSV)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "agencies.csv:0: -: file not found" in body
    assert "/tmp" not in body
