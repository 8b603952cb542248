"""services.import_rows: every cell and file problem of the CSV format, reported as
`file:line: column: reason`, without writing anything."""
import csv
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Agency, AuditEntry, Sanction
from registry.services.agencies import profile
from registry.services.import_rows import FILES, Problem, parse_amount, read_folder
from registry.services.imports import ImportRefused, import_folder
from registry.zawgyi import to_zawgyi

from ..conftest import agency_row, write_folder

KHMER_NAME = "ភ្នាក់ងារ ជ្រើសរើស មេគង្គ"
BURMESE_NAME = "ရွှေမြန်မာ အလုပ်အကိုင် ဝန်ဆောင်မှု"
AGENCY = agency_row("KH-R-0001", "Mekong Recruitment", name_km=KHMER_NAME)


def fine(**extra):
    return {"licence_number": "KH-R-0001", "kind": "fine", "decided_on": "2024-03-01",
            "amount": "100", "currency": "USD", "paid": "no", "decision_ref": "Prakas 7/2024",
            **extra}


def complaint(**extra):
    return {"licence_number": "KH-R-0001", "received_on": "2024-02-01", **extra}


def problems_of(folder):
    return [str(p) for p in read_folder(folder, profile())[1]]


# -- cells --------------------------------------------------------------------------------------

CELL_PROBLEMS = [
    # A licence number of punctuation only (Burmese full stop and section mark) has no key.
    ("agencies", {**AGENCY, "licence_number": "။ ၊"}, "agencies.csv:2: licence_number: "
     "a licence number needs letters or digits"),
    ("agencies", {**AGENCY, "previous_licence_number": "—/—"}, "agencies.csv:2: "
     "previous_licence_number: a licence number needs letters or digits"),
    ("agencies", {**AGENCY, "channels": "telegram @mekonghr"}, "agencies.csv:2: channels: "
     "telegram @mekonghr is not kind:value (kinds: phone, facebook, telegram, viber, website, "
     "email, branch)"),
    ("agencies", {**AGENCY, "channels": "facebook:https://fb.com/mekong;viber: "},
     "agencies.csv:2: channels: viber: is not kind:value (kinds: phone, facebook, telegram, "
     "viber, website, email, branch)"),
    ("sanctions", fine(paid="ប្រហែល"), "sanctions.csv:2: paid: ប្រហែល is not yes or no"),
    ("sanctions", fine(paid="Maybe"), "sanctions.csv:2: paid: maybe is not yes or no"),
    ("sanctions", fine(currency="រៀល"), "sanctions.csv:2: currency: រៀល is not an ISO 4217 "
     "currency code"),
    ("sanctions", fine(currency="usd$"), "sanctions.csv:2: currency: usd$ is not an ISO 4217 "
     "currency code"),
    ("complaints", complaint(compensation_amount="1O0"), "complaints.csv:2: "
     "compensation_amount: 1O0 is not an amount"),
    ("complaints", complaint(compensation_amount="100,000,000,000,000"), "complaints.csv:2: "
     "compensation_amount: 100,000,000,000,000 is too large"),
    ("complaints", complaint(compensation_amount="-0.01"), "complaints.csv:2: "
     "compensation_amount: -0.01: an amount cannot be negative"),
    ("complaints", complaint(compensation_amount="NaN"), "complaints.csv:2: "
     "compensation_amount: NaN: an amount cannot be negative"),
    ("complaints", complaint(compensation_amount="Infinity"), "complaints.csv:2: "
     "compensation_amount: Infinity: an amount cannot be negative"),
    ("sanctions", fine(kind="warning", decided_on="", amount="", currency="", paid=""),
     "sanctions.csv:2: effective_from: a sanction needs decided_on or effective_from"),
    ("sanctions", fine(kind="warning"), "sanctions.csv:2: amount: only a fine has an amount"),
    ("sanctions", fine(kind="revocation", amount="", currency="", paid="",
                       effective_to="2025-01-01"),
     "sanctions.csv:2: effective_to: only a suspension has an end date"),
    ("complaints", complaint(workers_affected="៣ នាក់"), "complaints.csv:2: workers_affected: "
     "៣ នាក់ is not a whole number of 0 or more"),
    ("complaints", complaint(workers_affected="2.5"), "complaints.csv:2: workers_affected: "
     "2.5 is not a whole number of 0 or more"),
    ("complaints", complaint(compensation_amount="-sNaN", currency="USD"), "complaints.csv:2: "
     "compensation_amount: -sNaN: an amount cannot be negative"),
    ("complaints", complaint(compensation_amount="150", currency="ដុល្លារ"), "complaints.csv:2: "
     "currency: ដុល្លារ is not an ISO 4217 currency code"),
]


@pytest.mark.parametrize("file, row, expected", CELL_PROBLEMS)
def test_a_bad_cell_is_reported_with_its_file_line_and_column(ctx, tmp_path, file, row,
                                                              expected):
    files = {"agencies": [AGENCY]} if file != "agencies" else {}
    folder = write_folder(tmp_path / "f", **files, **{file: [row]})
    assert problems_of(folder) == [expected]


@pytest.mark.parametrize("amount, reason", [
    ("1O0", "1O0 is not an amount"),
    ("1e14", "1e14 is too large"),
    ("-Infinity", "-Infinity: an amount cannot be negative"),
])
def test_a_fines_unreadable_amount_is_its_only_problem(ctx, tmp_path, amount, reason):
    folder = write_folder(tmp_path / "f", agencies=[AGENCY], sanctions=[fine(amount=amount)])
    assert problems_of(folder) == [f"sanctions.csv:2: amount: {reason}"]


def test_a_fine_without_an_amount(ctx, tmp_path):
    folder = write_folder(tmp_path / "f", agencies=[AGENCY],
                          sanctions=[fine(amount="", currency="")])
    assert problems_of(folder) == ["sanctions.csv:2: amount: a fine needs an amount"]


@pytest.mark.parametrize("value, expected", [
    ("yes", True), ("PAID", True), ("Y", True), ("1", True),
    ("no", False), ("Unpaid", False), ("0", False), ("", None),
])
def test_paid_takes_yes_or_no_in_several_spellings(ctx, tmp_path, value, expected):
    folder = write_folder(tmp_path / "f", agencies=[AGENCY], sanctions=[fine(paid=value)])
    rows, problems = read_folder(folder, profile())
    assert problems == []
    assert rows["sanctions.csv"][0].values["paid"] is expected


@pytest.mark.parametrize("value, expected", [
    ("99,999,999,999,999.99", Decimal("99999999999999.99")),  # the largest amount
    ("2 000 000", Decimal("2000000.00")),
    ("0", Decimal("0.00")),
    ("12.3", Decimal("12.30")),
])
def test_amounts_within_the_limits_are_kept_to_the_cent(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize("value", ["1e14", "100000000000000.00", "1E+20"])
def test_amounts_from_one_hundred_million_million_up_are_too_large(value):
    with pytest.raises(ValueError) as error:
        parse_amount(value)
    assert str(error.value.args[0]) == f"{value} is too large"


def test_a_bad_cell_refuses_the_whole_import_and_writes_nothing(app, tmp_path):
    folder = write_folder(tmp_path / "f", agencies=[AGENCY],
                          sanctions=[fine(), fine(decision_ref="Prakas 8/2024", currency="រៀល")])
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_folder(folder, profile(), "clerk@ministry.example")
        assert [str(p) for p in refused.value.problems] == [
            "sanctions.csv:3: currency: រៀល is not an ISO 4217 currency code"]
        assert [db.session.scalar(select(func.count()).select_from(model))
                for model in (Agency, Sanction, AuditEntry)] == [0, 0, 0]


def test_burmese_typed_in_zawgyi_is_converted_and_its_place_noted(ctx, tmp_path):
    folder = write_folder(tmp_path / "f", agencies=[
        {**AGENCY, "name_my": to_zawgyi(BURMESE_NAME)}])
    rows, problems = read_folder(folder, profile())
    assert problems == []
    row = rows["agencies.csv"][0]
    assert (row.values["name_my"], row.zawgyi) == (BURMESE_NAME, ["name_my"])
    assert row.values["name_km"] == KHMER_NAME and "name_km" not in row.zawgyi


# -- files --------------------------------------------------------------------------------------

HEADER = ",".join(FILES["agencies.csv"])
GOOD = "KH-R-0001,Mekong Recruitment,{},,,,,,,,,,,,2025-01-01,2027-12-31,".format(KHMER_NAME)
SECOND = "KH-R-0002,Tonle Sap Manpower,,,,,,,,,,,,,2025-01-01,2027-12-31,"


def write_agencies(tmp_path, data):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "agencies.csv").write_bytes(data)
    return folder


FILE_PROBLEMS = [
    ("empty", b"", ["agencies.csv:1: -: the file is empty: it needs a header row"], []),
    ("byte order mark only", "\ufeff".encode(),
     ["agencies.csv:1: -: the file is empty: it needs a header row"], []),
    ("missing required columns",
     f"licence_number,name_km\nKH-R-0001,{KHMER_NAME}\n".encode(),
     ["agencies.csv:1: licence_issued_on: required column is missing",
      "agencies.csv:1: licence_expires_on: required column is missing",
      "agencies.csv:1: name_en: required column is missing",
      "agencies.csv:2: licence_issued_on: required, but empty",
      "agencies.csv:2: licence_expires_on: required, but empty",
      "agencies.csv:2: name_en: required, but empty"],
     [2]),
    ("a row with more cells than the header",
     f"{HEADER}\n{GOOD}\n{SECOND},extra cell\n{SECOND}\n".encode(),
     ["agencies.csv:3: -: 18 cells but the header has 17"],
     [2, 4]),
    ("blank rows are skipped, lines still counted",
     f"{HEADER}\n,,,,\n{GOOD}\n   ,  ,\n\n{SECOND}\n".encode(), [], [3, 6]),
    ("not UTF-8 on a later line",
     f"{HEADER}\n{GOOD}\n{SECOND}\n".encode() + "KH-R-0003,Caf\u00e9,,,,,,,,,,,,,2025-01-01,"
     "2027-12-31,\n".encode("cp1252"),
     ["agencies.csv:4: -: not UTF-8 text (save the file as CSV UTF-8)"], []),
    ("a cell too large for the csv reader",
     f"{HEADER}\n{GOOD}\n{SECOND}\nKH-R-0003,{'x' * (csv.field_size_limit() + 1)}\n".encode(),
     [f"agencies.csv:4: -: field larger than field limit ({csv.field_size_limit()})"],
     [2, 3]),
]


@pytest.mark.parametrize("data, expected, lines", [case[1:] for case in FILE_PROBLEMS],
                         ids=[case[0] for case in FILE_PROBLEMS])
def test_a_bad_file_is_reported_and_its_good_rows_kept(ctx, tmp_path, data, expected, lines):
    rows, problems = read_folder(write_agencies(tmp_path, data), profile())
    assert sorted(str(p) for p in problems) == sorted(expected)
    assert [row.line for row in rows["agencies.csv"]] == lines


def test_rows_keep_their_own_text_after_skipped_rows(ctx, tmp_path):
    data = f"{HEADER}\n{GOOD},surplus\n\n{GOOD}\n".encode()
    rows, problems = read_folder(write_agencies(tmp_path, data), profile())
    assert [str(p) for p in problems] == ["agencies.csv:2: -: 18 cells but the header has 17"]
    [row] = rows["agencies.csv"]
    assert (row.line, row.values["name_km"], row.values["licence_number"]) == (
        4, KHMER_NAME, "KHR0001")


def test_a_folder_without_agencies_csv_is_refused_but_its_other_files_are_checked(ctx, tmp_path):
    folder = write_folder(tmp_path / "f", sanctions=[fine(paid="ប្រហែល")])
    problems = read_folder(folder, profile())[1]
    assert [str(p) for p in problems] == ["agencies.csv:0: -: file not found",
                                          "sanctions.csv:2: paid: ប្រហែល is not yes or no"]
    assert all(isinstance(p, Problem) for p in problems)
