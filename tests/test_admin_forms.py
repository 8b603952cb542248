"""The admin module's forms as doors to the services: every screen that writes, with good and
bad input, and the sign-in pages' edges (timeouts, expired steps, unsafe `next`)."""
import re
import time

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Agency, AuditEntry, Complaint, Sanction

from .admin_helpers import Staff
from .conftest import agency_row


@pytest.fixture
def clerk(app, client):
    staff = Staff(app, client)
    staff.create("clerk@m.example", "clerk")
    staff.login("clerk@m.example")
    return staff


AGENCY = {"name_en": "Form Door Agency", "name_km": "ភ្នាក់ងារ ទ្វារ", "province": "KH-12",
          "destinations": "TH; KR", "channels": "phone:012 345 678\ntelegram:@door",
          "licence_number": "KH-FD-0001", "issued_on": "2025-01-01", "expires_on": "2030-01-01"}


def test_a_clerk_creates_an_agency_with_licence_representative_and_renewal(app, client, clerk):
    created = client.post("/admin/agencies/new", data=AGENCY)
    assert created.status_code == 302
    agency_id = created.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/admin/agencies/{agency_id}/representatives", data={
        "name": "Chan Dara", "id_number": "B-9", "phone": "097 111 2222"}).status_code == 302
    assert client.post(f"/admin/agencies/{agency_id}/licences", data={
        "licence_number": "KH-FD-0002", "issued_on": "2030-01-02",
        "expires_on": "2032-01-01"}).status_code == 302
    record = client.get("/api/v1/agencies/KH-FD-0002").json
    assert record["name"]["km"] == "ភ្នាក់ងារ ទ្វារ" and len(record["licences"]) == 2
    repeated = client.post("/admin/agencies/new", data=AGENCY)
    assert repeated.status_code == 400 and "already in the registry" in repeated.get_data(
        as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("destinations", "TH; XX", "not an ISO 3166"),
    ("channels", "fax:023 999", "is not kind:value"),
])
def test_the_agency_form_names_what_is_wrong(client, clerk, field, value, message):
    response = client.post("/admin/agencies/new", data={**AGENCY, field: value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_sanction_drafted_on_the_form_is_appealed_and_overturned_by_approvers(app, client,
                                                                                 clerk):
    client.post("/admin/agencies/new", data=AGENCY)
    drafted = client.post("/admin/agencies/1/sanctions/new", data={
        "kind": "fine", "decided_on": "2026-01-01", "effective_from": "2026-01-01",
        "amount": "500", "currency": "usd", "decision_ref": "Prakas 4/2026"})
    assert drafted.status_code == 302
    bad_currency = client.post("/admin/agencies/1/sanctions/new", data={
        "kind": "fine", "decided_on": "2026-01-01", "effective_from": "2026-01-01",
        "amount": "5", "currency": "XYZ"})
    assert "ISO 4217" in bad_currency.get_data(as_text=True)
    same_ref = client.post("/admin/agencies/1/sanctions/new", data={
        "kind": "warning", "decided_on": "2026-01-02", "effective_from": "2026-01-02",
        "decision_ref": "Prakas 4/2026"})
    assert same_ref.status_code == 400
    assert "Prakas 4/2026 is already recorded" in same_ref.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Sanction.id))) == 1
    clerk.logout()
    approver = Staff(app, client)
    approver.create("a1@m.example", "approver")
    approver.login("a1@m.example")
    for step, extra in (("approve", {}), ("appeal", {}),
                        ("overturn", {"reason": "Court ruling 9/2026"})):
        with app.app_context():
            version = db.session.get(Sanction, 1).version
        assert client.post(f"/admin/sanctions/1/{step}",
                           data={"version": version, **extra}).status_code == 302
    assert client.post("/admin/sanctions/1/delete", data={"version": 1}).status_code == 302
    with app.app_context():
        assert db.session.get(Sanction, 1).state == "overturned"
    assert "Court ruling 9/2026" in client.get("/admin/sanctions/1").get_data(as_text=True)


def test_complaints_are_recorded_and_corrected_on_the_form(app, client, clerk, load):
    load(agencies=[agency_row("KH-C-1", "Complained Agency")])
    recorded = client.post("/admin/agencies/1/complaints/new", data={
        "received_on": "2026-02-01", "category": "wage_theft", "destination": "th",
        "status": "received", "complainant_name": "សុខ Private", "details": "secret"})
    assert recorded.status_code == 302
    bad = client.post("/admin/agencies/1/complaints/new", data={
        "received_on": "2026-02-01", "category": "other", "destination": "ZZ",
        "status": "received"})
    assert bad.status_code == 400 and "ISO 3166" in bad.get_data(as_text=True)
    page = client.get("/admin/complaints/1").get_data(as_text=True)
    assert "សុខ Private" in page
    corrected = client.post("/admin/complaints/1", data={
        "version": 1, "received_on": "2026-02-01", "category": "wage_theft",
        "destination": "TH", "status": "resolved", "compensation_amount": "120",
        "compensation_currency": "USD", "complainant_name": "សុខ Private",
        "details": "secret"})
    assert corrected.status_code == 302
    stale = client.post("/admin/complaints/1", data={
        "version": 1, "received_on": "2026-02-01", "category": "other", "status": "received"})
    assert stale.status_code == 409
    assert "Wages not paid" in client.get("/admin/complaints").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Complaint, 1).status == "resolved"


def test_unknown_records_and_actions(app, client, clerk):
    assert client.get("/admin/agencies/999").status_code == 404
    assert client.get("/admin/agencies/abc").status_code == 404
    clerk.logout()
    admin = Staff(app, client)
    admin.create("admin@m.example", "admin")
    admin.login("admin@m.example")
    assert client.post("/admin/users/1/promote").status_code == 302
    assert client.post("/admin/users/1/enable").status_code == 302


def test_unknown_upload_files_are_named_and_ignored(client, clerk):
    import io
    response = client.post("/admin/data/import", data={
        "files": [(io.BytesIO(b"x"), "notes.txt"),
                  (io.BytesIO(b"licence_number,name_en,licence_issued_on,licence_expires_on\n"
                              b"KH-U-1,Upload,2025-01-01,2030-01-01\n"), "agencies.csv")]},
        content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "notes.txt" in body
    assert "Nothing was written yet" in body


def test_a_session_ends_when_idle(app, client, clerk):
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 31 * 60
    response = client.get("/admin/agencies/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/agencies/").status_code == 302


def test_a_forged_session_id_is_nobody(client):
    with client.session_transaction() as session:
        session["_user_id"] = "not-a-number"
        session["_fresh"] = True
    assert client.get("/admin/agencies/").status_code == 302


def test_the_second_factor_step_expires_and_unsafe_next_is_ignored(app, client):
    staff = Staff(app, client)
    staff.create("clerk@m.example", "clerk")
    assert client.get("/admin/second-factor").status_code == 302  # no password step yet
    client.post("/admin/login?next=//evil.example/", data={
        "email": "clerk@m.example", "password": "correct horse battery staple"})
    empty = client.post("/admin/second-factor", data={})
    assert empty.status_code == 400
    with app.app_context():
        import pyotp
        from registry.models import User
        secret = db.session.scalars(select(User.totp_secret)).one()
    done = client.post("/admin/second-factor?next=//evil.example/",
                       data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and "evil.example" not in done.headers["Location"]
    staff.logout()
    client.post("/admin/login", data={"email": "clerk@m.example",
                                      "password": "correct horse battery staple"})
    with client.session_transaction() as session:
        session["pending_at"] = time.time() - 600
    assert client.get("/admin/second-factor").status_code == 302


def test_the_audit_page_shows_the_newest_checkpoint(app, client, load):
    load(agencies=[agency_row("KH-AU-1", "Audited Agency")])
    staff = Staff(app, client)
    staff.create("admin@m.example", "admin")
    staff.login("admin@m.example")
    page = client.get("/admin/audit?entity=agencies").get_data(as_text=True)
    assert "Newest signed checkpoint" in page and "create_agency" in page
    assert re.search(r"registry\.local/audit\n\d+\n", page)
    with app.app_context():
        assert db.session.scalars(select(AuditEntry)).first() is not None
        assert db.session.scalars(select(Agency)).one().name_en == "Audited Agency"


def test_an_upload_too_large_for_the_web_points_to_the_command_line(app, client, clerk):
    import io
    app.config["REGISTRY_MAX_UPLOAD_ROWS"] = 3
    rows = "".join(f"KH-T-{i},Too Many {i},2025-01-01,2030-01-01\n" for i in range(4))
    csv_file = ("licence_number,name_en,licence_issued_on,licence_expires_on\n" + rows).encode()
    response = client.post("/admin/data/import", data={
        "files": [(io.BytesIO(csv_file), "agencies.csv")], "commit": "y"},
        content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 413 and "These files hold 4 rows" in body
    assert "flask --app registry import FOLDER" in body
    assert client.get("/api/v1/search?q=many").json["total"] == 0
    app.config["MAX_CONTENT_LENGTH"] = 1000
    huge = client.post("/admin/data/import", data={
        "files": [(io.BytesIO(b"x" * 5000), "agencies.csv")]},
        content_type="multipart/form-data")
    assert huge.status_code == 413
    assert "Too large for the web upload" in huge.get_data(as_text=True)
