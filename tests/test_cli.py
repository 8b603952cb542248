"""The command line of DESIGN section 4, run through Flask's CLI runner."""
import csv

from sqlalchemy import func, select, text

from registry.extensions import db
from registry.models import Agency, AuditEntry, Sanction, User

from .conftest import agency_row, write_folder


def test_import_command_reports_problems_and_exits_non_zero(runner, tmp_path, app):
    folder = write_folder(tmp_path / "bad", agencies=[agency_row("X-1", "", "2024-02-30")])
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code != 0
    assert "agencies.csv:2: name_en: required, but empty" in result.output
    assert "agencies.csv:2: licence_issued_on: 2024-02-30 is not a date" in result.output
    assert "Nothing was imported: 2 problems" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Agency.id))) == 0


def test_import_dry_run_writes_nothing(runner, tmp_path, app):
    folder = write_folder(tmp_path / "ok", agencies=[agency_row("X-1", "Fine Agency")])
    result = runner.invoke(args=["import", "--dry-run", str(folder)])
    assert result.exit_code == 0 and "nothing written" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Agency.id))) == 0
    result = runner.invoke(args=["import", str(folder)])
    assert "agencies: 1 new" in result.output


def test_export_writes_public_fields_that_import_again(runner, tmp_path, load, app):
    load(agencies=[agency_row("E-1", "Export Agency", name_km="ក្រុមហ៊ុន នាំចេញ",
                              phones="012 345 678", channels="telegram:@export")],
         sanctions=[{"licence_number": "E-1", "kind": "warning", "decided_on": "2024-01-01",
                     "decision_ref": "W-1", "state": "in_force"},
                    {"licence_number": "E-1", "kind": "fine", "decided_on": "2024-02-01",
                     "amount": "10", "decision_ref": "F-1", "state": "pending"}],
         complaints=[{"licence_number": "E-1", "received_on": "2024-01-05",
                      "complainant_name": "Secret Person", "details": "secret details"}])
    out = tmp_path / "export"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    with open(out / "complaints.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert "complainant_name" not in rows[0] and "details" not in rows[0]
    with open(out / "sanctions.csv", encoding="utf-8") as f:
        assert [r["decision_ref"] for r in csv.DictReader(f)] == ["W-1"]  # pending stays out
    again = runner.invoke(args=["import", str(out)])
    assert again.exit_code == 0, again.output
    assert "agencies: 0 new, 0 updated" in again.output
    assert "complaints: 0 new, 0 updated" in again.output


def test_create_user_reads_a_piped_password(runner, app):
    result = runner.invoke(args=["create-user", "Officer@Ministry.example", "--role", "approver"],
                           input="correct horse battery staple\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.email == "officer@ministry.example" and user.role == "approver"
        assert user.password_hash.startswith("$argon2id$")
    short = runner.invoke(args=["create-user", "b@ministry.example", "--role", "clerk"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output


def test_audit_verify_finds_the_first_altered_entry(runner, load, app):
    load(agencies=[agency_row(f"A-{i}", f"Agency {i}") for i in range(3)])
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with app.app_context():
        ids = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        db.session.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE id = :id"),
                           {"id": ids[2]})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"broken at entry {ids[2]}: content was altered" in result.output


def test_audit_verify_notices_a_deleted_entry(runner, load, app):
    load(agencies=[agency_row(f"A-{i}", f"Agency {i}") for i in range(3)])
    with app.app_context():
        ids = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        db.session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[1]})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"broken at entry {ids[2]}: does not follow" in result.output


def test_reindex_rebuilds_the_index(runner, load, app, client):
    load(agencies=[agency_row("I-1", "Indexed Agency")])
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 1 agencies" in result.output
    assert client.get("/api/v1/search?q=indexed").json["total"] == 1


def test_seed_without_demo_data_for_the_country_says_so(runner, monkeypatch, tmp_path):
    monkeypatch.setattr("registry.cli.SEED_DIR", tmp_path)
    (tmp_path / "MM").mkdir()
    (tmp_path / "MM" / "agencies.csv").write_text("licence_number,name_en\n")
    result = runner.invoke(args=["seed"])
    assert result.exit_code != 0 and "no demo data for country KH: only MM" in result.output


DECIDED = {"licence_number": "H-1", "kind": "revocation", "decided_on": "2026-01-01",
           "decision_ref": "Prakas 1/2026", "state": "in_force"}


def test_import_lands_sanctions_as_drafts_unless_a_second_officer_is_named(
        runner, tmp_path, app, client):
    from registry.services import users
    folder = write_folder(tmp_path / "h", agencies=[agency_row("H-1", "Historic Agency")],
                          sanctions=[DECIDED])
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 0 and "1 sanctions await a second officer's approval" in \
        result.output
    assert client.get("/api/v1/agencies/H-1").json["status"] == "licensed"
    with app.app_context():
        db.session.execute(text("DELETE FROM sanction"))
        db.session.commit()
        for email, role in (("approver@m.example", "approver"), ("op@m.example", "clerk")):
            users.create_user(email, role, "a long enough pass phrase", "test")
    same = runner.invoke(args=["import", str(folder), "--approved-by", "op@m.example"])
    assert same.exit_code != 0 and "not an active approver account" in same.output
    self_approved = runner.invoke(args=["import", str(folder), "--by", "approver@m.example",
                                        "--approved-by", "approver@m.example"])
    assert self_approved.exit_code != 0 and "another officer" in self_approved.output
    unknown = runner.invoke(args=["import", str(folder), "--by", "ghost@m.example"])
    assert unknown.exit_code != 0 and "not an active account" in unknown.output
    historic = runner.invoke(args=["import", str(folder), "--by", "op@m.example",
                                   "--approved-by", "approver@m.example"])
    assert historic.exit_code == 0, historic.output
    assert client.get("/api/v1/agencies/H-1").json["status"] == "revoked"
    with app.app_context():
        sanction = db.session.scalars(select(Sanction)).one()
        assert (sanction.drafted_by, sanction.approved_by) == ("op@m.example",
                                                               "approver@m.example")


def test_seed_loads_decided_sanctions_approved_by_a_demo_account(runner, app):
    from registry.cli import DEMO_APPROVER
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        demo = db.session.scalars(select(User).where(User.email == DEMO_APPROVER)).one()
        assert demo.role == "approver" and demo.must_change_password
        approvers = set(db.session.scalars(select(Sanction.approved_by).where(
            Sanction.state != "pending")))
        assert approvers == {DEMO_APPROVER}


def test_clear_sign_in_failures(runner, app):
    from registry.models import LoginFailure
    with app.app_context():
        db.session.add_all([LoginFailure(key="account:clerk@m.example") for _ in range(4)])
        db.session.commit()
    result = runner.invoke(args=["clear-sign-in-failures", "Clerk@m.example"])
    assert result.exit_code == 0 and "Cleared 4 failed sign-ins of clerk@m.example" in \
        result.output


def test_demo_officers_can_sign_in_with_what_is_shown_once(runner, app):
    import re

    import pyotp
    result = runner.invoke(args=["demo-officers"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    for role in ("clerk", "approver"):
        block = result.output.split(f"{role}: ")[1]
        email = block.split("\n")[0]
        password = re.search(r"password: (.+)", block).group(1)
        secret = re.search(r"type the secret ([A-Z2-7]+)", block).group(1)
        signed_in = client.post("/admin/login", data={
            "email": email, "password": password, "code": pyotp.TOTP(secret).now()})
        assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/admin/")
        client.post("/admin/logout")
    again = runner.invoke(args=["demo-officers"])
    assert again.exit_code != 0 and "already exists" in again.output
