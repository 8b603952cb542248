"""services.opendata: the open dataset, keyed by permanent ids, with today's status, each table
as CSV and JSON Lines, and a Data Package descriptor that Frictionless's own validator accepts
(issue 15)."""
import csv
import json

from frictionless import Package

from registry.services import opendata
from registry.spreadsheet import neutralise

from ..conftest import BOTH_COUNTRIES, agency_row


def table(folder, name):
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def lines(folder, name):
    with open(folder / f"{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def validate(folder):
    """Frictionless's verdict, and the JSON Lines against the CSV: the same rows, fields and
    values, typed; every table with rows described in both formats."""
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["name"]: r for r in package["resources"]}
    for name in opendata.TABLES:
        rows, objects = table(folder, name), lines(folder, name)
        assert len(objects) == len(rows), name
        assert (f"{name}-jsonl" in described) == bool(rows)
        for row, obj in zip(rows, objects):
            assert list(obj) == list(row), name  # the same fields, in the same order
            for key, cell in row.items():
                value = obj[key]
                if isinstance(value, list):
                    assert neutralise(";".join(value)) == cell
                elif isinstance(value, bool):
                    assert cell == str(value).lower()
                elif value is None:
                    assert cell == ""
                elif isinstance(value, (int, float)):
                    assert float(cell) == value
                else:
                    assert neutralise(value) == cell


def test_rows_are_keyed_by_permanent_ids_with_todays_status(ctx, load, tmp_path):
    load(agencies=[agency_row("KH-D-2023-1", "Open Agency", "2023-01-01", "2024-12-31",
                              phones="012 345 678", aliases="=HYPERLINK(1);Open Jobs"),
                   agency_row("KH-D-2025-1", "Open Agency", "2025-01-01", "2030-12-31",
                              previous_licence_number="KH-D-2023-1", phones="012 345 678",
                              aliases="=HYPERLINK(1);Open Jobs")],
         sanctions=[{"licence_number": "KH-D-2025-1", "kind": "suspension",
                     "decided_on": "2026-01-02", "effective_from": "2026-01-05",
                     "decision_ref": "Prakas 1/2026", "state": "in_force"},
                    {"licence_number": "KH-D-2025-1", "kind": "warning",
                     "decided_on": "2026-02-01", "decision_ref": "Draft 9", "state": "pending"}],
         complaints=[{"licence_number": "KH-D-2025-1", "received_on": "2025-05-01",
                      "category": "excessive_fees", "status": "resolved",
                      "compensation_amount": "300", "currency": "USD",
                      "complainant_name": "Secret Person", "details": "secret details",
                      "case_ref": "C-2025-9"}])
    folder = tmp_path / "data"
    counts = opendata.write_dataset(folder, "f" * 64)
    assert counts == {"agencies": 1, "licences": 2, "sanctions": 1, "complaints": 1,
                      "representatives": 0, "channels": 1, "clearances": 0}
    [agency] = table(folder, "agencies")
    assert agency["id"].startswith("AG-") and agency["licence_number"] == "KH-D-2025-1"
    assert (agency["status"], agency["status_reason"], agency["status_since"],
            agency["status_decision_ref"]) == ("suspended", "suspension", "2026-01-05",
                                               "Prakas 1/2026")
    assert agency["aliases"].startswith("'=HYPERLINK")  # no formula reaches a spreadsheet
    [as_json] = lines(folder, "agencies")  # programs get the text as recorded, typed
    assert as_json["aliases"] == ["=HYPERLINK(1)", "Open Jobs"] and as_json["name_my"] is None
    assert lines(folder, "complaints")[0]["compensation_amount"] == 300
    assert lines(folder, "sanctions")[0]["paid"] is None
    assert lines(folder, "representatives") == []
    assert {r["agency_id"] for r in table(folder, "licences")} == {agency["id"]}
    assert [s["decision_ref"] for s in table(folder, "sanctions")] == ["Prakas 1/2026"]
    everything = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert "Secret Person" not in everything and "secret details" not in everything
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["version"] == "f" * 64
    validate(folder)


def test_a_broken_foreign_key_is_what_the_validator_catches(ctx, load, tmp_path):
    """The descriptor's keys are checked, not decoration: a licence of no agency fails."""
    load(agencies=[agency_row("KH-D-1", "Keyed Agency")])
    folder = tmp_path / "data"
    opendata.write_dataset(folder, "0" * 64)
    with open(folder / "licences.csv", "a", encoding="utf-8") as f:
        f.write("AG-0000000000,KH-D-9,2025-01-01,2026-01-01\n")
    assert not Package(str(folder / "datapackage.json")).validate().valid
    opendata.write_dataset(folder, "0" * 64)
    with open(folder / "licences.jsonl", "a", encoding="utf-8") as f:  # and in JSON Lines
        f.write(json.dumps({"agency_id": "AG-0000000000", "number": "KH-D-9",
                            "issued_on": "2025-01-01", "expires_on": "2026-01-01"}) + "\n")
    report = Package(str(folder / "datapackage.json")).validate()
    assert [task.name for task in report.tasks if not task.valid] == ["licences-jsonl"]


@BOTH_COUNTRIES
def test_the_demo_registry_as_open_data_validates(ctx, runner, tmp_path, country):
    assert runner.invoke(args=["seed"]).exit_code == 0
    folder = tmp_path / "data"
    counts = opendata.write_dataset(folder, "1" * 64)
    assert counts["agencies"] == 320 and counts["complaints"] > 800
    validate(folder)


def test_approved_clearances_are_open_data_with_todays_airing(ctx, load, tmp_path):
    from datetime import date, timedelta

    from registry.services import clearances, users
    load(agencies=[agency_row("KH-AD-AGENCY-1", "Advertising Agency", "2020-01-01",
                              "2099-12-31")])
    clerk = users.create_user("clerk@ads.example", "clerk", "a long enough pass phrase", "t")
    approver = users.create_user("ok@ads.example", "approver", "a long enough pass phrase", "t")
    from registry.services import agencies
    agency, _ = agencies.by_licence_number("KH-AD-AGENCY-1")
    today = date.today()

    def ad(number, **extra):
        return clearances.draft(agency, {
            "number": number, "job_title": "ពលករ​រោងចក្រ", "destination": "TH", "workers": 30,
            "worker_fee": 0, "fee_currency": "", "valid_from": today - timedelta(days=3),
            "valid_to": today + timedelta(days=30), "media": ["tv", "radio"], **extra}, clerk)
    approved, ended = ad("KH-AD-1"), ad("KH-AD-2", valid_to=today - timedelta(days=1))
    for clearance in (approved, ended):
        clearances.approve(clearance, clearance.version, approver)
    ad("KH-AD-3-DRAFT")  # never public
    folder = tmp_path / "data"
    assert opendata.write_dataset(folder, "2" * 64)["clearances"] == 2
    rows = {r["number"]: r for r in table(folder, "clearances")}
    assert set(rows) == {"KH-AD-1", "KH-AD-2"}
    assert (rows["KH-AD-1"]["airable"], rows["KH-AD-1"]["airable_reason"],
            rows["KH-AD-1"]["media"]) == ("true", "airable", "radio;tv")
    assert (rows["KH-AD-2"]["airable"], rows["KH-AD-2"]["airable_reason"]) == ("false", "ended")
    validate(folder)
