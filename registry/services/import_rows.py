"""Reading and checking the CSV import format (DESIGN section 4), row by row, into plain records.

Nothing here writes. Every problem is collected as `file:line: column: reason`, so one run
reports them all.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel import Locale
from babel.numbers import list_currencies
from flask_babel import lazy_gettext as _l

from ..models import (CHANNEL_KINDS, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, SANCTION_KINDS,
                      SANCTION_STATES)
from ..normalise import licence_key, tidy_text
from ..spreadsheet import restore
from ..zawgyi import to_unicode

# Columns per file; `previous_licence_number`, `paid` and `case_ref` extend DESIGN's format.
FILES = {
    "agencies.csv": (
        "licence_number", "name_en", "name_km", "name_my", "aliases", "province", "address_en",
        "address_km", "address_my", "phones", "channels", "email", "website", "destinations",
        "licence_issued_on", "licence_expires_on", "previous_licence_number",
    ),
    "representatives.csv": (
        "licence_number", "name", "id_number", "phone", "province", "authorised_from",
        "authorised_to",
    ),
    "sanctions.csv": (
        "licence_number", "kind", "decided_on", "effective_from", "effective_to", "amount",
        "currency", "paid", "reason_en", "reason_km", "reason_my", "decision_ref", "state",
    ),
    "complaints.csv": (
        "licence_number", "received_on", "category", "destination", "workers_affected", "status",
        "compensation_amount", "currency", "closed_on", "complainant_name", "complainant_phone",
        "details", "case_ref",
    ),
}
REQUIRED = {
    "agencies.csv": ("licence_number", "name_en", "licence_issued_on", "licence_expires_on"),
    "representatives.csv": ("licence_number", "name"),
    "sanctions.csv": ("licence_number", "kind"),
    "complaints.csv": ("licence_number", "received_on"),
}
OPTIONAL_FILES = ("representatives.csv", "sanctions.csv", "complaints.csv")
COUNTRY_CODES = frozenset(code for code in Locale("en").territories
                          if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "UN"))
CURRENCIES = frozenset(list_currencies())


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class Row:
    """One checked row: typed values by column, and where it came from."""
    file: str
    line: int
    values: dict = field(default_factory=dict)
    #: Columns whose Burmese text arrived in Zawgyi and was converted to Unicode.
    zawgyi: list = field(default_factory=list)


class RowReader:
    """Checks the cells of one row, keeping the first problem of each cell."""

    def __init__(self, file, line, raw, problems, profile):
        self.file, self.line, self.raw = file, line, raw
        self.problems, self.profile = problems, profile
        self.row = Row(file, line)

    def fail(self, column, reason):
        self.problems.append(Problem(self.file, self.line, column, str(reason)))

    def text(self, column):
        value, converted = to_unicode(tidy_text(restore(self.raw.get(column))))
        if converted:
            self.row.zawgyi.append(column)
        self.row.values[column] = value
        if not value and column in REQUIRED[self.file]:
            self.fail(column, _l("required, but empty"))
        return value

    def _parse(self, column, parse):
        value = self.text(column)
        if not value:
            self.row.values[column] = None
            return None
        try:
            self.row.values[column] = parse(value)
        except ValueError as error:
            self.row.values[column] = None
            self.fail(column, error.args[0])
        return self.row.values[column]

    def date(self, column):
        return self._parse(column, parse_date)

    def amount(self, column):
        return self._parse(column, parse_amount)

    def count(self, column):
        return self._parse(column, parse_count)

    def choice(self, column, choices, default):
        def parse(value):
            value = value.lower().replace(" ", "_").replace("-", "_")
            if value not in choices:
                raise ValueError(_l("%(value)s is not one of: %(choices)s",
                                    value=value, choices=", ".join(choices)))
            return value
        value = self._parse(column, parse) or default
        self.row.values[column] = value
        return value

    def country(self, column):
        return self._parse(column, parse_country)

    def countries(self, column):
        return self._list(column, lambda v: [parse_country(c) for c in split_list(v)])

    def _list(self, column, parse):
        self.row.values[column] = self._parse(column, parse) or []
        return self.row.values[column]

    def currency(self, column):
        return self._parse(column, parse_currency)

    def province(self, column):
        def parse(value):
            province = self.profile.find_province(value)
            if province is None:
                raise ValueError(_l("unknown province or region %(value)s (use an ISO 3166-2 "
                                    "code such as %(example)s)", value=value,
                                    example=self.profile.provinces[0].code))
            return province.code
        return self._parse(column, parse)

    def licence(self, column):
        # Keep the number as written for display; match on its key.
        value = self.text(column)
        key = licence_key(value)
        if value and not key:
            self.fail(column, _l("a licence number needs letters or digits"))
        self.row.values[column + "_text"] = value
        self.row.values[column] = key
        return key

    def flag(self, column):
        def parse(value):
            value = value.lower()
            if value in ("yes", "true", "1", "y", "paid"):
                return True
            if value in ("no", "false", "0", "n", "unpaid"):
                return False
            raise ValueError(_l("%(value)s is not yes or no", value=value))
        return self._parse(column, parse)

    def channels(self, column):
        def parse(value):
            pairs = []
            for item in split_list(value):
                kind, sep, target = item.partition(":")
                kind = kind.strip().lower()
                if not sep or kind not in CHANNEL_KINDS or not target.strip():
                    raise ValueError(_l("%(value)s is not kind:value (kinds: %(kinds)s)",
                                        value=item, kinds=", ".join(CHANNEL_KINDS)))
                pairs.append((kind, target.strip()))
            return pairs
        return self._list(column, parse)

    def order(self, first, then, reason):
        a, b = self.row.values.get(first), self.row.values.get(then)
        if a and b and b < a:
            self.fail(then, reason)


def split_list(value):
    return [tidy_text(v) for v in (value or "").split(";") if tidy_text(v)]


def parse_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_l("%(value)s is not a date (write YYYY-MM-DD)", value=value)) from None


def parse_amount(value):
    try:
        amount = Decimal(value.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise ValueError(_l("%(value)s is not an amount", value=value)) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(_l("%(value)s: an amount cannot be negative", value=value))
    if amount >= Decimal("1e14"):
        raise ValueError(_l("%(value)s is too large", value=value))
    return amount.quantize(Decimal("0.01"))


def parse_count(value):
    if not value.isdigit():
        raise ValueError(_l("%(value)s is not a whole number of 0 or more", value=value))
    return int(value)


def parse_country(value):
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError(_l("%(value)s is not an ISO 3166 alpha-2 country code", value=value))
    return code


def parse_currency(value):
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise ValueError(_l("%(value)s is not an ISO 4217 currency code", value=value))
    return code


def read_csv(path, problems):
    """(header, [(line, raw dict)]) of one file; problems for encoding and unknown columns."""
    name = path.name
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(Problem(name, line, "-", str(_l("not UTF-8 text (save the file as "
                                                        "CSV UTF-8)"))))
        return None, []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    except StopIteration:
        problems.append(Problem(name, 1, "-", str(_l("the file is empty: it needs a header "
                                                     "row"))))
        return None, []
    known = FILES[name]
    for col in header:
        if col not in known:
            problems.append(Problem(name, 1, col or "-", str(_l(
                "unknown column (known columns: %(columns)s)", columns=", ".join(known)))))
    for col in REQUIRED[name]:
        if col not in header:
            problems.append(Problem(name, 1, col, str(_l("required column is missing"))))
    rows = []
    try:
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) > len(header):
                problems.append(Problem(name, reader.line_num, "-", str(_l(
                    "%(found)d cells but the header has %(expected)d",
                    found=len(raw), expected=len(header)))))
                continue
            rows.append((reader.line_num, dict(zip(header, raw))))
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num, "-", str(error)))
    return header, rows


def count_rows(folder):
    """Data rows in the folder's files (lines after each header), counted without parsing."""
    total = 0
    for name in FILES:
        path = Path(folder) / name
        if path.is_file():
            with open(path, "rb") as f:
                total += max(0, sum(1 for _ in f) - 1)
    return total


def read_folder(folder, profile):
    """Every checked row of the folder's files, by file name, and every problem found."""
    folder = Path(folder)
    problems, rows = [], {}
    if not (folder / "agencies.csv").is_file():
        problems.append(Problem("agencies.csv", 0, "-", str(_l("file not found"))))
    for name, check in CHECKS.items():
        path = folder / name
        rows[name] = []
        if not path.is_file():
            continue
        header, raw_rows = read_csv(path, problems)
        if header is None:
            continue
        for line, raw in raw_rows:
            reader = RowReader(name, line, raw, problems, profile)
            check(reader)
            rows[name].append(reader.row)
    return rows, problems


def check_agency(r):
    r.licence("licence_number")
    r.licence("previous_licence_number")
    for col in ("name_en", "name_km", "name_my", "address_en", "address_km", "address_my",
                "email", "website"):
        r.text(col)
    r.row.values["aliases"] = split_list(r.text("aliases"))
    r.row.values["phones"] = split_list(r.text("phones"))
    r.province("province")
    r.channels("channels")
    r.countries("destinations")
    r.date("licence_issued_on")
    r.date("licence_expires_on")
    r.order("licence_issued_on", "licence_expires_on", _l("the licence expires before it is "
                                                          "issued"))


def check_representative(r):
    r.licence("licence_number")
    for col in ("name", "id_number", "phone"):
        r.text(col)
    r.province("province")
    r.date("authorised_from")
    r.date("authorised_to")
    r.order("authorised_from", "authorised_to", _l("the authorisation ends before it starts"))


def check_sanction(r):
    r.licence("licence_number")
    kind = r.choice("kind", SANCTION_KINDS, None)
    r.choice("state", SANCTION_STATES, "pending")
    decided, start = r.date("decided_on"), r.date("effective_from")
    if not decided and not start and r.raw.get("kind"):
        r.fail("effective_from", _l("a sanction needs decided_on or effective_from"))
    r.row.values["decided_on"] = decided or start
    r.row.values["effective_from"] = start or decided
    r.date("effective_to")
    r.order("effective_from", "effective_to", _l("the sanction ends before it starts"))
    amount = r.amount("amount")
    r.currency("currency")
    r.flag("paid")
    for col in ("reason_en", "reason_km", "reason_my", "decision_ref"):
        r.text(col)
    if kind == "fine" and amount is None and not r.raw.get("amount", "").strip():
        r.fail("amount", _l("a fine needs an amount"))
    if kind != "fine" and amount is not None:
        r.fail("amount", _l("only a fine has an amount"))
    if kind != "suspension" and r.row.values.get("effective_to"):
        r.fail("effective_to", _l("only a suspension has an end date"))


def check_complaint(r):
    r.licence("licence_number")
    r.date("received_on")
    r.choice("category", COMPLAINT_CATEGORIES, "other")
    r.country("destination")
    r.count("workers_affected")
    r.choice("status", COMPLAINT_STATUSES, "received")
    r.amount("compensation_amount")
    r.currency("currency")
    r.date("closed_on")
    r.order("received_on", "closed_on", _l("the complaint is closed before it was received"))
    for col in ("complainant_name", "complainant_phone", "details", "case_ref"):
        r.text(col)


CHECKS = {
    "agencies.csv": check_agency,
    "representatives.csv": check_representative,
    "sanctions.csv": check_sanction,
    "complaints.csv": check_complaint,
}
