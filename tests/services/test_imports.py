"""The CSV import: all or nothing, every problem reported with its place, idempotent."""
import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import (Agency, AuditEntry, Channel, Complaint, ComplaintPrivate, Licence,
                             Representative, Sanction)
from registry.services.agencies import profile
from registry.services.imports import ImportRefused, import_folder

from ..conftest import agency_row, write_folder

KHMER = "ក្រុមហ៊ុន អង្គរ\u200bម៉ែនផៅវ័រ ឯ.ក"
BURMESE = "ရွှေမြန်မာ အလုပ်အကိုင် ဝန်ဆောင်မှု"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def good_folder(tmp_path):
    return write_folder(
        tmp_path / "good",
        agencies=[
            agency_row("KH-2020-0001", "Angkor Manpower", "2020-01-01", "2021-12-31",
                       name_km=KHMER, province="KH-12", phones="+855 12 345 678;023 888 999",
                       channels="facebook:https://facebook.com/angkor;telegram:@angkorhr",
                       destinations="TH;MY", aliases="Angkhor Manpower;អង្គរ"),
            agency_row("KH-2022-0001", "Angkor Manpower Co., Ltd.", "2022-01-01", "2027-12-31",
                       name_km=KHMER, province="Phnom Penh", phones="+855 12 345 678",
                       channels="facebook:https://facebook.com/angkor", destinations="TH;MY;KR",
                       previous_licence_number="kh 2020 0001"),
            agency_row("MM-0002", "Shwe Myanmar Employment", name_my=BURMESE,
                       province="Siem Reap"),
        ],
        sanctions=[
            {"licence_number": "KH-2022-0001", "kind": "fine", "decided_on": "2024-03-01",
             "amount": "2,000,000", "currency": "KHR", "paid": "no", "state": "in_force",
             "decision_ref": "Prakas 12/2024", "reason_km": "យកថ្លៃសេវាលើស"},
            {"licence_number": "MM-0002", "kind": "suspension", "effective_from": "2024-05-01",
             "effective_to": "", "state": "pending", "decision_ref": "Prakas 13/2024"},
        ],
        complaints=[
            {"licence_number": "KH-2022-0001", "received_on": "2024-02-01",
             "category": "excessive_fees", "destination": "TH", "workers_affected": "3",
             "status": "resolved", "compensation_amount": "150", "currency": "USD",
             "closed_on": "2024-04-01", "complainant_name": "សុខ ចាន់",
             "complainant_phone": "012 999 888", "details": "asked for $900"},
        ],
        representatives=[
            {"licence_number": "KH-2022-0001", "name": "Chan Dara", "id_number": "REP-1",
             "phone": "097 111 2222", "province": "KH-2", "authorised_from": "2024-01-01"},
        ],
    )


def test_import_writes_everything_with_renewal_history(app, tmp_path):
    with app.app_context():
        result = import_folder(good_folder(tmp_path), profile(), "test")
        assert result.created["agencies"] == 2 and result.created["licences"] == 3
        angkor = db.session.scalars(select(Licence).where(
            Licence.number_key == "KH20220001")).one().agency
        assert [lic.number for lic in angkor.licences] == ["KH-2020-0001", "KH-2022-0001"]
        assert angkor.name_en == "Angkor Manpower Co., Ltd."  # from the newest licence row
        assert angkor.name_km == KHMER  # stored as written, zero-width space kept
        assert angkor.province == "KH-12"  # English name accepted, code stored
        assert angkor.destinations == ["TH", "MY", "KR"]
        assert sorted(c.lookup_key for c in angkor.channels) == [
            "+85512345678", "facebook.com/angkor"]
        fine = db.session.scalars(select(Sanction).where(Sanction.kind == "fine")).one()
        assert (str(fine.amount), fine.currency, fine.paid) == ("2000000.00", "KHR", False)
        complaint = db.session.scalars(select(Complaint)).one()
        private = db.session.get(ComplaintPrivate, complaint.id)
        assert private.complainant_name == "សុខ ចាន់"
        assert complaint.case_ref.startswith("C-2024-")
        assert count(Representative) == 1 and count(AuditEntry) > 0


def test_importing_the_same_folder_twice_changes_nothing(app, tmp_path):
    folder = good_folder(tmp_path)
    with app.app_context():
        import_folder(folder, profile(), "test")
        audit_entries = count(AuditEntry)
        again = import_folder(folder, profile(), "test")
        assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
        assert again.unchanged["complaints"] == 1 and again.unchanged["sanctions"] == 2
        assert count(AuditEntry) == audit_entries
        assert (count(Agency), count(Licence), count(Sanction), count(Complaint),
                count(Channel)) == (2, 3, 2, 1, 2)


def test_reimport_updates_changed_rows(app, tmp_path, load):
    load(agencies=[agency_row("A-1", "Old Name")],
         sanctions=[{"licence_number": "A-1", "kind": "warning", "decided_on": "2024-01-01",
                     "decision_ref": "D-1", "state": "pending"}])
    result = load(agencies=[agency_row("a 1", "New Name")],
                  sanctions=[{"licence_number": "A-1", "kind": "warning",
                              "decided_on": "2024-01-01", "decision_ref": "D-1",
                              "state": "in_force"}])
    assert result.updated["agencies"] == 1 and result.updated["sanctions"] == 1
    with app.app_context():
        assert db.session.scalars(select(Agency)).one().name_en == "New Name"
        assert db.session.scalars(select(Sanction)).one().state == "in_force"


BAD_AGENCIES = [
    agency_row("B-1", "Bad Dates", "2024-13-01", "2023-01-01"),                   # line 2
    agency_row("B-2", "", "2024-01-01", "2023-01-01", province="KH-99",           # line 3
               destinations="TH;XX", channels="myspace:foo"),
    agency_row("B-3", "Renewal of nothing", previous_licence_number="Z-404"),    # line 4
    agency_row("B-1", "Repeated number"),                                        # line 5
]
BAD_SANCTIONS = [
    {"licence_number": "NOPE-1", "kind": "fine", "decided_on": "2024-01-01",
     "amount": "-5", "state": "in_force"},                                       # line 2
    {"licence_number": "B-3", "kind": "suspension", "effective_from": "2024-05-01",
     "effective_to": "2024-04-01", "state": "maybe"},                            # line 3
    {"licence_number": "B-3", "kind": "ban", "decided_on": "2024-01-01"},       # line 4
]
EXPECTED = {
    ("agencies.csv", 2, "licence_issued_on"),
    ("agencies.csv", 3, "name_en"),
    ("agencies.csv", 3, "licence_expires_on"),
    ("agencies.csv", 3, "province"),
    ("agencies.csv", 3, "destinations"),
    ("agencies.csv", 3, "channels"),
    ("agencies.csv", 4, "previous_licence_number"),
    ("agencies.csv", 5, "licence_number"),
    ("sanctions.csv", 2, "licence_number"),
    ("sanctions.csv", 2, "amount"),
    ("sanctions.csv", 3, "effective_to"),
    ("sanctions.csv", 3, "state"),
    ("sanctions.csv", 4, "kind"),
    ("complaints.csv", 1, "complainant_email"),
    ("complaints.csv", 2, "received_on"),
    ("complaints.csv", 2, "workers_affected"),
}


def test_bad_import_lists_every_problem_and_writes_nothing(app, tmp_path):
    folder = write_folder(tmp_path / "bad", agencies=BAD_AGENCIES, sanctions=BAD_SANCTIONS)
    (folder / "complaints.csv").write_text(
        "licence_number,received_on,workers_affected,complainant_email\n"
        "B-3,yesterday,-2,x@example.org\n", encoding="utf-8")
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_folder(folder, profile(), "test")
        found = {(p.file, p.line, p.column) for p in refused.value.problems}
        assert EXPECTED <= found, EXPECTED - found
        assert all(str(p).startswith(f"{p.file}:{p.line}: ") for p in refused.value.problems)
        assert (count(Agency), count(Licence), count(Sanction), count(AuditEntry)) == (0, 0, 0, 0)


def test_wrong_encoding_is_reported_with_its_line(app, tmp_path):
    folder = write_folder(tmp_path / "latin1", agencies=[agency_row("E-1", "Fine")])
    with open(folder / "agencies.csv", "ab") as f:
        f.write("E-2,Caf\u00e9,,,,,,,,,,,,,2024-01-01,2025-01-01,\n".encode("latin-1"))
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_folder(folder, profile(), "test")
        assert [(p.file, p.line) for p in refused.value.problems] == [("agencies.csv", 3)]
        assert "UTF-8" in refused.value.problems[0].reason
        assert count(Agency) == 0


def test_a_failure_while_writing_leaves_nothing_behind(app, tmp_path, monkeypatch):
    from registry.services import imports

    def explode(self, agency_id, values):
        raise RuntimeError("disk full")
    monkeypatch.setattr(imports.Writer, "_complaint", explode)
    with app.app_context():
        with pytest.raises(RuntimeError):
            import_folder(good_folder(tmp_path), profile(), "test")
        assert (count(Agency), count(Sanction), count(AuditEntry)) == (0, 0, 0)


def test_rows_may_refer_to_licences_already_in_the_registry(load, app):
    load(agencies=[agency_row("R-1", "Registered Earlier")])
    result = load(complaints=[{"licence_number": "r-1", "received_on": "2024-01-02"}],
                  agencies=[agency_row("R-2", "Renewed", "2028-01-01", "2030-01-01",
                                       previous_licence_number="R-1")])
    assert result.created["complaints"] == 1 and result.created["agencies"] == 0
    with app.app_context():
        agency = db.session.scalars(select(Agency)).one()
        assert [lic.number for lic in agency.licences] == ["R-1", "R-2"]


# Four eyes on the import's door: a file never publishes a sanction, nor moves one between
# states, unless a historic load names a second officer (issue 8).

def revocation(state, ref="Prakas 1/2026", **extra):
    return {"licence_number": "F-1", "kind": "revocation", "decided_on": "2026-01-10",
            "reason_en": "Sub-licensing", "decision_ref": ref, "state": state, **extra}


def public_status(client):
    return client.get("/api/v1/agencies/F-1").json["status"]


def test_an_imported_sanction_is_a_draft_whatever_its_state_says(app, tmp_path, client):
    folder = write_folder(tmp_path / "f", agencies=[agency_row("F-1", "Four Eyes Agency")],
                          sanctions=[revocation("in_force")])
    with app.app_context():
        result = import_folder(folder, profile(), "clerk@m.example")
        sanction = db.session.scalars(select(Sanction)).one()
        assert (sanction.state, sanction.drafted_by, sanction.editors) == (
            "pending", "clerk@m.example", ["clerk@m.example"])
        assert sanction.import_batch == result.batch and result.drafts == 1
        assert "1 sanctions await a second officer's approval" in result.summary()
    assert public_status(client) == "licensed"


def test_a_file_cannot_move_a_sanction_between_states(app, load, client, tmp_path):
    load(agencies=[agency_row("F-1", "Four Eyes Agency")], sanctions=[revocation("in_force")])
    assert public_status(client) == "revoked"
    for state in ("pending", "overturned", "under_appeal"):
        folder = write_folder(tmp_path / state, agencies=[agency_row("F-1", "Four Eyes Agency")],
                              sanctions=[revocation(state)])
        with app.app_context():
            result = import_folder(folder, profile(), "clerk@m.example")
            assert result.unchanged["sanctions"] == 1 and not result.updated["sanctions"]
            assert db.session.scalars(select(Sanction)).one().state == "in_force"
    assert public_status(client) == "revoked"


def test_a_file_cannot_change_a_published_sanction(app, load, tmp_path):
    load(agencies=[agency_row("F-1", "Four Eyes Agency")],
         sanctions=[{**revocation("in_force"), "kind": "fine", "amount": "100",
                     "currency": "USD"}])
    folder = write_folder(tmp_path / "bigger", agencies=[agency_row("F-1", "Four Eyes Agency")],
                          sanctions=[
        {**revocation("in_force"), "kind": "fine", "amount": "99999", "currency": "USD"}])
    with app.app_context():
        entries = count(AuditEntry)
        with pytest.raises(ImportRefused) as refused:
            import_folder(folder, profile(), "clerk@m.example")
        assert [(p.file, p.line, p.column) for p in refused.value.problems] == [
            ("sanctions.csv", 2, "decision_ref")]
        assert "already public" in refused.value.problems[0].reason
        assert str(db.session.scalars(select(Sanction)).one().amount) == "100.00"
        assert count(AuditEntry) == entries


def test_a_file_may_correct_a_draft_and_its_importer_becomes_an_editor(app, tmp_path):
    first = write_folder(tmp_path / "1", agencies=[agency_row("F-1", "Four Eyes Agency")],
                         sanctions=[revocation("pending")])
    second = write_folder(tmp_path / "2", agencies=[agency_row("F-1", "Four Eyes Agency")],
                          sanctions=[revocation("in_force", reason_en="Sub-licensing twice")])
    with app.app_context():
        import_folder(first, profile(), "a@m.example")
        result = import_folder(second, profile(), "b@m.example")
        assert result.updated["sanctions"] == 1
        sanction = db.session.scalars(select(Sanction)).one()
        assert (sanction.state, sanction.reason_en) == ("pending", "Sub-licensing twice")
        assert sanction.editors == ["a@m.example", "b@m.example"]
        assert db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "sanctions")).all() == ["import_sanction",
                                                         "import_sanction_change"]


@pytest.mark.parametrize("who, role, active, message", [
    ("nobody@m.example", None, True, "not an active approver"),
    ("clerk@m.example", "clerk", True, "not an active approver"),
    ("gone@m.example", "approver", False, "not an active approver"),
    ("operator@m.example", "approver", True, "another officer than the one who runs it"),
])
def test_a_historic_load_needs_an_active_approver_other_than_the_operator(
        app, tmp_path, who, role, active, message):
    from registry.services import ServiceError, users
    folder = write_folder(tmp_path / "h", agencies=[agency_row("F-1", "Four Eyes Agency")],
                          sanctions=[revocation("in_force")])
    with app.app_context():
        if role:
            users.create_user(who, role, "a long enough pass phrase", "test")
            users.by_email(who).active = active
            db.session.commit()
        with pytest.raises(ServiceError, match=message):
            import_folder(folder, profile(), "operator@m.example", approved_by=who)
        assert count(Agency) == 0


def test_a_historic_load_records_states_as_approved_by_the_named_officer(app, tmp_path, client):
    from registry.services import users
    folder = write_folder(tmp_path / "h", agencies=[agency_row("F-1", "Four Eyes Agency")],
                          sanctions=[revocation("in_force"),
                                     revocation("overturned", ref="Prakas 2/2026"),
                                     revocation("pending", ref="Prakas 3/2026")])
    with app.app_context():
        users.create_user("approver@m.example", "approver", "a long enough pass phrase", "test")
        result = import_folder(folder, profile(), "cli:operator",
                               approved_by="Approver@M.example")
        assert result.drafts == 1
        states = dict(db.session.execute(select(Sanction.decision_ref, Sanction.state)).all())
        assert states == {"Prakas 1/2026": "in_force", "Prakas 2/2026": "overturned",
                          "Prakas 3/2026": "pending"}
        decided = db.session.scalars(select(Sanction).where(
            Sanction.decision_ref == "Prakas 1/2026")).one()
        assert (decided.drafted_by, decided.approved_by) == ("cli:operator",
                                                             "approver@m.example")
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "import_decided_sanction",
            AuditEntry.entity_key == str(decided.id))).one()
        assert entry.after["approved_by"] == "approver@m.example"
    assert public_status(client) == "revoked"


def test_a_historic_approver_cannot_publish_a_draft_they_changed(app, tmp_path):
    from registry.services import users
    first = write_folder(tmp_path / "1", agencies=[agency_row("F-1", "Four Eyes Agency")],
                         sanctions=[revocation("pending")])
    with app.app_context():
        users.create_user("approver@m.example", "approver", "a long enough pass phrase", "test")
        import_folder(first, profile(), "approver@m.example")  # they drafted it
        second = write_folder(tmp_path / "2", agencies=[agency_row("F-1", "Four Eyes Agency")],
                              sanctions=[revocation("in_force")])
        with pytest.raises(ImportRefused) as refused:
            import_folder(second, profile(), "cli:operator", approved_by="approver@m.example")
        assert "cannot approve it" in refused.value.problems[0].reason
        assert db.session.scalars(select(Sanction)).one().state == "pending"
