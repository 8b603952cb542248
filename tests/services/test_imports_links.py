"""services.imports, cross-row checks: how licences link into agencies, and references that
must name one record of one agency. A refused import writes nothing."""
import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Agency, AuditEntry, Complaint, Licence, Representative, Sanction
from registry.services.agencies import profile
from registry.services.imports import ImportRefused, import_folder
from registry.zawgyi import to_zawgyi

from ..conftest import agency_row, write_folder

ANGKOR = agency_row("KH-A-0001", "Angkor Manpower", name_km="ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ")
BAYON = agency_row("KH-B-0001", "Bayon Recruitment", name_my="ဘာယွန် အလုပ်အကိုင်")
DECISION = "ប្រកាស ១២/២០២៤"  # "Prakas 12/2024", as the ministry writes it


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def refused(app, folder):
    """The problems of an import that must be refused, as text; checks it wrote nothing."""
    with app.app_context():
        before = [count(m) for m in (Agency, Licence, Sanction, Complaint, Representative,
                                     AuditEntry)]
        with pytest.raises(ImportRefused) as error:
            import_folder(folder, profile(), "clerk@ministry.example")
        after = [count(m) for m in (Agency, Licence, Sanction, Complaint, Representative,
                                    AuditEntry)]
        assert after == before
    return [str(p) for p in error.value.problems]


def licences_by_agency(app):
    with app.app_context():
        return sorted((a.name_en, sorted(lic.number for lic in a.licences))
                      for a in db.session.scalars(select(Agency)))


# -- licence links ------------------------------------------------------------------------------

@pytest.mark.parametrize("number, previous", [
    ("KH-L-0001", "KH-L-0001"),
    ("KH-L-0001", "kh l 0001"),   # the same licence, written another way
    ("KH-L-0001", "KH/L/0001"),
])
def test_a_licence_cannot_renew_itself(app, tmp_path, number, previous):
    folder = write_folder(tmp_path / "f", agencies=[
        ANGKOR, agency_row(number, "Lotus Workers", previous_licence_number=previous)])
    assert refused(app, folder) == [
        "agencies.csv:3: previous_licence_number: a licence cannot renew itself"]


@pytest.mark.parametrize("rows, line", [
    # Bayon's licence row says it renews Angkor's licence.
    ([{**BAYON, "previous_licence_number": "KH-A-0001"}], 2),
    # The same through a chain of new licences: KH-C-0001 renews Angkor's, KH-C-0002 renews
    # that one, and Bayon's renews KH-C-0002. The group is reported on its first row.
    ([agency_row("KH-C-0001", "Angkor Manpower", "2028-01-01", "2029-12-31",
                 previous_licence_number="KH-A-0001"),
      agency_row("KH-C-0002", "Angkor Manpower", "2030-01-01", "2031-12-31",
                 previous_licence_number="KH-C-0001"),
      {**BAYON, "previous_licence_number": "KH-C-0002"}], 2),
])
def test_a_renewal_cannot_join_two_agencies_of_the_registry(app, tmp_path, load, rows, line):
    load(agencies=[ANGKOR, BAYON])
    before = licences_by_agency(app)
    assert before == [("Angkor Manpower", ["KH-A-0001"]), ("Bayon Recruitment", ["KH-B-0001"])]
    problems = refused(app, write_folder(tmp_path / "join", agencies=rows))
    assert problems == [f"agencies.csv:{line}: previous_licence_number: links licences of two "
                        "different agencies in the registry"]
    assert licences_by_agency(app) == before


def test_a_renewal_of_one_agency_in_the_registry_is_accepted(app, load):
    """The contrast: the same chain, ending in Angkor's own licence, links them."""
    load(agencies=[ANGKOR, BAYON])
    load(agencies=[agency_row("KH-C-0001", "Angkor Manpower", "2028-01-01", "2029-12-31",
                              previous_licence_number="KH-A-0001"),
                   agency_row("KH-C-0002", "Angkor Manpower", "2030-01-01", "2031-12-31",
                              previous_licence_number="KH-C-0001")])
    assert licences_by_agency(app) == [
        ("Angkor Manpower", ["KH-A-0001", "KH-C-0001", "KH-C-0002"]),
        ("Bayon Recruitment", ["KH-B-0001"])]


# -- references that name one record ------------------------------------------------------------

def sanction(number, ref=DECISION, decided_on="2024-03-01"):
    return {"licence_number": number, "kind": "warning", "decided_on": decided_on,
            "reason_km": "យកថ្លៃសេវាលើស", "decision_ref": ref, "state": "pending"}


def complaint(number, ref="C-2024-7QX2MA", received_on="2024-02-01"):
    return {"licence_number": number, "received_on": received_on, "category": "excessive_fees",
            "complainant_name": "សុខ ចាន់", "case_ref": ref}


def representative(number, ref="ID-010203", name="ចាន់ ដារ៉ា"):
    return {"licence_number": number, "name": name, "id_number": ref, "phone": "097 111 2222"}


#: file, column, a row of it for a licence with a given reference, and one more row like it.
KINDS = [
    ("sanctions", "decision_ref", sanction,
     lambda number: sanction(number, decided_on="2024-04-01")),
    ("complaints", "case_ref", complaint,
     lambda number: complaint(number, received_on="2024-03-01")),
    ("representatives", "id_number", representative,
     lambda number: representative(number, name="မောင် မောင်")),
]
MODELS = {"sanctions": Sanction, "complaints": Complaint, "representatives": Representative}


@pytest.mark.parametrize("file, column, row, other", KINDS, ids=[k[0] for k in KINDS])
def test_a_reference_repeated_in_a_file_is_refused(app, tmp_path, file, column, row, other):
    folder = write_folder(tmp_path / "f", agencies=[ANGKOR],
                          **{file: [row("KH-A-0001"), other("KH-A-0001")]})
    assert refused(app, folder) == [f"{file}.csv:3: {column}: repeated (first on line 2)"]


@pytest.mark.parametrize("file, column, row, other", KINDS, ids=[k[0] for k in KINDS])
def test_a_reference_of_another_agency_is_refused(app, tmp_path, load, file, column, row,
                                                  other):
    load(agencies=[ANGKOR, BAYON], **{file: [row("KH-A-0001")]})
    problems = refused(app, write_folder(tmp_path / "f", agencies=[ANGKOR, BAYON],
                                         **{file: [row("KH-B-0001")]}))
    assert problems == [f"{file}.csv:2: {column}: already recorded for another agency"]
    with app.app_context():
        record = db.session.scalars(select(MODELS[file])).one()
        assert db.session.get(Agency, record.agency_id).name_en == "Angkor Manpower"


@pytest.mark.parametrize("file, column, row, other", KINDS, ids=[k[0] for k in KINDS])
def test_a_reference_of_the_same_agency_is_the_same_record(app, load, file, column, row, other):
    """The contrast: the row names the agency that holds the reference, so it matches."""
    load(agencies=[ANGKOR, BAYON], **{file: [row("KH-A-0001")]})
    result = load(agencies=[ANGKOR, BAYON], **{file: [row("kh a 0001")]})
    assert result.unchanged[file] == 1 and not result.created[file]
    with app.app_context():
        assert count(MODELS[file]) == 1


def test_a_dry_run_of_a_renewal_counts_an_update_and_writes_nothing(app, tmp_path, load):
    load(agencies=[ANGKOR, BAYON])
    folder = write_folder(
        tmp_path / "dry",
        agencies=[agency_row("KH-C-0001", "Angkor Manpower", "2028-01-01", "2029-12-31",
                             previous_licence_number="KH-A-0001",
                             name_my=to_zawgyi("အန်ကော လုပ်သားဝန်ဆောင်မှု")),
                  agency_row("KH-N-0001", "Naga Workers")],
        sanctions=[sanction("KH-C-0001")], complaints=[complaint("KH-N-0001")])
    before = licences_by_agency(app)
    with app.app_context():
        entries = count(AuditEntry)
        result = import_folder(folder, profile(), "clerk@ministry.example", dry_run=True)
        assert count(AuditEntry) == entries and count(Sanction) == count(Complaint) == 0
    assert licences_by_agency(app) == before
    assert (result.created["agencies"], result.updated["agencies"]) == (1, 1)
    assert (result.drafts, result.batch) == (1, "")
    assert result.zawgyi == ["agencies.csv:2: name_my"]
    assert result.summary().endswith(
        ". 1 sanctions would await a second officer's approval. 1 Burmese values were typed in "
        "Zawgyi and converted to Unicode: agencies.csv:2: name_my")
